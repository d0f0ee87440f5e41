// Study storage in Optuna's relational schema (SQLite or PostgreSQL): what Optuna's RDBStorage reads and writes,
// row for row, so that Python Optuna and our workers share studies. Trial numbers are allocated inside the insert
// transaction as the count of the study's trials with a smaller trial_id, as Optuna does; SQLite serialises writers
// with BEGIN IMMEDIATE and a busy timeout, PostgreSQL with a row lock on the study.
import {
  checkDistributionCompatibility,
  Distribution,
  distributionToJson,
  jsonToDistribution,
  ParamValue,
  toExternalRepr,
  toInternalRepr,
} from './distributions';
import { pythonJsonDumps, pythonJsonLoads } from './py-json';
import { SCHEMA_REVISIONS, SchemaRevision, schemaStatements } from './schema';
import { openPostgres, openSqlite, Row, SqlConnection, SqlExecutor } from './sql-connection';
import {
  DuplicatedStudyError,
  FrozenTrial,
  isFinished,
  StudyDirection,
  TrialState,
  TrialTemplate,
  UpdateFinishedTrialError,
} from './types';

export interface StorageOptions {
  /** Alembic revision for a NEW database (an existing one keeps its own): 'v3.2.0.a' (default) or 'v3.0.0.d'. */
  schemaRevision?: SchemaRevision;
  /** SQLite: how long a writer waits for the lock (ms). */
  busyTimeoutMs?: number;
  /** SQLite journal mode: 'wal' (default) or 'keep' the file's own (see SqliteOptions). */
  sqliteJournalMode?: 'wal' | 'keep';
}

export interface StudySummary {
  studyId: number;
  studyName: string;
  directions: StudyDirection[];
}

/** A local timestamp as Python's datetime.now() is stored by SQLAlchemy: 'YYYY-MM-DD HH:MM:SS.ffffff'. */
export function localTimestamp(date = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:` +
    `${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds(), 3)}000`
  );
}

type ValueType = 'FINITE' | 'INF_POS' | 'INF_NEG' | 'NAN';

function toStored(value: number, allowNan: boolean): [number | null, ValueType] {
  if (Number.isNaN(value)) {
    if (!allowNan) throw new Error('a trial value must not be NaN');
    return [null, 'NAN'];
  }
  if (value === Infinity) return [null, 'INF_POS'];
  if (value === -Infinity) return [null, 'INF_NEG'];
  return [value, 'FINITE'];
}

function fromStored(value: unknown, type: unknown): number {
  if (type === 'INF_POS') return Infinity;
  if (type === 'INF_NEG') return -Infinity;
  if (type === 'NAN') return NaN;
  return Number(value);
}

/** Locks the study's row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), or fails if it is gone. */
async function lockStudy(tx: SqlExecutor, studyId: number): Promise<void> {
  const lock = tx.dialect === 'postgresql' ? ' FOR UPDATE' : '';
  const study = await tx.all(`SELECT study_id FROM studies WHERE study_id = ?${lock}`, [studyId]);
  if (study.length === 0) throw new Error(`Record does not exist: study_id ${studyId}`);
}

/** Parse a storage URL: sqlite:///relative.db, sqlite:////absolute.db, postgresql://user@host:port/db. */
export function parseStorageUrl(
  url: string,
): { dialect: 'sqlite'; path: string } | { dialect: 'postgresql'; url: string } {
  const sqlite = /^sqlite:\/\/\/(.*)$/.exec(url);
  if (sqlite) {
    if (sqlite[1] === '') throw new Error(`storage URL "${url}": no database path after sqlite:///`);
    return { dialect: 'sqlite', path: sqlite[1] };
  }
  const pg = /^postgres(?:ql)?(?:\+[a-z0-9]+)?:\/\/(.*)$/.exec(url);
  if (pg) return { dialect: 'postgresql', url: `postgresql://${pg[1]}` };
  throw new Error(`storage URL "${url}": expected sqlite:///path.db or postgresql://user@host:port/db`);
}

export class RdbStorage {
  private readonly finishedCache = new Map<number, FrozenTrial>();

  private constructor(
    readonly db: SqlConnection,
    readonly revision: SchemaRevision,
  ) {}

