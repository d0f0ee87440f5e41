// Chooses the backend the way MLflow does: MLFLOW_TRACKING_URI=http(s)://… -> the REST API; a file: URI or a path
// -> that file store; unset -> ./mlruns (here: the given default folder).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlflowFileStore } from './file-store';
import { MlflowRestClient, mlflowRestOptionsFromEnv } from './rest-client';
import type { TrackingBackend } from './types';

export function createTrackingBackend(opts: {
  defaultStore: string;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}): TrackingBackend {
  const env = opts.env ?? process.env;
  const rest = mlflowRestOptionsFromEnv(env);
  if (rest) return new MlflowRestClient({ ...rest, fetch: opts.fetch });
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri) return new MlflowFileStore(opts.defaultStore);
  if (uri.startsWith('file:')) return new MlflowFileStore(fileURLToPath(uri));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new Error(
      `MLFLOW_TRACKING_URI=${uri}: only http(s):// servers and file stores (file:… or a folder) are supported`,
    );
  }
  return new MlflowFileStore(path.resolve(uri));
}

/** The checked-out commit of the repository holding `dir` (mlflow.source.git.commit), undefined outside git. */
export function gitCommit(dir: string): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}
