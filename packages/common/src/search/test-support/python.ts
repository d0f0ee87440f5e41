// Run Debian's Python Optuna 3.1 (/usr/bin/python3) on a script, with JSON in and out.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { pythonJsonLoads } from '../py-json';

export const PYTHON = '/usr/bin/python3';

export function pythonOptunaAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import optuna'], { stdio: 'pipe', cwd: '/' });
    return true;
  } catch {
    return false;
  }
}

export function runPython(script: string, input: unknown): unknown {
  if (!fs.existsSync(PYTHON) || !pythonOptunaAvailable()) {
    throw new Error('interop tests need Python Optuna: apt-get install -y python3-optuna python3-psycopg2');
  }
  const out = execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    cwd: '/',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  return pythonJsonLoads(out.toString());
}
