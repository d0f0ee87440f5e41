// Studies with Optuna's API: create/load by name in a storage URL, ask/tell, optimize, best trial, heartbeats that
// turn a dead worker's RUNNING trial into FAIL (optionally re-queued by RetryFailedTrialCallback).
import { Distribution, ParamValue } from './distributions';
import { MedianPruner } from './pruners';
import { RdbStorage, StorageOptions } from './rdb-storage';
import { Pruner, Sampler, TrialPruned } from './sampler';
import { GridExhaustedError } from './samplers/grid';
import { TPESampler } from './samplers/tpe';
import { Trial } from './trial';
import { DuplicatedStudyError, FrozenTrial, StudyDirection, TrialState, TrialTemplate } from './types';

export type Direction = 'minimize' | 'maximize' | StudyDirection;

export type FailedTrialCallback = (study: Study, trial: FrozenTrial) => Promise<void> | void;

export interface HeartbeatOptions {
  /** Seconds between heartbeats of a running trial (Optuna's heartbeat_interval). */
  heartbeatInterval: number;
  /** Seconds without a heartbeat after which a RUNNING trial is stale (default 2 x interval, as Optuna). */
  gracePeriod?: number;
  /** Called for each trial this worker turned from stale RUNNING to FAIL. */
  failedTrialCallback?: FailedTrialCallback;
}

export interface StudyOptions extends StorageOptions {
  studyName: string;
  /** Storage URL: sqlite:///path.db or postgresql://user@host:port/db, or an opened RdbStorage. */
  storage: string | RdbStorage;
  direction?: Direction;
  sampler?: Sampler;
  pruner?: Pruner;
  loadIfExists?: boolean;
  heartbeat?: HeartbeatOptions;
}

export interface OptimizeOptions {
  /** Trials this call runs. */
  nTrials?: number;
  /**
   * A budget for the whole study, shared by every worker: no new trial starts once the study holds this many trials
   * that are not WAITING (queued or retried trials still run).
   */
  studyTrials?: number;
  /** Seconds; no new trial starts after it. */
  timeout?: number;
  /** Error classes that fail the trial but do not stop optimize (Optuna's catch). */
  catch?: Array<new (...args: never[]) => Error>;
  callbacks?: Array<(study: Study, trial: FrozenTrial) => Promise<void> | void>;
}

/** Thrown by `ask` when the study's trial budget (`studyTrials`) is used up; `optimize` stops on it. */
export class StudyBudgetReachedError extends Error {}

function normaliseDirection(d: Direction): StudyDirection {
  const up = d.toUpperCase();
  if (up !== 'MINIMIZE' && up !== 'MAXIMIZE') throw new Error(`direction must be minimize or maximize, got "${d}"`);
  return up;
}

export class Study {
  private stopped = false;

  private constructor(
    readonly studyName: string,
    readonly studyId: number,
    readonly storage: RdbStorage,
    readonly direction: StudyDirection,
    readonly sampler: Sampler,
    readonly pruner: Pruner,
    private readonly ownsStorage: boolean,
    readonly heartbeat?: HeartbeatOptions,
  ) {}

  static async create(opts: StudyOptions): Promise<Study> {
    return Study.open(opts, 'create');
  }

  static async load(opts: Omit<StudyOptions, 'direction' | 'loadIfExists'>): Promise<Study> {
    return Study.open(opts, 'load');
  }

  private static async open(opts: StudyOptions, mode: 'create' | 'load'): Promise<Study> {
    const owns = typeof opts.storage === 'string';
    const storage = typeof opts.storage === 'string' ? await RdbStorage.open(opts.storage, opts) : opts.storage;
    try {
      let studyId: number;
      if (mode === 'create') {
        try {
          studyId = await storage.createStudy(opts.studyName, [normaliseDirection(opts.direction ?? 'minimize')]);
        } catch (e) {
          if (!(e instanceof DuplicatedStudyError) || !opts.loadIfExists) throw e;
          studyId = await storage.getStudyIdFromName(opts.studyName);
        }
      } else {
        studyId = await storage.getStudyIdFromName(opts.studyName);
      }
      const directions = await storage.getStudyDirections(studyId);
      if (directions.length !== 1) {
        throw new Error(
          `study "${opts.studyName}" has ${directions.length} objectives; only single-objective studies ` +
            'are supported',
        );
      }
      if (opts.heartbeat && !(opts.heartbeat.heartbeatInterval > 0)) {
        throw new Error(`heartbeatInterval must be > 0, got ${opts.heartbeat.heartbeatInterval}`);
      }
      return new Study(
        opts.studyName,
        studyId,
        storage,
        directions[0],
        opts.sampler ?? new TPESampler(),
        opts.pruner ?? new MedianPruner(),
        owns,
        opts.heartbeat,
      );
    } catch (e) {
      if (owns) await storage.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.ownsStorage) await this.storage.close();
  }