  static async open(url: string, opts: StorageOptions = {}): Promise<RdbStorage> {
    const target = parseStorageUrl(url);
    const db =
      target.dialect === 'sqlite'
        ? await openSqlite(target.path, { busyTimeoutMs: opts.busyTimeoutMs, journalMode: opts.sqliteJournalMode })
        : await openPostgres(target.url);
    try {
      const revision = await ensureSchema(db, opts.schemaRevision ?? 'v3.2.0.a', url);
      return new RdbStorage(db, revision);
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---- studies ----

  async createStudy(name: string, directions: StudyDirection[]): Promise<number> {
    return this.db.write(async (tx) => {
      const existing = await tx.all('SELECT study_id FROM studies WHERE study_name = ?', [name]);
      if (existing.length > 0) throw new DuplicatedStudyError(`Another study with name '${name}' already exists.`);
      let id: unknown;
      try {
        [{ study_id: id }] = await tx.all('INSERT INTO studies (study_name) VALUES (?) RETURNING study_id', [name]);
      } catch (e) {
        // Another worker created it between our SELECT and INSERT (PostgreSQL: unique_violation).
        const code = (e as { code?: string }).code;
        if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new DuplicatedStudyError(`Another study with name '${name}' already exists.`);
        }
        throw e;
      }
      for (const [objective, direction] of directions.entries()) {
        await tx.run('INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)', [
          direction,
          id,
          objective,
        ]);
      }
      return Number(id);
    });
  }

  async getStudyIdFromName(name: string): Promise<number> {
    const rows = await this.db.all('SELECT study_id FROM studies WHERE study_name = ?', [name]);
    if (rows.length === 0) throw new Error(`Record does not exist: no study named '${name}' in this storage`);
    return Number(rows[0].study_id);
  }

  async getAllStudies(): Promise<StudySummary[]> {
    return this.db.read(async (tx) => {
      const studies = await tx.all('SELECT study_id, study_name FROM studies ORDER BY study_id');
      const dirs = await tx.all('SELECT study_id, direction FROM study_directions ORDER BY study_id, objective');
      return studies.map((s) => ({
        studyId: Number(s.study_id),
        studyName: String(s.study_name),
        directions: dirs.filter((d) => d.study_id === s.study_id).map((d) => d.direction as StudyDirection),
      }));
    });
  }

  async getStudyDirections(studyId: number): Promise<StudyDirection[]> {
    const rows = await this.db.all('SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective', [
      studyId,
    ]);
    if (rows.length === 0) throw new Error(`Record does not exist: study_id ${studyId}`);
    return rows.map((r) => r.direction as StudyDirection);
  }

  async deleteStudy(studyId: number): Promise<void> {
    await this.db.write(async (tx) => {
      const inStudy = 'trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?)';
      for (const table of [
        'trial_params',
        'trial_values',
        'trial_intermediate_values',
        'trial_heartbeats',
        'trial_user_attributes',
        'trial_system_attributes',
      ]) {
        await tx.run(`DELETE FROM ${table} WHERE ${inStudy}`, [studyId]);
      }
      for (const table of [
        'trials',
        'study_directions',
        'study_user_attributes',
        'study_system_attributes',
        'studies',
      ]) {
        await tx.run(`DELETE FROM ${table} WHERE study_id = ?`, [studyId]);
      }
    });
  }

  async setStudyUserAttr(studyId: number, key: string, value: unknown): Promise<void> {
    await this.upsertAttr('study_user_attributes', 'study_id', studyId, key, value);
  }

  async setStudySystemAttr(studyId: number, key: string, value: unknown): Promise<void> {
    await this.upsertAttr('study_system_attributes', 'study_id', studyId, key, value);
  }

  async getStudyUserAttrs(studyId: number): Promise<Record<string, unknown>> {
    return attrsOf(
      await this.db.all('SELECT key, value_json FROM study_user_attributes WHERE study_id = ?', [studyId]),
    );
  }

  async getStudySystemAttrs(studyId: number): Promise<Record<string, unknown>> {
    return attrsOf(
      await this.db.all('SELECT key, value_json FROM study_system_attributes WHERE study_id = ?', [studyId]),
    );
  }

  private async upsertAttr(
    table: string,
    owner: 'study_id' | 'trial_id',
    id: number,
    key: string,
    value: unknown,
    tx: SqlExecutor = this.db,
  ): Promise<void> {
    await tx.run(
      `INSERT INTO ${table} (${owner}, key, value_json) VALUES (?, ?, ?) ` +
        `ON CONFLICT (${owner}, key) DO UPDATE SET value_json = excluded.value_json`,
      [id, key, pythonJsonDumps(value)],
    );
  }

  // ---- trials ----

  /** Insert a trial (RUNNING by default) and give it the next number; returns its id and number. */
  async createNewTrial(studyId: number, template?: TrialTemplate): Promise<{ trialId: number; number: number }> {
    return this.db.write(async (tx) => {
      await lockStudy(tx, studyId);
      return this.insertTrial(tx, studyId, template);
    });
  }

  /**
   * A new RUNNING trial while the study holds fewer than `maxTrials` trials that are not WAITING, else null: a budget
   * shared by all workers, counted in the insert's transaction (under the study's lock), so they never overshoot it.
   */
  async createNewTrialWithin(studyId: number, maxTrials: number): Promise<{ trialId: number; number: number } | null> {
    return this.db.write(async (tx) => {
      await lockStudy(tx, studyId);
      const [{ n }] = await tx.all('SELECT COUNT(trial_id) AS n FROM trials WHERE study_id = ? AND state <> ?', [
        studyId,
        'WAITING',
      ]);
      return Number(n) >= maxTrials ? null : this.insertTrial(tx, studyId);
    });
  }

  private async insertTrial(
    tx: SqlExecutor,
    studyId: number,
    template?: TrialTemplate,
  ): Promise<{ trialId: number; number: number }> {
    const state = template?.state ?? 'RUNNING';
    const start =
      template?.datetimeStart !== undefined ? template.datetimeStart : state === 'RUNNING' ? localTimestamp() : null;
    const complete =
      template?.datetimeComplete !== undefined
        ? template.datetimeComplete
        : isFinished(state)
          ? localTimestamp()
          : null;
    const [{ trial_id: rawId }] = await tx.all(
      'INSERT INTO trials (number, study_id, state, datetime_start, ' +
        'datetime_complete) VALUES (NULL, ?, ?, ?, ?) RETURNING trial_id',
      [studyId, state, start, complete],
    );
    const trialId = Number(rawId);
    const [{ n }] = await tx.all('SELECT COUNT(trial_id) AS n FROM trials WHERE study_id = ? AND trial_id < ?', [
      studyId,
      trialId,
    ]);
    const number = Number(n);
    await tx.run('UPDATE trials SET number = ? WHERE trial_id = ?', [number, trialId]);
    if (template) await this.writeTemplate(tx, studyId, trialId, template);
    return { trialId, number };
  }

  private async writeTemplate(tx: SqlExecutor, studyId: number, trialId: number, t: TrialTemplate): Promise<void> {
    for (const [name, value] of Object.entries(t.params ?? {})) {
      const dist = t.distributions?.[name];
      if (!dist) throw new Error(`template trial: parameter "${name}" has no distribution`);
      await this.insertParam(tx, studyId, trialId, name, toInternalRepr(dist, value), dist);
    }
    for (const [objective, v] of (t.values ?? []).entries()) {
      const [value, type] = toStored(v, false);
      await tx.run('INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)', [
        trialId,
        objective,
        value,
        type,
      ]);
    }
    for (const [step, v] of t.intermediateValues ?? []) await this.upsertIntermediate(tx, trialId, step, v);
    for (const [k, v] of Object.entries(t.userAttrs ?? {})) {
      await this.upsertAttr('trial_user_attributes', 'trial_id', trialId, k, v, tx);
    }
    for (const [k, v] of Object.entries(t.systemAttrs ?? {})) {
      await this.upsertAttr('trial_system_attributes', 'trial_id', trialId, k, v, tx);
    }
  }

  /** Take the oldest WAITING trial of the study and mark it RUNNING; null when none waits. */
  async popWaitingTrial(studyId: number): Promise<number | null> {
    return this.db.write(async (tx) => {
      const skip = tx.dialect === 'postgresql' ? ' FOR UPDATE SKIP LOCKED' : '';
      const rows = await tx.all(
        'SELECT trial_id FROM trials WHERE study_id = ? AND state = ? ' + `ORDER BY trial_id LIMIT 1${skip}`,
        [studyId, 'WAITING'],
      );
      if (rows.length === 0) return null;
      const trialId = Number(rows[0].trial_id);
      await tx.run('UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?', [
        'RUNNING',
        localTimestamp(),
        trialId,
      ]);
      return trialId;
    });
  }

  private async lockUpdatableTrial(
    tx: SqlExecutor,
    trialId: number,
  ): Promise<{ studyId: number; state: TrialState; number: number }> {
    const lock = tx.dialect === 'postgresql' ? ' FOR UPDATE' : '';
    const rows = await tx.all(`SELECT study_id, state, number FROM trials WHERE trial_id = ?${lock}`, [trialId]);
    if (rows.length === 0) throw new Error(`Record does not exist: trial_id ${trialId}`);
    const state = rows[0].state as TrialState;
    if (isFinished(state)) {
      throw new UpdateFinishedTrialError(`Trial#${rows[0].number} has already finished and can not be updated.`);
    }
    return { studyId: Number(rows[0].study_id), state, number: Number(rows[0].number) };
  }

  private async insertParam(
    tx: SqlExecutor,
    studyId: number,
    trialId: number,
    name: string,
    internal: number,
    dist: Distribution,
  ): Promise<void> {
    const previous = await tx.all(
      'SELECT p.distribution_json FROM trial_params p JOIN trials t ON ' +
        't.trial_id = p.trial_id WHERE t.study_id = ? AND p.param_name = ? LIMIT 1',
      [studyId, name],
    );
    if (previous.length > 0) {
      checkDistributionCompatibility(jsonToDistribution(String(previous[0].distribution_json)), dist, name);
    }
    await tx.run(
      'INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (trial_id, param_name) DO UPDATE SET param_value = excluded.param_value, ' +
        'distribution_json = excluded.distribution_json',
      [trialId, name, internal, distributionToJson(dist)],
    );
  }

  async setTrialParam(trialId: number, name: string, internal: number, dist: Distribution): Promise<void> {
    await this.db.write(async (tx) => {
      const { studyId } = await this.lockUpdatableTrial(tx, trialId);
      await this.insertParam(tx, studyId, trialId, name, internal, dist);
    });
  }

  /**
   * Finish a trial (or move WAITING to RUNNING). Returns false when asked for RUNNING and the trial is not WAITING
   * (someone else took it); throws UpdateFinishedTrialError when the trial has already finished.
   */
  async setTrialStateValues(trialId: number, state: TrialState, values?: number[]): Promise<boolean> {
    return this.db.write(async (tx) => {
      const current = await this.lockUpdatableTrial(tx, trialId);
      if (state === 'RUNNING' && current.state !== 'WAITING') return false;
      for (const [objective, v] of (values ?? []).entries()) {
        const [value, type] = toStored(v, false);
        await tx.run(
          'INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?) ' +
            'ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type',
          [trialId, objective, value, type],
        );
      }
      if (state === 'RUNNING') {
        await tx.run('UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?', [
          state,
          localTimestamp(),
          trialId,
        ]);
      } else if (isFinished(state)) {
        await tx.run('UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?', [
          state,
          localTimestamp(),
          trialId,
        ]);
      } else {
        await tx.run('UPDATE trials SET state = ? WHERE trial_id = ?', [state, trialId]);
      }
      return true;
    });
  }

  private async upsertIntermediate(tx: SqlExecutor, trialId: number, step: number, v: number): Promise<void> {
    const [value, type] = toStored(v, true);
    await tx.run(
      'INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, ' +
        'intermediate_value_type) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, step) DO UPDATE SET ' +
        'intermediate_value = excluded.intermediate_value, intermediate_value_type = excluded.intermediate_value_type',
      [trialId, step, value, type],
    );
  }

  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    if (!Number.isInteger(step) || step < 0) throw new Error(`intermediate step must be an integer >= 0, got ${step}`);
    await this.db.write(async (tx) => {
      await this.lockUpdatableTrial(tx, trialId);
      await this.upsertIntermediate(tx, trialId, step, value);
    });
  }

