// An MLflow tracking server through its REST API 2.0 (https://mlflow.org/docs/latest/rest-api.html):
//   GET  /api/2.0/mlflow/experiments/get-by-name?experiment_name=…   -> {experiment: {experiment_id, …}} or 404
//                                                                      RESOURCE_DOES_NOT_EXIST
//   POST /api/2.0/mlflow/experiments/create {name}                  -> {experiment_id}
//   POST /api/2.0/mlflow/runs/create {experiment_id, run_name, start_time, tags: [{key, value}]} -> {run: {info}}
//   POST /api/2.0/mlflow/runs/log-batch {run_id, metrics: [{key, value, timestamp, step}], params, tags}
//        (at most 1000 metrics, 100 params, 100 tags and 1000 entities per request)
//   POST /api/2.0/mlflow/runs/update {run_id, status, end_time}
//   PUT  /api/2.0/mlflow-artifacts/artifacts/<path>                  artifacts, when the server proxies them
//        (artifact_uri mlflow-artifacts:/…, `mlflow server --serve-artifacts`, the default since MLflow 2.0)
// Auth from MLFLOW_TRACKING_TOKEN (Bearer) or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (Basic).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricPoint, RunStatus, StartRunOptions, TrackedRun, TrackingBackend } from './types';

export interface MlflowRestOptions {
  /** http(s)://host[:port][/prefix] */
  trackingUri: string;
  token?: string;
  username?: string;
  password?: string;
  fetch?: typeof fetch;
}

/** Batch limits of runs/log-batch. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 };

export class MlflowRestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'MlflowRestError';
  }
}

/** Options from the environment (MLFLOW_TRACKING_URI, _TOKEN, _USERNAME, _PASSWORD). */
export function mlflowRestOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): MlflowRestOptions | undefined {
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri || !/^https?:\/\//i.test(uri)) return undefined;
  return {
    trackingUri: uri,
    token: env.MLFLOW_TRACKING_TOKEN,
    username: env.MLFLOW_TRACKING_USERNAME,
    password: env.MLFLOW_TRACKING_PASSWORD,
  };
}

/** Splits a log-batch into requests within the server's limits. */
export function splitLogBatch(
  metrics: MetricPoint[],
  params: { key: string; value: string }[],
  tags: { key: string; value: string }[],
) {
  const requests: {
    metrics: MetricPoint[];
    params: { key: string; value: string }[];
    tags: { key: string; value: string }[];
  }[] = [];
  let m = 0;
  let p = 0;
  let t = 0;
  while (m < metrics.length || p < params.length || t < tags.length || requests.length === 0) {
    const ps = params.slice(p, p + LOG_BATCH_LIMITS.params);
    const ts = tags.slice(t, t + Math.min(LOG_BATCH_LIMITS.tags, LOG_BATCH_LIMITS.total - ps.length));
    const ms = metrics.slice(m, m + Math.min(LOG_BATCH_LIMITS.metrics, LOG_BATCH_LIMITS.total - ps.length - ts.length));
    requests.push({ metrics: ms, params: ps, tags: ts });
    m += ms.length;
    p += ps.length;
    t += ts.length;
  }
  return requests;
}

export class MlflowRestClient implements TrackingBackend {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(opts: MlflowRestOptions) {
    if (!/^https?:\/\//i.test(opts.trackingUri))
      throw new Error(`MlflowRestClient: tracking URI must be http(s)://…, got '${opts.trackingUri}'`);
    this.base = opts.trackingUri.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? fetch;
    this.headers = { 'Content-Type': 'application/json' };
    if (opts.token) this.headers.Authorization = `Bearer ${opts.token}`;
    else if (opts.username !== undefined)
      this.headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
  }

