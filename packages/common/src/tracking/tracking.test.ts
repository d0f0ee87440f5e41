import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Trainer } from '../training/trainer';
import { SGD } from '../training/optim';
import type { TrainModule } from '../training/module';
import {
  MlflowCallback,
  MlflowFileStore,
  MlflowRestClient,
  createTrackingBackend,
  flattenParams,
  gitCommit,
  pythonFloatRepr,
  splitLogBatch,
} from '.';
import { yamlScalar } from './file-store';
import { startFakeMlflow } from './testing/fake-mlflow';

// From Python itself (scripts/golden/tracking_golden.py): float repr() and PyYAML's safe_dump quoting.
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'golden', 'file_store.json'), 'utf8'));
const floats = golden.cases as { value: number | string; repr: string }[];
const yamlCases = golden.yaml as { value: string; dumped: string }[];

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlruns-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A one-weight module and a two-batch source: enough for the Trainer to call every hook. */
function tinyFit(callbacks: MlflowCallback[], epochs = 2, runDir?: string) {
  const w = tf.variable(tf.scalar(1), true, 'w');
  const module: TrainModule = {
    variables: { w },
    trainingStep: (batch) => ({ loss: tf.mean(tf.square(tf.sub(tf.mul(batch.x, w), batch.y))) as tf.Scalar }),
    validationStep: (batch) => ({ loss: tf.mean(tf.square(tf.sub(tf.mul(batch.x, w), batch.y))) }),
  };
  const source = {
    size: 4,
    batchesPerEpoch: 2,
    async *batches() {
      for (let k = 0; k < 2; k++) yield { x: tf.tensor1d([1, 2]), y: tf.tensor1d([2, 4]) };
    },
  };
  const trainer = new Trainer({ maxEpochs: epochs, optimizer: new SGD({ lr: 0.1 }), callbacks, runDir });
  return trainer.fit(module, source, source).finally(() => w.dispose());
}

describe('pythonFloatRepr', () => {
  it.each(floats.map((c) => [c.repr, c.value]))('%s', (repr, value) => {
    const x = typeof value === 'string' ? Number(value.replace('inf', 'Infinity')) : value;
    expect(pythonFloatRepr(x)).toBe(repr);
  });
});

describe('yamlScalar (PyYAML safe_dump quoting)', () => {
  it.each(yamlCases.map((c) => [c.value, c.dumped]))('%s -> %s', (value, dumped) => {
    expect(yamlScalar(value)).toBe(dumped);
  });
});

