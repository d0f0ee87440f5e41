// hrnet through the command line: a training killed with SIGKILL mid-epoch, then `train --resume <run>`, ends with
// the same metrics, test figures and weights as an uninterrupted run (the Trainer's resume test, end to end).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastCheckpointWeights, runChild } from '@research/common/testing';

const WORKSPACE = path.resolve(__dirname, '../../..');
const MAIN = path.join(__dirname, '..', 'src', 'main.ts');
const TINY = path.join(__dirname, '..', 'src', '__fixtures__', 'tiny_32x32.yaml');
// Three epochs of two batches; the progress line of every batch is the signal to kill.
const ARGS = [
  '--config',
  TINY,
  'BACKEND=wasm',
  'TRAIN.END_EPOCH=3',
  'TRAIN.LR_STEP=[2]',
  'TRAIN.BATCH_SIZE_PER_GPU=16',
  'PRINT_FREQ=1',
  'TOPO.SAMPLES=8',
];

let root: string;
beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-kill-'))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `main.ts <args>`; with `killOn`, SIGKILLs it as soon as its output shows that text. */
const run = (args: string[], killOn?: string) =>
  runChild(['-r', 'tsx/cjs', MAIN, ...args], {
    cwd: WORKSPACE,
    env: { RESEARCH_ASSETS_DIR: path.join(root, 'assets'), RESEARCH_WASM_THREADS: '0', CI: 'true' },
    killOn,
  });

const runFolder = (out: string) => /run folder (.*)/.exec(out)![1].trim();

it('a run killed mid-epoch and resumed with --resume ends exactly like an uninterrupted run', async () => {
  const [full, killed] = await Promise.all([
    run(['train', ...ARGS, '--output-dir', path.join(root, 'full')]),
    run(['train', ...ARGS, '--output-dir', path.join(root, 'killed')], 'epoch 2/3 step 1/2'),
  ]);
  expect(full.code).toBe(0);
  expect(killed.signal).toBe('SIGKILL');
  const killedDir = runFolder(killed.out);
  expect(fs.existsSync(path.join(killedDir, 'results.json'))).toBe(false);
  expect(JSON.parse(fs.readFileSync(path.join(killedDir, 'run.json'), 'utf8')).status).toBe('running');

  const resumed = await run(['train', '--resume', killedDir]);
  expect({ code: resumed.code, out: resumed.code ? resumed.out : '' }).toEqual({ code: 0, out: '' });
  expect(runFolder(resumed.out)).toBe(killedDir);
  const fullDir = runFolder(full.out);
  const read = (dir: string, file: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
  expect(read(killedDir, 'metrics.json')).toEqual(read(fullDir, 'metrics.json'));
  const [a, b] = [read(fullDir, 'results.json'), read(killedDir, 'results.json')];
  for (const key of ['test_loss', 'test_acc', 'test_top5', 'train_eval_acc', 'topo_gap', 'best_epoch', 'epochs'])
    expect([key, b[key]]).toEqual([key, a[key]]);
  expect(lastCheckpointWeights(killedDir)).toEqual(lastCheckpointWeights(fullDir));
  const attempts = (read(killedDir, 'run.json').attempts as { status: string }[]).map((x) => x.status);
  expect(attempts).toEqual(['running', 'finished']); // the killed attempt never got to say how it ended
});
