// What a tracking backend offers: MLflow's run model (an experiment holds runs; a run has params, metrics with a step
// and a timestamp, tags, artifacts and a status).

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MetricPoint {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface StartRunOptions {
  experimentName: string;
  runName: string;
  tags?: Record<string, string>;
  /** Default Date.now(). */
  startTime?: number;
}

export interface TrackedRun {
  readonly runId: string;
  readonly experimentId: string;
  /** Where artifacts go (file:// for the file store, mlflow-artifacts:/... or another URI for a server). */
  readonly artifactUri: string;
}

/** One backend: the local mlruns/ file store or an MLflow server's REST API. */
export interface TrackingBackend {
  readonly description: string;
  startRun(opts: StartRunOptions): Promise<TrackedRun>;
  logBatch(
    run: TrackedRun,
    batch: { metrics?: MetricPoint[]; params?: Record<string, string>; tags?: Record<string, string> },
  ): Promise<void>;
  /** Copies a local file to `<artifacts>/<artifactPath>/<basename>`. */
  logArtifact(run: TrackedRun, file: string, artifactPath?: string): Promise<void>;
  endRun(run: TrackedRun, status: RunStatus, endTime?: number): Promise<void>;
}
