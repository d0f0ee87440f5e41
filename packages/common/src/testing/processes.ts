// Running an app's command line in a child process for crash tests: SIGKILL it the moment its output shows a line,
// as an unlucky machine would, and read back what its checkpoint holds.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSafetensors } from '../io';

export interface ChildRun {
  code: number | null;
  signal: string | null;
  /** stdout and stderr, interleaved as they arrived. */
  out: string;
}

/** Runs `node <args>`; with `killOn`, SIGKILLs it as soon as its output (stdout or stderr) contains that text. */
export function runChild(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; killOn?: string },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const read = (d: Buffer) => {
      out += d.toString();
      if (opts.killOn && out.includes(opts.killOn)) child.kill('SIGKILL');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

/** The model weights of a run's `checkpoints/last.safetensors`, by name, as plain arrays (for exact comparisons). */
export function lastCheckpointWeights(runDir: string): [string, number[]][] {
  const file = path.join(runDir, 'checkpoints', 'last.safetensors');
  const { tensors } = decodeSafetensors(fs.readFileSync(file), file);
  const values = [...tensors]
    .filter(([k]) => k.startsWith('model/'))
    .map(([k, t]) => [k, Array.from(t.dataSync())] as [string, number[]]);
  tensors.forEach((t) => t.dispose());
  return values;
}