  async setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    await this.db.write(async (tx) => {
      await this.lockUpdatableTrial(tx, trialId);
      await this.upsertAttr('trial_user_attributes', 'trial_id', trialId, key, value, tx);
    });
  }

  async setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    await this.db.write(async (tx) => {
      await this.lockUpdatableTrial(tx, trialId);
      await this.upsertAttr('trial_system_attributes', 'trial_id', trialId, key, value, tx);
    });
  }

  /**
   * Atomically give a trial one grid point nobody has taken: `pick` chooses among the free grid ids. Returns null
   * when every point of the grid is taken. Stores Optuna's GridSampler attributes (search_space, grid_id).
   */
  async claimGridId(
    studyId: number,
    trialId: number,
    searchSpace: Record<string, unknown>,
    nGrids: number,
    pick: (free: number[]) => number,
  ): Promise<number | null> {
    const spaceJson = pythonJsonDumps(searchSpace);
    return this.db.write(async (tx) => {
      if (tx.dialect === 'postgresql')
        await tx.all('SELECT study_id FROM studies WHERE study_id = ? FOR UPDATE', [studyId]);
      const rows = await tx.all(
        'SELECT g.value_json AS grid, s.value_json AS space FROM trial_system_attributes g ' +
          'JOIN trials t ON t.trial_id = g.trial_id JOIN trial_system_attributes s ON s.trial_id = g.trial_id AND ' +
          "s.key = 'search_space' WHERE t.study_id = ? AND g.key = 'grid_id' AND t.state <> 'FAIL'",
        [studyId],
      );
      const taken = new Set<number>();
      for (const r of rows) {
        if (pythonJsonDumps(pythonJsonLoads(String(r.space))) === spaceJson) taken.add(Number(r.grid));
      }
      const free: number[] = [];
      for (let i = 0; i < nGrids; i++) if (!taken.has(i)) free.push(i);
      if (free.length === 0) return null;
      const gridId = pick(free);
      await this.upsertAttr('trial_system_attributes', 'trial_id', trialId, 'search_space', searchSpace, tx);
      await this.upsertAttr('trial_system_attributes', 'trial_id', trialId, 'grid_id', gridId, tx);
      return gridId;
    });
  }

  // ---- heartbeats ----

  async recordHeartbeat(trialId: number): Promise<void> {
    const now = this.db.dialect === 'sqlite' ? "strftime('%Y-%m-%d %H:%M:%f000', 'now')" : 'CURRENT_TIMESTAMP';
    await this.db.run(
      `INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ${now}) ` +
        `ON CONFLICT (trial_id) DO UPDATE SET heartbeat = ${now}`,
      [trialId],
    );
  }

  /** RUNNING trials of the study whose last heartbeat is older than the grace period. */
  async getStaleTrialIds(studyId: number, gracePeriodSeconds: number): Promise<number[]> {
    const cutoff =
      this.db.dialect === 'sqlite'
        ? "strftime('%Y-%m-%d %H:%M:%f000', 'now', '-' || ? || ' seconds')"
        : "(CURRENT_TIMESTAMP - (? * INTERVAL '1 second'))";
    const rows = await this.db.all(
      'SELECT t.trial_id FROM trials t JOIN trial_heartbeats h ON h.trial_id = ' +
        `t.trial_id WHERE t.study_id = ? AND t.state = 'RUNNING' AND h.heartbeat < ${cutoff} ORDER BY t.trial_id`,
      [studyId, gracePeriodSeconds],
    );
    return rows.map((r) => Number(r.trial_id));
  }

  /** RUNNING -> FAIL for a stale trial; false if another worker (or the trial itself) got there first. */
  async failStaleTrial(trialId: number): Promise<boolean> {
    const changed = await this.db.run(
      "UPDATE trials SET state = 'FAIL', datetime_complete = ? WHERE trial_id = ? " + "AND state = 'RUNNING'",
      [localTimestamp(), trialId],
    );
    return changed === 1;
  }

  // ---- reading trials ----

  async getTrial(trialId: number): Promise<FrozenTrial> {
    const cached = this.finishedCache.get(trialId);
    if (cached) return cached;
    return this.db.read(async (tx) => {
      const rows = await tx.all(
        'SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials ' + 'WHERE trial_id = ?',
        [trialId],
      );
      if (rows.length === 0) throw new Error(`Record does not exist: trial_id ${trialId}`);
      const trial = buildTrial(rows[0], await loadDetails(tx, [trialId]));
      if (isFinished(trial.state)) this.finishedCache.set(trialId, trial);
      return trial;
    });
  }

  /** Every trial of the study in trial_id order (finished trials are cached: they never change). */
  async getAllTrials(studyId: number, states?: TrialState[]): Promise<FrozenTrial[]> {
    const trials = await this.db.read(async (tx) => {
      const rows = await tx.all(
        'SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials ' +
          'WHERE study_id = ? ORDER BY trial_id',
        [studyId],
      );
      const fresh = rows.filter((r) => !this.finishedCache.has(Number(r.trial_id)));
      const details =
        fresh.length > 0
          ? await loadDetails(
              tx,
              fresh.map((r) => Number(r.trial_id)),
            )
          : undefined;
      return rows.map((r) => {
        const id = Number(r.trial_id);
        const cached = this.finishedCache.get(id);
        if (cached) return cached;
        const trial = buildTrial(r, details as Details);
        if (isFinished(trial.state)) this.finishedCache.set(id, trial);
        return trial;
      });
    });
    return states ? trials.filter((t) => states.includes(t.state)) : trials;
  }
}