  get description(): string {
    return `MLflow server ${this.base}`;
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT', endpoint: string, body?: unknown, raw?: Buffer): Promise<T> {
    const url = `${this.base}${endpoint}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers: raw ? { ...this.headers, 'Content-Type': 'application/octet-stream' } : this.headers,
        body: raw ? new Uint8Array(raw) : body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new MlflowRestError(
        `cannot reach the MLflow server at ${this.base} (${method} ${endpoint}): ${(err as Error).message}; is MLFLOW_TRACKING_URI right and the server up?`,
      );
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    if (text) {
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        if (res.ok)
          throw new MlflowRestError(
            `${method} ${url}: the server answered ${res.status} with non-JSON: ${text.slice(0, 200)}`,
            res.status,
          );
      }
    }
    if (!res.ok) {
      const code = typeof json.error_code === 'string' ? json.error_code : undefined;
      const message = typeof json.message === 'string' ? json.message : text.slice(0, 200);
      throw new MlflowRestError(
        `${method} ${url}: HTTP ${res.status}${code ? ` ${code}` : ''}: ${message}`,
        res.status,
        code,
      );
    }
    return json as T;
  }

  /** The experiment's id, or undefined when the server has none of that name. */
  async getExperimentByName(name: string): Promise<string | undefined> {
    try {
      const out = await this.call<{ experiment: { experiment_id: string } }>(
        'GET',
        `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      );
      return out.experiment.experiment_id;
    } catch (err) {
      if (err instanceof MlflowRestError && (err.errorCode === 'RESOURCE_DOES_NOT_EXIST' || err.status === 404))
        return undefined;
      throw err;
    }
  }

  async createExperiment(name: string): Promise<string> {
    return (await this.call<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name }))
      .experiment_id;
  }

  async startRun(opts: StartRunOptions): Promise<TrackedRun> {
    const experimentId =
      (await this.getExperimentByName(opts.experimentName)) ?? (await this.createExperiment(opts.experimentName));
    const tags = Object.entries({ 'mlflow.runName': opts.runName, ...opts.tags }).map(([key, value]) => ({
      key,
      value,
    }));
    const out = await this.call<{ run: { info: { run_id: string; experiment_id: string; artifact_uri: string } } }>(
      'POST',
      '/api/2.0/mlflow/runs/create',
      {
        experiment_id: experimentId,
        run_name: opts.runName,
        start_time: opts.startTime ?? Date.now(),
        tags,
      },
    );
    const info = out.run.info;
    return {
      runId: info.run_id,
      experimentId: info.experiment_id ?? experimentId,
      artifactUri: info.artifact_uri ?? '',
    };
  }

  async logBatch(
    run: TrackedRun,
    batch: { metrics?: MetricPoint[]; params?: Record<string, string>; tags?: Record<string, string> },
  ): Promise<void> {
    const pairs = (o?: Record<string, string>) => Object.entries(o ?? {}).map(([key, value]) => ({ key, value }));
    // JSON has no NaN or Infinity; MLflow's protobuf JSON takes them as strings.
    const metrics = (batch.metrics ?? []).map((m) => ({
      ...m,
      value: Number.isFinite(m.value) ? m.value : (String(m.value) as unknown as number),
    }));
    for (const request of splitLogBatch(metrics, pairs(batch.params), pairs(batch.tags))) {
      if (request.metrics.length + request.params.length + request.tags.length === 0) continue;
      await this.call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run.runId, ...request });
    }
  }

  async logArtifact(run: TrackedRun, file: string, artifactPath = ''): Promise<void> {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(run.artifactUri);
    if (!m) {
      throw new MlflowRestError(
        `run ${run.runId} stores artifacts at ${run.artifactUri}, which this client cannot write (start the server with --serve-artifacts for mlflow-artifacts:/ URIs)`,
      );
    }
    const rel = [m[1].replace(/\/+$/, ''), artifactPath, path.basename(file)].filter(Boolean).join('/');
    await this.call(
      'PUT',
      `/api/2.0/mlflow-artifacts/artifacts/${rel.split('/').map(encodeURIComponent).join('/')}`,
      undefined,
      fs.readFileSync(file),
    );
  }

  async endRun(run: TrackedRun, status: RunStatus, endTime = Date.now()): Promise<void> {
    await this.call('POST', '/api/2.0/mlflow/runs/update', { run_id: run.runId, status, end_time: endTime });
  }
}