describe('MlflowFileStore', () => {
  it("writes MLflow's layout: experiment and run meta.yaml, metric lines, params, tags, artifacts", async () => {
    const store = new MlflowFileStore(path.join(tmp, 'mlruns'));
    const run = await store.startRun({
      experimentName: 'gravity',
      runName: 'multiview seed 0',
      tags: { 'mlflow.source.git.commit': 'abc123' },
      startTime: 1700000000000,
    });
    expect(run.experimentId).toBe('1'); // 0 is "Default", created with the store
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    await store.logBatch(run, { params: { 'model.name': 'multiview_vit', lr: '0.0001' } });
    await store.logBatch(run, {
      metrics: [
        { key: 'val_accuracy', value: 0.5, timestamp: 1700000001000, step: 0 },
        { key: 'val_accuracy', value: 1, timestamp: 1700000002000, step: 1 },
      ],
    });
    await store.logBatch(run, { metrics: [{ key: 'lr', value: 1e-6, timestamp: 1700000003000, step: 1 }] });
    const artifact = path.join(tmp, 'view_attention.png');
    fs.writeFileSync(artifact, 'png bytes');
    await store.logArtifact(run, artifact);
    await store.logArtifact(run, artifact, 'plots/test');
    await store.endRun(run, 'FINISHED', 1700000009000);

    const root = path.join(tmp, 'mlruns');
    const expMeta = fs.readFileSync(path.join(root, '1', 'meta.yaml'), 'utf8');
    expect(expMeta).toMatch(
      /^artifact_location: file:\/\/\/.*\/mlruns\/1\ncreation_time: \d+\nexperiment_id: '1'\nlast_update_time: \d+\nlifecycle_stage: active\nname: gravity\n$/,
    );
    expect(fs.readFileSync(path.join(root, '0', 'meta.yaml'), 'utf8')).toContain("experiment_id: '0'\n");
    const dir = path.join(root, '1', run.runId);
    const runMeta = fs.readFileSync(path.join(dir, 'meta.yaml'), 'utf8');
    for (const line of [
      `artifact_uri: file://${dir}/artifacts`,
      'end_time: 1700000009000',
      "experiment_id: '1'",
      'lifecycle_stage: active',
      `run_id: ${run.runId}`,
      'run_name: multiview seed 0',
      `run_uuid: ${run.runId}`,
      'source_type: 4',
      'start_time: 1700000000000',
      'status: 3',
      'tags: []',
    ]) {
      expect(runMeta.split('\n')).toContain(line);
    }
    expect(fs.readFileSync(path.join(dir, 'metrics', 'val_accuracy'), 'utf8')).toBe(
      '1700000001000 0.5 0\n1700000002000 1.0 1\n',
    );
    expect(fs.readFileSync(path.join(dir, 'metrics', 'lr'), 'utf8')).toBe('1700000003000 1e-06 1\n');
    expect(fs.readFileSync(path.join(dir, 'params', 'model.name'), 'utf8')).toBe('multiview_vit');
    expect(fs.readFileSync(path.join(dir, 'tags', 'mlflow.runName'), 'utf8')).toBe('multiview seed 0');
    expect(fs.readFileSync(path.join(dir, 'tags', 'mlflow.source.git.commit'), 'utf8')).toBe('abc123');
    expect(fs.readFileSync(path.join(dir, 'artifacts', 'plots', 'test', 'view_attention.png'), 'utf8')).toBe(
      'png bytes',
    );
    expect(fs.existsSync(path.join(dir, 'artifacts', 'view_attention.png'))).toBe(true);
    // The same experiment name reuses its id; a param cannot change; bad keys are refused.
    expect((await store.startRun({ experimentName: 'gravity', runName: 'again' })).experimentId).toBe('1');
    expect((await store.startRun({ experimentName: 'other', runName: 'x' })).experimentId).toBe('2');
    await expect(store.logBatch(run, { params: { lr: '0.1' } })).rejects.toThrow(/already logged as '0.0001'/);
    await expect(store.logBatch(run, { metrics: [{ key: '../x', value: 1, timestamp: 0, step: 0 }] })).rejects.toThrow(
      /MLflow metric key/,
    );
  });

  it('logs a fit through MlflowCallback: params, one metric line per epoch, artifacts, FINISHED', async () => {
    const store = new MlflowFileStore(path.join(tmp, 'mlruns'));
    const artifactDir = path.join(tmp, 'run');
    fs.mkdirSync(path.join(artifactDir, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(artifactDir, 'config.yaml'), 'seed: 0\n');
    fs.writeFileSync(path.join(artifactDir, 'checkpoints', 'best.txt'), 'w');
    const callback = new MlflowCallback({
      backend: store,
      experimentName: 'fit',
      runName: 'tiny',
      params: { model: { name: 'vit', input_size: [64, 80] }, seed: 0 },
      tags: { 'mlflow.source.git.commit': gitCommit(__dirname) ?? 'none' },
      artifacts: () => [artifactDir],
      finishOnFitEnd: false,
    });
    await tinyFit([callback]);
    await callback.logMetrics({ test_accuracy: 0.75 }, 1);
    await callback.finish();
    const run = callback.trackedRun!;
    const dir = path.join(tmp, 'mlruns', run.experimentId, run.runId);
    expect(fs.readFileSync(path.join(dir, 'params', 'model.input_size'), 'utf8')).toBe('[64,80]');
    const lines = fs
      .readFileSync(path.join(dir, 'metrics', 'val_loss'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => l.split(' ')[2])).toEqual(['1', '2']); // the epoch numbers, counted from 1 as everywhere
    expect(lines[0]).toMatch(/^\d{13} \d+\.\d+(e-\d+)? 1$/);
    expect(fs.readFileSync(path.join(dir, 'metrics', 'test_accuracy'), 'utf8')).toMatch(/^\d{13} 0\.75 1\n$/);
    expect(fs.readdirSync(path.join(dir, 'metrics')).sort()).toEqual([
      'global_step',
      'lr',
      'test_accuracy',
      'train_loss',
      'val_loss',
    ]);
    expect(fs.readFileSync(path.join(dir, 'artifacts', 'checkpoints', 'best.txt'), 'utf8')).toBe('w');
    expect(fs.existsSync(path.join(dir, 'artifacts', 'config.yaml'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'meta.yaml'), 'utf8')).toMatch(/\nstatus: 3\n/);
    const commit = fs.readFileSync(path.join(dir, 'tags', 'mlflow.source.git.commit'), 'utf8');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('MlflowCallback defaults', () => {
  it("copies the Trainer's run folder as the artifacts and ends the run at fit end", async () => {
    const runDir = path.join(tmp, 'outputs', 'run1');
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'results.json'), '{}');
    const callback = new MlflowCallback({
      backend: new MlflowFileStore(path.join(tmp, 'mlruns')),
      experimentName: 'e',
      runName: 'r',
    });
    await tinyFit([callback], 1, runDir);
    const run = callback.trackedRun!;
    const artifacts = path.join(tmp, 'mlruns', run.experimentId, run.runId, 'artifacts');
    expect(fs.readdirSync(artifacts).sort()).toEqual(['results.json']);
    expect(fs.readFileSync(path.join(tmp, 'mlruns', run.experimentId, run.runId, 'meta.yaml'), 'utf8')).toMatch(
      /\nstatus: 3\n/,
    );
  });
});

describe("MlflowRestClient against a local server following MLflow's REST API 2.0", () => {
  it('get-by-name (404 -> create), runs/create, runs/log-batch, runs/update and artifact upload', async () => {
    const server = await startFakeMlflow();
    try {
      const backend = createTrackingBackend({
        defaultStore: path.join(tmp, 'unused'),
        env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: 't0k' },
      });
      expect(backend).toBeInstanceOf(MlflowRestClient);
      const artifact = path.join(tmp, 'report.txt');
      fs.writeFileSync(artifact, 'report');
      const callback = new MlflowCallback({
        backend,
        experimentName: 'gravity-vit',
        runName: 'rest run',
        params: { train: { lr: 1e-4 } },
        artifacts: () => [artifact],
      });
      await tinyFit([callback]);
      const calls = server.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
      expect(calls.slice(0, 4)).toEqual([
        'GET /api/2.0/mlflow/experiments/get-by-name',
        'POST /api/2.0/mlflow/experiments/create',
        'POST /api/2.0/mlflow/runs/create',
        'POST /api/2.0/mlflow/runs/log-batch',
      ]);
      expect(calls.slice(-2)).toEqual([
        expect.stringMatching(/^PUT \/api\/2\.0\/mlflow-artifacts\/artifacts\/\d+\/run1\w+\/artifacts\/report\.txt$/),
        'POST /api/2.0/mlflow/runs/update',
      ]);
      expect(server.requests.every((r) => r.authorization === 'Bearer t0k')).toBe(true);
      expect(server.requests[0].path).toBe('/api/2.0/mlflow/experiments/get-by-name?experiment_name=gravity-vit');
      const [run] = [...server.runs.values()];
      expect(run.info.run_name).toBe('rest run');
      expect(run.tags['mlflow.runName']).toBe('rest run');
      expect(run.params).toEqual({ 'train.lr': '0.0001' });
      expect(run.info.status).toBe('FINISHED');
      const valLoss = run.metrics.filter((m) => m.key === 'val_loss');
      expect(valLoss.map((m) => m.step)).toEqual([1, 2]);
      expect(typeof valLoss[0].value).toBe('number');
      expect(typeof valLoss[0].timestamp).toBe('number');
      expect([...server.artifacts.values()][0].toString()).toBe('report');
      // A second run finds the experiment by name.
      await new MlflowRestClient({ trackingUri: server.url }).startRun({
        experimentName: 'gravity-vit',
        runName: 'second',
      });
      expect(server.experiments.filter((e) => e.name === 'gravity-vit')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('splits log-batch within the documented limits and reports server and network errors clearly', async () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i, timestamp: 0, step: i }));
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: '1' }));
    const requests = splitLogBatch(metrics, params, []);
    expect(
      requests.every(
        (r) =>
          r.metrics.length <= 1000 &&
          r.params.length <= 100 &&
          r.metrics.length + r.params.length + r.tags.length <= 1000,
      ),
    ).toBe(true);
    expect(requests.reduce((s, r) => s + r.metrics.length, 0)).toBe(2500);
    expect(requests.reduce((s, r) => s + r.params.length, 0)).toBe(150);
    const server = await startFakeMlflow();
    try {
      const client = new MlflowRestClient({ trackingUri: server.url });
      const run = await client.startRun({ experimentName: 'e', runName: 'r' });
      await client.logBatch(run, { metrics, params: Object.fromEntries(params.map((p) => [p.key, p.value])) });
      expect(server.runs.get(run.runId)!.metrics).toHaveLength(2500);
      await expect(client.logBatch(run, { params: { p0: '2' } })).rejects.toThrow(
        /HTTP 400 INVALID_PARAMETER_VALUE: Changing param values is not allowed/,
      );
    } finally {
      await server.close();
    }
    const offline = new MlflowRestClient({ trackingUri: server.url });
    await expect(offline.startRun({ experimentName: 'e', runName: 'r' })).rejects.toThrow(
      /cannot reach the MLflow server at http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('picks the backend from MLFLOW_TRACKING_URI', () => {
    expect(createTrackingBackend({ defaultStore: path.join(tmp, 'mlruns'), env: {} })).toBeInstanceOf(MlflowFileStore);
    expect(
      (
        createTrackingBackend({
          defaultStore: 'x',
          env: { MLFLOW_TRACKING_URI: `file://${tmp}/store` },
        }) as MlflowFileStore
      ).root,
    ).toBe(path.join(tmp, 'store'));
    expect(() => createTrackingBackend({ defaultStore: 'x', env: { MLFLOW_TRACKING_URI: 'databricks://x' } })).toThrow(
      /only http\(s\):\/\/ servers and file stores/,
    );
    expect(flattenParams({ a: { b: 1, c: 'x' }, d: [1, 2], e: null })).toEqual({
      'a.b': '1',
      'a.c': 'x',
      d: '[1,2]',
      e: 'null',
    });
  });
});
