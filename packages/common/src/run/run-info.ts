// run.json: what produced a run (command, config, backend, data, code version) and how it ended.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeJsonAtomic } from '../io';

export interface RunInfo {
  project: string;
  experiment: string;
  config: string;
  command: string;
  cwd: string;
  git_commit: string | null;
  backend: unknown;
  data: string;
  started: string;
  /** One entry per process that worked in this folder (a resumed run has several). */
  attempts: {
    started: string;
    finished?: string;
    status: 'running' | 'finished' | 'failed';
    resumed_from?: string;
    error?: string;
  }[];
  status: 'running' | 'finished' | 'failed';
}

/** The workspace's git commit (with `-dirty` when the tree has changes), or null outside a git checkout. */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

export function readRunInfo(runDir: string): RunInfo | undefined {
  const file = path.join(runDir, 'run.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

export function writeRunInfo(runDir: string, info: RunInfo): void {
  writeJsonAtomic(path.join(runDir, 'run.json'), info);
}

/** Marks the latest attempt (and the run) finished or failed. */
export function endAttempt(runDir: string, info: RunInfo, status: 'finished' | 'failed', error?: string): void {
  const attempt = info.attempts[info.attempts.length - 1];
  attempt.status = status;
  attempt.finished = new Date().toISOString();
  if (error) attempt.error = error;
  info.status = status;
  writeRunInfo(runDir, info);
}
