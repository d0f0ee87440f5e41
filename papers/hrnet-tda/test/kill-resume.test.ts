// hrnet through the command line: a training killed with SIGKILL mid-epoch, then `train --resume <run>`, ends with
// the same metrics, test figures and weights as an uninterrupted run (the Trainer's resume test, end to end).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeSafetensors } from '@research/common';

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

/** Runs `main.ts <args>`; with `killOn`, SIGKILLs it as soon as stderr shows that text. */
function run(args: string[], killOn?: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', MAIN, ...args], {
      cwd: WORKSPACE,
      env: { ...process.env, RESEARCH_ASSETS_DIR: path.join(root, 'assets'), RESEARCH_WASM_THREADS: '0', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const read = (d: Buffer) => {
      out += d.toString();
      if (killOn && out.includes(killOn)) child.kill('SIGKILL');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

const runFolder = (out: string) => /run folder (.*)/.exec(out)![1].trim();
const weights = (runDir: string) => {
  const { tensors } = decodeSafetensors(fs.readFileSync(path.join(runDir, 'checkpoints', 'last.safetensors')), 'last');
  const values = [...tensors].filter(([k]) => k.startsWith('model/')).map(([k, t]) => [k, Array.from(t.dataSync())]);
  tensors.forEach((t) => t.dispose());
  return values;
};

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
  expect(weights(killedDir)).toEqual(weights(fullDir));
  const attempts = (read(killedDir, 'run.json').attempts as { status: string }[]).map((x) => x.status);
  expect(attempts).toEqual(['running', 'finished']); // the killed attempt never got to say how it ended
});
