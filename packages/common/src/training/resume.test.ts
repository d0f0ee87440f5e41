import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '.';

const CHILD = path.join(__dirname, '__fixtures__', 'resumeChild.ts');

interface ChildResult {
  history: Record<string, number>[];
  weights: number[][];
}

/** Runs the child; resolves when it exits, or kills it (SIGKILL) as soon as it prints `killOn`. */
function runChild(
  args: string[],
  env: Record<string, string> = {},
  killOn?: string,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, ...args], {
      cwd: path.resolve(__dirname, '../../../..'),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killOn && stdout.includes(killOn)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve({ code, signal, stdout });
    });
  });
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resume-test-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a run killed with SIGKILL mid-epoch and resumed from its last checkpoint ends like an uninterrupted run', async () => {
  const fullDir = path.join(dir, 'full');
  const killedDir = path.join(dir, 'killed');
  const [full, killed] = await Promise.all([
    runChild([fullDir, path.join(dir, 'full.json')]),
    runChild([killedDir, path.join(dir, 'never.json')], { HANG_AT: '2:3' }, 'hanging at 2:3'),
  ]);
  expect(full.code).toBe(0);
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stdout).toContain('batch 2:3');
  expect(killed.stdout).not.toContain('batch 2:4');
  expect(fs.existsSync(path.join(dir, 'never.json'))).toBe(false);

  const last = path.join(killedDir, 'checkpoints', 'last.safetensors');
  const ckpt = loadCheckpoint(last);
  expect(ckpt.state.epoch).toBe(2); // two epochs completed; the third was interrupted
  expect(ckpt.state.globalStep).toBe(16);
  tf.dispose(ckpt.tensors);

  const resumed = await runChild([killedDir, path.join(dir, 'resumed.json'), last]);
  expect(resumed.code).toBe(0);
  expect(resumed.stdout.split('\n')[0]).toBe('batch 2:0'); // picks up at the start of the interrupted epoch

  const a = JSON.parse(fs.readFileSync(path.join(dir, 'full.json'), 'utf8')) as ChildResult;
  const b = JSON.parse(fs.readFileSync(path.join(dir, 'resumed.json'), 'utf8')) as ChildResult;
  expect(a.history).toHaveLength(4);
  expect(b.history).toEqual(a.history);
  expect(b.weights).toEqual(a.weights);
  // The metrics log continued where it was, and the best checkpoint is the one of the best epoch.
  expect(fs.readFileSync(path.join(killedDir, 'metrics.csv'), 'utf8')).toBe(
    fs.readFileSync(path.join(fullDir, 'metrics.csv'), 'utf8'),
  );
  const best = loadCheckpoint(path.join(killedDir, 'checkpoints', 'best.safetensors'));
  const bestAcc = Math.max(...a.history.map((r) => r.val_acc));
  expect(best.state.history[best.state.epoch - 1].val_acc).toBe(bestAcc);
  tf.dispose(best.tensors);
});
