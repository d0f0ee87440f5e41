// A run killed (SIGKILL) at each write of an epoch's end and of the run's end, then resumed, ends with the files of
// an uninterrupted run: metrics, checkpoints, results, and TensorBoard with every tag's steps once and equal values.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEvents, type RunEvents } from '../viz';
import { decodeSafetensors } from '../io';
import { runChild } from '../testing';

const WORKSPACE = path.resolve(__dirname, '../../../..');
const CLI = path.join(__dirname, '__fixtures__', 'tiny-cli.ts');
const ENV = { RESEARCH_WASM_THREADS: '0', CI: 'true' };

let root: string;
beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-crash-'))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const tiny = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runChild(['-r', 'tsx/cjs', CLI, ...args], { cwd: WORKSPACE, env: { ...ENV, ...env } });
const runFolder = (out: string) => /\[tiny\] run folder (.*)/.exec(out)![1].trim();
const json = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

/** A checkpoint's trainer state and weights. */
function checkpoint(dir: string, name: 'last' | 'best'): { state: { epoch: number }; weights: number[][] } {
  const file = path.join(dir, 'checkpoints', `${name}.safetensors`);
  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), file);
  const weights = [...tensors].filter(([k]) => k.startsWith('model/')).map(([, t]) => Array.from(t.dataSync()));
  tensors.forEach((t) => t.dispose());
  return { state: JSON.parse(metadata.trainer), weights };
}

/** Every scalar, image and text of a run's TensorBoard as `tag -> step -> value`, failing on a step seen twice. */
function tensorboard(dir: string): Record<string, Record<number, unknown>> {
  const events: RunEvents = readEvents(path.join(dir, 'tensorboard'));
  const out: Record<string, Record<number, unknown>> = {};
  const add = (tag: string, step: number, value: unknown) => {
    out[tag] ??= {};
    if (step in out[tag]) throw new Error(`TensorBoard ${dir}: tag ${tag} has step ${step} twice`);
    out[tag][step] = value;
  };
  for (const [tag, points] of Object.entries(events.scalars)) for (const p of points) add(tag, p.step, p.value);
  for (const [tag, images] of Object.entries(events.images))
    for (const i of images) add(tag, i.step, `${i.width}x${i.height}`);
  for (const [tag, texts] of Object.entries(events.texts)) for (const t of texts) add(tag, t.step, t.text);
  return out;
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

it('a SIGKILL at each write of an epoch end and of the run end, then --resume, gives the uninterrupted run', async () => {
  // The uninterrupted run, with every write named in order: the kill points are the writes from the end of epoch 2.
  const full = await tiny(['train', '--epochs', '3', '--output-dir', path.join(root, 'full')], {
    RESEARCH_FAULT_TRACE: '1',
  });
  expect(full.code).toBe(0);
  const fullDir = runFolder(full.out);
  const writes = [...full.out.matchAll(/fault point (\S+)/g)].map((m) => m[1]);
  const epoch2End = full.out.slice(full.out.indexOf('epoch 2/3 step 8/8'), full.out.indexOf('epoch 3/3 step 2/8'));
  const epochEnd = [...epoch2End.matchAll(/fault point (\S+)/g)].map((m) => m[1]);
  expect(epochEnd).toEqual([
    expect.stringMatching(/^events@/), // the epoch's scalars
    'last.safetensors@2',
    'best.safetensors@2',
    'metrics.csv@2',
    'metrics.json@2',
  ]);
  // The last epoch's (nothing is left to train after them) and the run's closing writes.
  // (best@3: `last` says epoch 3 is the best, and nothing is left to train that would write `best` again.)
  const runEnd = ['best.safetensors@3', 'metrics.json@3', 'results.json@1', 'run.json@2'];
  expect(writes).toEqual(expect.arrayContaining(runEnd));
  const points = [...epochEnd, ...runEnd];
  const expected = {
    metrics: json(fullDir, 'metrics.json'),
    last: checkpoint(fullDir, 'last'),
    best: checkpoint(fullDir, 'best'),
    results: json(fullDir, 'results.json'),
    tensorboard: tensorboard(fullDir),
  };
  expect(Object.keys(expected.tensorboard)).toEqual(
    expect.arrayContaining(['train/loss', 'train/lr', 'epoch/val_acc', 'test/loss', 'test/confusion_matrix']),
  );

  const killAndResume = async (point: string) => {
    const killed = await tiny(['train', '--epochs', '3', '--output-dir', path.join(root, point)], {
      RESEARCH_FAULT_KILL_AT: point,
    });
    expect([point, killed.signal]).toEqual([point, 'SIGKILL']);
    const dir = runFolder(killed.out);
    // Right after the kill nothing is ahead of the last checkpoint.
    const lastEpoch = checkpoint(dir, 'last').state.epoch;
    if (fs.existsSync(path.join(dir, 'metrics.json')))
      expect(json(dir, 'metrics.json').length).toBeLessThanOrEqual(lastEpoch);
    const resumed = await tiny(['train', '--resume', dir]);
    expect([point, resumed.code, resumed.code === 0 ? '' : resumed.out]).toEqual([point, 0, '']);
    expect([point, json(dir, 'metrics.json')]).toEqual([point, expected.metrics]);
    expect([point, checkpoint(dir, 'last')]).toEqual([point, expected.last]);
    expect([point, checkpoint(dir, 'best')]).toEqual([point, expected.best]);
    const results = json(dir, 'results.json');
    for (const key of ['test_loss', 'test_acc', 'best_epoch', 'epochs'])
      expect([point, key, results[key]]).toEqual([point, key, expected.results[key]]);
    expect([point, tensorboard(dir)]).toEqual([point, expected.tensorboard]);
    expect([point, files(dir).filter((f) => /\.tmp-\d+-\d+$/.test(f))]).toEqual([point, []]);
    expect(json(dir, 'run.json').status).toBe('finished');
  };
  // Three at a time: each child is a few seconds of start-up and a second of training.
  for (let i = 0; i < points.length; i += 3) await Promise.all(points.slice(i, i + 3).map(killAndResume));
}, 300_000);
