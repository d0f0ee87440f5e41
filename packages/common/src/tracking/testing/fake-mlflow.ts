// A local HTTP server that follows MLflow's REST API 2.0 documentation for the calls the client makes, for tests:
//   GET  /api/2.0/mlflow/experiments/get-by-name?experiment_name=  -> {experiment} | 404 RESOURCE_DOES_NOT_EXIST
//   POST /api/2.0/mlflow/experiments/create {name}                  -> {experiment_id} | 400 RESOURCE_ALREADY_EXISTS
//   POST /api/2.0/mlflow/runs/create {experiment_id, run_name, start_time, tags} -> {run: {info, data}}
//   POST /api/2.0/mlflow/runs/log-batch {run_id, metrics, params, tags} -> {} (400 INVALID_PARAMETER_VALUE over limits,
//        on a missing field, or on changing a logged param)
//   POST /api/2.0/mlflow/runs/update {run_id, status, end_time}     -> {run_info}
//   PUT  /api/2.0/mlflow-artifacts/artifacts/<path>                 -> {} (stored bytes)
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRun {
  info: {
    run_id: string;
    run_uuid: string;
    experiment_id: string;
    run_name: string;
    status: string;
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  metrics: { key: string; value: number | string; timestamp: number; step: number }[];
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface FakeMlflow {
  url: string;
  experiments: { experiment_id: string; name: string }[];
  runs: Map<string, FakeRun>;
  artifacts: Map<string, Buffer>;
  requests: { method: string; path: string; authorization?: string; body?: unknown }[];
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function required(body: Record<string, unknown>, key: string): unknown {
  if (body[key] === undefined || body[key] === null || body[key] === '')
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${key}'.`);
  return body[key];
}

export async function startFakeMlflow(): Promise<FakeMlflow> {
  const experiments = [{ experiment_id: '0', name: 'Default' }];
  const runs = new Map<string, FakeRun>();
  const artifacts = new Map<string, Buffer>();
  const requests: FakeMlflow['requests'] = [];
  let nextRun = 1;

  const handle = (method: string, url: URL, raw: Buffer): unknown => {
    const p = url.pathname;
    if (method === 'PUT' && p.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      artifacts.set(decodeURIComponent(p.slice('/api/2.0/mlflow-artifacts/artifacts/'.length)), raw);
      return {};
    }
    const body = (raw.length ? JSON.parse(raw.toString('utf8')) : {}) as Record<string, unknown>;
    requests[requests.length - 1].body = body;
    if (method === 'GET' && p === '/api/2.0/mlflow/experiments/get-by-name') {
      const name = url.searchParams.get('experiment_name');
      const e = experiments.find((x) => x.name === name);
      if (!e) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
      return {
        experiment: { ...e, lifecycle_stage: 'active', artifact_location: `mlflow-artifacts:/${e.experiment_id}` },
      };
    }
    if (method === 'POST' && p === '/api/2.0/mlflow/experiments/create') {
      const name = required(body, 'name') as string;
      if (experiments.some((x) => x.name === name))
        throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
      const id = String(100 + experiments.length);
      experiments.push({ experiment_id: id, name });
      return { experiment_id: id };
    }
    if (method === 'POST' && p === '/api/2.0/mlflow/runs/create') {
      const experimentId = required(body, 'experiment_id') as string;
      if (!experiments.some((x) => x.experiment_id === experimentId))
        throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No experiment ${experimentId}`);
      const id = `run${nextRun++}`.padEnd(32, '0');
      const tags = Object.fromEntries(
        ((body.tags as { key: string; value: string }[]) ?? []).map((t) => [t.key, t.value]),
      );
      const info = {
        run_id: id,
        run_uuid: id,
        experiment_id: experimentId,
        run_name: (body.run_name as string) ?? '',
        status: 'RUNNING',
        start_time: body.start_time as number,
        artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`,
        lifecycle_stage: 'active',
      };
      runs.set(id, { info, metrics: [], params: {}, tags });
      return { run: { info, data: { tags: body.tags ?? [] } } };
    }
    if (method === 'POST' && (p === '/api/2.0/mlflow/runs/log-batch' || p === '/api/2.0/mlflow/runs/update')) {
      const run = runs.get(required(body, 'run_id') as string);
      if (!run) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${String(body.run_id)}' not found`);
      if (p.endsWith('update')) {
        run.info.status = required(body, 'status') as string;
        run.info.end_time = body.end_time as number;
        return { run_info: run.info };
      }
      const metrics = (body.metrics as FakeRun['metrics']) ?? [];
      const params = (body.params as { key: string; value: string }[]) ?? [];
      const tags = (body.tags as { key: string; value: string }[]) ?? [];
      if (
        metrics.length > 1000 ||
        params.length > 100 ||
        tags.length > 100 ||
        metrics.length + params.length + tags.length > 1000
      ) {
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          'A batch logging request can contain at most 1000 metrics, 100 params and 100 tags (1000 in all)',
        );
      }
      for (const m of metrics)
        for (const k of ['key', 'value', 'timestamp', 'step'])
          if ((m as unknown as Record<string, unknown>)[k] === undefined)
            throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `metric without ${k}`);
      for (const prm of params) {
        if (prm.key in run.params && run.params[prm.key] !== prm.value)
          throw new ApiError(
            400,
            'INVALID_PARAMETER_VALUE',
            `Changing param values is not allowed. Param with key='${prm.key}'`,
          );
        run.params[prm.key] = prm.value;
      }
      for (const t of tags) run.tags[t.key] = t.value;
      run.metrics.push(...metrics);
      return {};
    }
    throw new ApiError(404, 'ENDPOINT_NOT_FOUND', `No endpoint ${method} ${p}`);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        authorization: req.headers.authorization,
      });
      try {
        const out = handle(req.method ?? '', url, Buffer.concat(chunks));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL_ERROR', (err as Error).message);
        res
          .writeHead(e.status, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error_code: e.code, message: e.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    experiments,
    runs,
    artifacts,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