  getTrials(states?: TrialState[]): Promise<FrozenTrial[]> {
    return this.storage.getAllTrials(this.studyId, states);
  }

  async bestTrial(): Promise<FrozenTrial> {
    const complete = await this.getTrials(['COMPLETE']);
    if (complete.length === 0) throw new Error(`study "${this.studyName}": no trials are completed yet`);
    const sign = this.direction === 'MINIMIZE' ? 1 : -1;
    return complete.reduce((best, t) =>
      sign * (t.values as number[])[0] < sign * (best.values as number[])[0] ? t : best,
    );
  }

  async bestValue(): Promise<number> {
    return ((await this.bestTrial()).values as number[])[0];
  }

  async bestParams(): Promise<Record<string, ParamValue>> {
    return (await this.bestTrial()).params;
  }

  /** Add a finished or WAITING trial (Optuna's add_trial). */
  async addTrial(template: TrialTemplate): Promise<number> {
    return (await this.storage.createNewTrial(this.studyId, template)).number;
  }

  /** Queue a trial with fixed parameters (Optuna's enqueue_trial). */
  async enqueueTrial(params: Record<string, ParamValue>, distributions: Record<string, Distribution>): Promise<void> {
    await this.addTrial({ state: 'WAITING', params, distributions });
  }

  stop(): void {
    this.stopped = true;
  }

  /** Turn stale RUNNING trials into FAIL and hand them to the failed-trial callback (Optuna's fail_stale_trials). */
  async failStaleTrials(): Promise<number[]> {
    if (!this.heartbeat) return [];
    const grace = this.heartbeat.gracePeriod ?? 2 * this.heartbeat.heartbeatInterval;
    const failed: number[] = [];
    for (const id of await this.storage.getStaleTrialIds(this.studyId, grace)) {
      if (await this.storage.failStaleTrial(id)) failed.push(id);
    }
    if (this.heartbeat.failedTrialCallback) {
      for (const id of failed) await this.heartbeat.failedTrialCallback(this, await this.storage.getTrial(id));
    }
    return failed;
  }

  /**
   * Start a trial: a WAITING one if queued, else a new RUNNING one; with `studyTrials`, a new one only while the study
   * holds fewer trials than that (else StudyBudgetReachedError).
   */
  async ask(opts: { studyTrials?: number } = {}): Promise<Trial> {
    if (this.heartbeat) await this.failStaleTrials();
    let trialId = await this.storage.popWaitingTrial(this.studyId);
    if (trialId === null && opts.studyTrials !== undefined) {
      const created = await this.storage.createNewTrialWithin(this.studyId, opts.studyTrials);
      if (created === null) {
        throw new StudyBudgetReachedError(`study "${this.studyName}" holds its ${opts.studyTrials} trials`);
      }
      trialId = created.trialId;
    }
    if (trialId === null) trialId = (await this.storage.createNewTrial(this.studyId)).trialId;
    if (this.heartbeat) await this.storage.recordHeartbeat(trialId);
    const frozen = await this.storage.getTrial(trialId);
    let relative: Record<string, ParamValue> = {};
    try {
      if (this.sampler.sampleRelative) relative = await this.sampler.sampleRelative(this, frozen);
    } catch (e) {
      await this.storage.setTrialStateValues(trialId, 'FAIL');
      throw e;
    }
    return new Trial(this, trialId, frozen.number, frozen, relative);
  }