interface Details {
  params: Row[];
  values: Row[];
  intermediate: Row[];
  userAttrs: Row[];
  systemAttrs: Row[];
}

async function loadDetails(tx: SqlExecutor, ids: number[]): Promise<Details> {
  const inList = `trial_id IN (${ids.map(() => '?').join(', ')})`;
  return {
    params: await tx.all(
      `SELECT trial_id, param_name, param_value, distribution_json FROM trial_params WHERE ${inList} ` +
        'ORDER BY param_id',
      ids,
    ),
    values: await tx.all(
      `SELECT trial_id, objective, value, value_type FROM trial_values WHERE ${inList} ` + 'ORDER BY objective',
      ids,
    ),
    intermediate: await tx.all(
      'SELECT trial_id, step, intermediate_value, intermediate_value_type FROM ' +
        `trial_intermediate_values WHERE ${inList} ORDER BY step`,
      ids,
    ),
    userAttrs: await tx.all(`SELECT trial_id, key, value_json FROM trial_user_attributes WHERE ${inList}`, ids),
    systemAttrs: await tx.all(`SELECT trial_id, key, value_json FROM trial_system_attributes WHERE ${inList}`, ids),
  };
}

function groupBy(rows: Row[], id: number): Row[] {
  return rows.filter((r) => Number(r.trial_id) === id);
}

