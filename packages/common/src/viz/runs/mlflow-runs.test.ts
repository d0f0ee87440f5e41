import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRuns, listRunPngs, readRunConfig, readRunScalars } from './run-folder';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlflow-runs-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A store in MLflow's file layout, written by hand as MLflow's FileStore writes it (meta.yaml by PyYAML). */
function writeStore(mlruns: string): string {
  const exp = path.join(mlruns, '1');
  const run = path.join(exp, '0a1b2c');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  write(path.join(mlruns, '0', 'meta.yaml'), "experiment_id: '0'\nlifecycle_stage: active\nname: Default\n");
  write(
    path.join(exp, 'meta.yaml'),
    "artifact_location: file:///x\nexperiment_id: '1'\nlifecycle_stage: active\nname: vit-sweep\n",
  );
  write(
    path.join(run, 'meta.yaml'),
    "end_time: 1700000090000\nexperiment_id: '1'\nrun_id: 0a1b2c\nrun_name: 'seed 0'\nstart_time: 1700000000000\n" +
      'status: 3\ntags: []\n',
  );
  write(
    path.join(run, 'metrics', 'val_accuracy'),
    '1700000010000 0.5 1\n1700000020000 0.75 2\n1700000030000 0.625 3\n',
  );
  write(path.join(run, 'metrics', 'loss', 'train'), '1700000010000 2.0 1\n1700000020000 nan 2\n');
  write(path.join(run, 'params', 'optimizer.lr'), '0.001');
  write(path.join(run, 'tags', 'mlflow.runName'), 'seed 0');
  write(path.join(run, 'artifacts', 'plots', 'confusion.png'), 'png');
  return run;
}

describe('MLflow file store runs in the run list', () => {
  it('reads name, experiment, status, start, metrics (nested keys, nan), params, tags and artifact images', () => {
    const run = writeStore(path.join(root, 'gravity', 'mlruns'));
    const [summary, ...others] = findRuns(root);
    expect(others).toEqual([]); // the experiments' own folders are not runs
    expect(summary).toMatchObject({
      id: 'gravity/mlruns/1/0a1b2c',
      project: 'vit-sweep',
      experiment: 'mlflow gravity/mlruns',
      name: 'seed 0',
      status: 'finished',
      started: 1700000000000,
      best: { name: 'val_accuracy', value: 0.75 },
    });
    const scalars = readRunScalars(run);
    expect(scalars.map((s) => s.tag)).toEqual(['loss/train', 'val_accuracy']);
    expect(scalars[1].points).toEqual([
      { step: 1, value: 0.5, wallTime: 1700000010 },
      { step: 2, value: 0.75, wallTime: 1700000020 },
      { step: 3, value: 0.625, wallTime: 1700000030 },
    ]);
    expect(scalars[0].points[1].value).toBeNaN();
    expect(readRunConfig(run)).toEqual({ params: { 'optimizer.lr': '0.001' }, tags: { 'mlflow.runName': 'seed 0' } });
    expect(listRunPngs(run)).toEqual(['artifacts/plots/confusion.png']);
  });

  it('RUNNING is running while the run writes, stopped after; FAILED is failed; a bad line names its file', () => {
    const run = writeStore(path.join(root, 'mlruns'));
    const meta = path.join(run, 'meta.yaml');
    fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace('status: 3', 'status: 1'));
    expect(findRuns(root)[0].status).toBe('running');
    const old = new Date(Date.now() - 3600_000);
    for (const f of [meta, path.join(run, 'metrics', 'val_accuracy'), path.join(run, 'metrics', 'loss', 'train')])
      fs.utimesSync(f, old, old);
    expect(findRuns(root)[0].status).toBe('stopped');
    fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace('status: 1', 'status: 4'));
    expect(findRuns(root)[0].status).toBe('failed');
    fs.appendFileSync(path.join(run, 'metrics', 'val_accuracy'), 'garbage\n');
    expect(() => readRunScalars(run)).toThrow(/metrics\/val_accuracy line 4: expected '<timestamp_ms> <value> <step>'/);
  });
});
