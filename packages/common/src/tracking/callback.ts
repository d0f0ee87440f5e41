// Logs a fit to MLflow as a Trainer callback: at fit start a run with the flattened config as params and the
// mlflow.runName / mlflow.source.git.commit tags; each epoch's record as metrics at step = epoch; at fit end the
// artifacts (files, or every file of folders) and the run's status. The test metrics, logged after the fit, go
// through `logMetrics` before `finish`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Callback, FitResult, TrainerView } from '../training/callback';
import type { EpochRecord } from '../training/checkpoint';
import type { RunStatus, TrackedRun, TrackingBackend } from './types';

export interface MlflowCallbackOptions {
  backend: TrackingBackend;
  experimentName: string;
  runName: string;
  /** The run's config: nested objects are flattened to `a.b.c` params. */
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  /**
   * Files or folders copied to the run's artifacts when the run is finished (folders recursively, keeping their
   * layout). Default: the Trainer's run folder, when it has one.
   */
  artifacts?: () => string[];
  /** End the run when the fit ends (default true); false to log test metrics first and call `finish` yourself. */
  finishOnFitEnd?: boolean;
  log?: (line: string) => void;
}

/** {a: {b: 1}, c: [1, 2]} -> {'a.b': '1', c: '[1,2]'}. */
export function flattenParams(obj: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flattenParams(v as Record<string, unknown>, `${key}.`));
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function filesUnder(entry: string, base: string): { file: string; artifactPath: string }[] {
  if (!fs.existsSync(entry)) return [];
  if (fs.statSync(entry).isFile())
    return [{ file: entry, artifactPath: path.relative(base, path.dirname(entry)).split(path.sep).join('/') }];
  return fs
    .readdirSync(entry)
    .sort()
    .flatMap((name) => filesUnder(path.join(entry, name), base));
}

export class MlflowCallback implements Callback {
  private run?: TrackedRun;
  private finished = false;
  private runDir?: string;

  constructor(private readonly opts: MlflowCallbackOptions) {}

  get trackedRun(): TrackedRun | undefined {
    return this.run;
  }

  async onFitStart(trainer: TrainerView): Promise<void> {
    this.runDir = trainer.runDir;
    this.run = await this.opts.backend.startRun({
      experimentName: this.opts.experimentName,
      runName: this.opts.runName,
      tags: this.opts.tags,
    });
    if (this.opts.params) await this.opts.backend.logBatch(this.run, { params: flattenParams(this.opts.params) });
    this.opts.log?.(
      `[mlflow] run ${this.run.runId} in experiment '${this.opts.experimentName}' (${this.opts.backend.description})`,
    );
  }

  async onEpochEnd(_trainer: TrainerView, _module: unknown, record: EpochRecord): Promise<void> {
    const { epoch, ...values } = record;
    await this.logMetrics(values, epoch);
  }

  /** Logs numbers at `step` (e.g. the test metrics at the best epoch). */
  async logMetrics(values: Record<string, number>, step: number): Promise<void> {
    if (!this.run) throw new Error('MlflowCallback: no run yet (the fit has not started)');
    const timestamp = Date.now();
    const metrics = Object.entries(values)
      .filter(([, v]) => typeof v === 'number')
      .map(([key, value]) => ({ key, value, timestamp, step }));
    await this.opts.backend.logBatch(this.run, { metrics });
  }

  async onFitEnd(_trainer: TrainerView, _module: unknown, result: FitResult): Promise<void> {
    // A fit stopped for a non-finite loss failed; early stopping and time budgets end it normally.
    if (this.opts.finishOnFitEnd ?? true)
      await this.finish(
        result.stopReason && /nan|non-finite|infinite/i.test(result.stopReason) ? 'FAILED' : 'FINISHED',
      );
  }

  /** Copies the artifacts and closes the run (once). */
  async finish(status: RunStatus = 'FINISHED'): Promise<void> {
    if (!this.run || this.finished) return;
    this.finished = true;
    for (const entry of this.opts.artifacts?.() ?? (this.runDir ? [this.runDir] : [])) {
      const base = fs.existsSync(entry) && fs.statSync(entry).isDirectory() ? entry : path.dirname(entry);
      for (const { file, artifactPath } of filesUnder(entry, base))
        await this.opts.backend.logArtifact(this.run, file, artifactPath);
    }
    await this.opts.backend.endRun(this.run, status);
  }
}