function attrsOf(rows: Row[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rows) out[String(r.key)] = pythonJsonLoads(String(r.value_json));
  return out;
}

function buildTrial(r: Row, d: Details): FrozenTrial {
  const id = Number(r.trial_id);
  const params: Record<string, ParamValue> = {};
  const distributions: Record<string, Distribution> = {};
  for (const p of groupBy(d.params, id)) {
    const dist = jsonToDistribution(String(p.distribution_json));
    distributions[String(p.param_name)] = dist;
    params[String(p.param_name)] = toExternalRepr(dist, Number(p.param_value));
  }
  const values = groupBy(d.values, id).map((v) => fromStored(v.value, v.value_type));
  const intermediateValues = new Map<number, number>();
  for (const v of groupBy(d.intermediate, id)) {
    intermediateValues.set(Number(v.step), fromStored(v.intermediate_value, v.intermediate_value_type));
  }
  return {
    trialId: id,
    number: Number(r.number),
    state: r.state as TrialState,
    values: values.length > 0 ? values : null,
    datetimeStart: r.datetime_start === null ? null : String(r.datetime_start),
    datetimeComplete: r.datetime_complete === null ? null : String(r.datetime_complete),
    params,
    distributions,
    userAttrs: attrsOf(groupBy(d.userAttrs, id)),
    systemAttrs: attrsOf(groupBy(d.systemAttrs, id)),
    intermediateValues,
  };
}

/** Create the schema in an empty database, or check an existing one's revision. Returns the revision in use. */
async function ensureSchema(db: SqlConnection, revision: SchemaRevision, url: string): Promise<SchemaRevision> {
  return db.write(async (tx) => {
    if (tx.dialect === 'postgresql') await tx.all('SELECT pg_advisory_xact_lock(7310491)');
    const tables =
      tx.dialect === 'sqlite'
        ? await tx.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        : await tx.all(
            'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND ' +
              "tablename = 'alembic_version'",
          );
    if (tables.length === 0) {
      for (const sql of schemaStatements(tx.dialect, revision)) await tx.run(sql);
      return revision;
    }
    const rows = await tx.all('SELECT version_num FROM alembic_version');
    const found = rows.length > 0 ? String(rows[0].version_num) : '(none)';
    if (!(SCHEMA_REVISIONS as readonly string[]).includes(found)) {
      throw new Error(
        `storage ${url}: Optuna schema revision ${found} is not supported ` +
          `(expected one of ${SCHEMA_REVISIONS.join(', ')}; run \`optuna storage upgrade --storage URL\`)`,
      );
    }
    return found as SchemaRevision;
  });
}
