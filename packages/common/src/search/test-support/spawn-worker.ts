// Start test-support/worker.ts as one node process (tsx's loader, not the tsx wrapper, whose child process would
// survive a SIGKILL of the wrapper).
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const TSX_DIST = path.resolve(__dirname, '../../../../../node_modules/tsx/dist');
const WORKER = path.join(__dirname, 'worker.ts');

export function startWorker(url: string, study: string, nTrials: number, seed: number, mode = ''): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--require',
      path.join(TSX_DIST, 'preflight.cjs'),
      '--import',
      pathToFileURL(path.join(TSX_DIST, 'loader.mjs')).href,
      WORKER,
      url,
      study,
      String(nTrials),
      String(seed),
      mode,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Resolves when the worker exits with 0; rejects with its stderr otherwise. */
export function finished(child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}: ${stderr}`)))),
  );
}

/** Start a worker in "hang" mode and resolve once its trial is RUNNING. */
export async function startHangingWorker(url: string, study: string): Promise<ChildProcess> {
  const child = startWorker(url, study, 1, 0, 'hang');
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => (String(d).includes('running') ? resolve() : undefined));
    child.on('exit', (code) => reject(new Error(`hanging worker exited early (${code}): ${stderr}`)));
  });
  return child;
}

export async function sigkill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
}
