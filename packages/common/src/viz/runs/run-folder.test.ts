import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SummaryWriter } from '../tensorboard/summary-writer';
import {
  diffConfigs,
  findRuns,
  listRunPngs,
  readRunConfig,
  readRunImages,
  readRunScalars,
  RUNNING_WINDOW_SECONDS,
} from './run-folder';

let logDir: string;
beforeEach(() => {
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
});
afterEach(() => fs.rmSync(logDir, { recursive: true, force: true }));

function write(rel: string, text: string | Buffer, mtimeSecondsAgo = 3600): string {
  const file = path.join(logDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const t = (Date.now() - mtimeSecondsAgo * 1000) / 1000;
  fs.utimesSync(file, t, t);
  return file;
}

describe('findRuns', () => {
  it('finds runs at any depth by their files, names project/experiment/run, and tells their status', () => {
    write('triplet-vae/exp/2026-01-01T00-00-00Z/config.yaml', 'seed: 0\n');
    write('triplet-vae/exp/2026-01-01T00-00-00Z/results.json', JSON.stringify({ test_acc: 0.9, epochs: 3 }));
    write(
      'hrnet/sweep/arm-a/seed-1/2026-01-02T00-00-00Z/metrics.json',
      JSON.stringify([
        { epoch: 0, val_acc: 0.5 },
        { epoch: 1, val_acc: 0.625 },
      ]),
      5,
    );
    write(
      'hrnet/old/2026-01-03T00-00-00Z/metrics.json',
      JSON.stringify([
        { epoch: 0, train_loss: 2 },
        { epoch: 1, train_loss: 1.5 },
      ]),
      RUNNING_WINDOW_SECONDS + 60,
    );
    write(
      'hrnet/w18/2026-01-04T00-00-00Z/results.json',
      JSON.stringify({ bestEpoch: 2, test: { loss: 0.5, top1: 0.8125 } }),
    );
    write('not-a-run/readme.txt', 'x');
    const runs = findRuns(logDir);
    const byId = Object.fromEntries(runs.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual([
      'hrnet/old/2026-01-03T00-00-00Z',
      'hrnet/sweep/arm-a/seed-1/2026-01-02T00-00-00Z',
      'hrnet/w18/2026-01-04T00-00-00Z',
      'triplet-vae/exp/2026-01-01T00-00-00Z',
    ]);
    expect(byId['triplet-vae/exp/2026-01-01T00-00-00Z']).toMatchObject({
      project: 'triplet-vae',
      experiment: 'exp',
      status: 'finished',
      best: { name: 'test_acc', value: 0.9 },
    });
    expect(byId['hrnet/sweep/arm-a/seed-1/2026-01-02T00-00-00Z']).toMatchObject({
      experiment: 'sweep/arm-a/seed-1',
      status: 'running',
      best: { name: 'val_acc', value: 0.625 },
    });
    expect(byId['hrnet/old/2026-01-03T00-00-00Z']).toMatchObject({
      status: 'stopped',
      best: { name: 'train_loss', value: 1.5 },
    });
    expect(byId['hrnet/w18/2026-01-04T00-00-00Z'].best).toEqual({ name: 'test.top1', value: 0.8125 });
    expect(runs[0].id).toBe('hrnet/sweep/arm-a/seed-1/2026-01-02T00-00-00Z'); // newest first
    expect(() => findRuns(path.join(logDir, 'missing'))).toThrow(/log directory .*missing does not exist/);
  });
});

describe('run contents', () => {
  it('reads scalars and images from tensorboard/ and its subfolders, else metrics.json', () => {
    const run = path.join(logDir, 'p', 'e', 'r');
    const writer = new SummaryWriter(path.join(run, 'tensorboard'));
    writer.addScalar('loss', 2, 0);
    writer.addScalar('loss', 1, 1);
    writer.addScalars('acc', { val: 0.5 }, 1);
    writer.addImage('recon', { data: new Uint8Array(4), width: 2, height: 2, channels: 1 }, 3);
    writer.addImage('recon', { data: new Uint8Array(4), width: 2, height: 2, channels: 1 }, 1);
    writer.close();
    expect(readRunScalars(run).map((s) => [s.tag, s.points.map((p) => [p.step, p.value])])).toEqual([
      [
        'loss',
        [
          [0, 2],
          [1, 1],
        ],
      ],
      ['acc_val/acc', [[1, 0.5]]],
    ]);
    expect(readRunImages(run).recon.map((i) => i.step)).toEqual([1, 3]);

    const plain = path.join(logDir, 'p', 'e', 'plain');
    write(
      'p/e/plain/metrics.json',
      JSON.stringify([
        { epoch: 0, train_loss: 3, lr: 0.1 },
        { epoch: 1, train_loss: 2.5, lr: 0.05 },
      ]),
    );
    expect(readRunScalars(plain)).toEqual([
      {
        tag: 'train_loss',
        points: [
          { step: 0, value: 3 },
          { step: 1, value: 2.5 },
        ],
      },
      {
        tag: 'lr',
        points: [
          { step: 0, value: 0.1 },
          { step: 1, value: 0.05 },
        ],
      },
    ]);
  });

  it('lists PNGs outside checkpoints/ and tensorboard/, and names a broken config or metrics file', () => {
    write('r/a.png', 'x');
    write('r/topology/plots/b.png', 'x');
    write('r/checkpoints/c.png', 'x');
    write('r/tensorboard/d.png', 'x');
    expect(listRunPngs(path.join(logDir, 'r'))).toEqual(['a.png', 'topology/plots/b.png']);
    write('bad/config.yaml', 'a: [1, 2');
    expect(() => readRunConfig(path.join(logDir, 'bad'))).toThrow(/bad\/config\.yaml: not valid YAML/);
    write('bad/metrics.json', '{"epoch": 0}');
    expect(() => readRunScalars(path.join(logDir, 'bad'))).toThrow(/metrics\.json: expected an array/);
  });
});

describe('diffConfigs', () => {
  it('lists the dotted keys whose values differ, with both values', () => {
    const a = { seed: 0, model: { dim: 64, depth: 4, heads: [1, 2] }, data: { root: 'x' } };
    const b = { seed: 1, model: { dim: 64, depth: 6, heads: [1, 2], dropout: 0.1 }, data: { root: 'x' } };
    expect(diffConfigs(a, b)).toEqual([
      { key: 'model.depth', a: 4, b: 6 },
      { key: 'model.dropout', a: undefined, b: 0.1 },
      { key: 'seed', a: 0, b: 1 },
    ]);
    expect(diffConfigs(a, a)).toEqual([]);
  });
});