  /** Finish a trial: a value completes it; PRUNED stores the last intermediate value, as Optuna. */
  async tell(trial: Trial | number, value?: number, state?: TrialState): Promise<FrozenTrial> {
    const trialId = typeof trial === 'number' ? trial : trial.trialId;
    let finalState: TrialState = state ?? 'COMPLETE';
    let values: number[] | null = null;
    const frozen = await this.storage.getTrial(trialId);
    if (finalState === 'COMPLETE') {
      if (typeof value !== 'number' || Number.isNaN(value)) {
        finalState = 'FAIL'; // Optuna fails a trial whose value is NaN or not a number
      } else {
        values = [value];
      }
    } else if (finalState === 'PRUNED') {
      let last: number | null = null;
      for (const step of frozen.intermediateValues.keys()) if (last === null || step > last) last = step;
      const v = last === null ? undefined : frozen.intermediateValues.get(last);
      if (v !== undefined && !Number.isNaN(v)) values = [v];
    } else if (finalState !== 'FAIL') {
      throw new Error(`tell: cannot finish a trial with state ${finalState}`);
    }
    if (this.sampler.afterTrial) await this.sampler.afterTrial(this, frozen, finalState, values);
    await this.storage.setTrialStateValues(trialId, finalState, values ?? undefined);
    return this.storage.getTrial(trialId);
  }

  /** Run trials one after another (start several processes for parallel workers on one study). */
  async optimize(objective: (trial: Trial) => Promise<number> | number, opts: OptimizeOptions = {}): Promise<void> {
    const started = Date.now();
    this.stopped = false;
    for (let i = 0; opts.nTrials === undefined || i < opts.nTrials; i++) {
      if (this.stopped) break;
      if (opts.timeout !== undefined && (Date.now() - started) / 1000 > opts.timeout) break;
      let trial: Trial;
      try {
        trial = await this.ask({ studyTrials: opts.studyTrials });
      } catch (e) {
        if (e instanceof GridExhaustedError || e instanceof StudyBudgetReachedError) break;
        throw e;
      }
      const timer = this.heartbeat
        ? setInterval(() => {
            this.storage.recordHeartbeat(trial.trialId).catch(() => undefined);
          }, this.heartbeat.heartbeatInterval * 1000)
        : undefined;
      let finished: FrozenTrial;
      try {
        const value = await objective(trial);
        finished = await this.tell(trial, value);
      } catch (e) {
        if (e instanceof TrialPruned) {
          finished = await this.tell(trial, undefined, 'PRUNED');
        } else {
          await this.tell(trial, undefined, 'FAIL');
          if (!opts.catch?.some((cls) => e instanceof cls)) throw e;
          finished = await this.storage.getTrial(trial.trialId);
        }
      } finally {
        if (timer) clearInterval(timer);
      }
      for (const cb of opts.callbacks ?? []) await cb(this, finished);
    }
  }
}

/** Optuna's create_study. */
export function createStudy(opts: StudyOptions): Promise<Study> {
  return Study.create(opts);
}

/** Optuna's load_study. */
export function loadStudy(opts: Omit<StudyOptions, 'direction' | 'loadIfExists'>): Promise<Study> {
  return Study.load(opts);
}

/**
 * Re-queue a failed trial as WAITING with the same parameters (Optuna's RetryFailedTrialCallback, same system
 * attributes failed_trial and retry_history).
 */
export class RetryFailedTrialCallback {
  constructor(
    private readonly maxRetry?: number,
    private readonly inheritIntermediateValues = false,
  ) {}

  readonly callback: FailedTrialCallback = async (study, trial) => {
    const history = [...((trial.systemAttrs.retry_history as number[] | undefined) ?? []), trial.number];
    const systemAttrs = { failed_trial: trial.number, ...trial.systemAttrs, retry_history: history };
    if (this.maxRetry !== undefined && this.maxRetry < history.length) return;
    await study.addTrial({
      state: 'WAITING',
      params: trial.params,
      distributions: trial.distributions,
      userAttrs: trial.userAttrs,
      systemAttrs,
      intermediateValues: this.inheritIntermediateValues ? trial.intermediateValues : undefined,
    });
  };

  static retriedTrialNumber(trial: FrozenTrial): number | null {
    return (trial.systemAttrs.failed_trial as number | undefined) ?? null;
  }

  static retryHistory(trial: FrozenTrial): number[] {
    return (trial.systemAttrs.retry_history as number[] | undefined) ?? [];
  }
}
