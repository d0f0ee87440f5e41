// The dashboard's search studies (the `studies` route of its extension point): every Optuna storage under the log
// directory (SQLite files with Optuna's schema, e.g. <runs>/optuna_studies/<study>/study.db) and the storages given
// with --storage; per study the optimisation history, importances and parallel coordinates as the same Vega-Lite
// specs `tools visualise --mode search` draws, and the trials. Only those storages are ever opened: a request names
// one by its label, never by a URL.
import {
  findStudyDatabases,
  isRunDir,
  listStudies,
  openStudyStorage,
  optimizationHistorySpec,
  overviewOf,
  parallelCoordinateSpec,
  paramImportancesSpec,
  readStudy,
  sqliteUrl,
  studyImportances,
  type RdbStorage,
} from '@research/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HttpError } from './safe-path';
import type { ApiRoute } from './server';

/** A URL shown without its password. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export interface StudiesRouteOptions {
  /** Storage URLs besides the SQLite files found under the log directory (e.g. postgresql://...). */
  storages?: string[];
}

export function studiesRoute(options: StudiesRouteOptions = {}): ApiRoute {
  const open = new Map<string, Promise<RdbStorage>>();
  const storageOf = (url: string): Promise<RdbStorage> => {
    let s = open.get(url);
    if (!s) {
      s = openStudyStorage(url);
      s.catch(() => open.delete(url)); // a storage that failed to open is tried again next time
      open.set(url, s);
    }
    return s;
  };

  /** label -> URL of every storage: files by their path under the log directory, URLs redacted. */
  const storages = async (logDir: string): Promise<Map<string, string>> => {
    const found = new Map<string, string>();
    for (const file of await findStudyDatabases(logDir))
      found.set(path.relative(logDir, file).split(path.sep).join('/'), sqliteUrl(file));
    for (const url of options.storages ?? []) found.set(redact(url), url);
    return found;
  };

  const list = async (logDir: string) => {
    const out: unknown[] = [];
    for (const [label, url] of await storages(logDir)) {
      try {
        for (const study of await listStudies(await storageOf(url))) out.push({ storage: label, ...study });
      } catch (err) {
        out.push({ storage: label, error: (err as Error).message });
      }
    }
    return out;
  };

  const details = async (logDir: string, label: string, studyName: string) => {
    const url = (await storages(logDir)).get(label);
    if (!url) throw new HttpError(404, `no study storage '${label}'`);
    let data;
    try {
      data = await readStudy(await storageOf(url), studyName);
    } catch (err) {
      throw new HttpError(404, (err as Error).message);
    }
    const importances = studyImportances(data);
    // `tools search` runs trial n in <study folder>/trial_<n>/ next to study.db: the table links to those runs.
    const file = /^sqlite:\/\/\/(.*)$/.exec(url)?.[1];
    const runOf = (n: number): string | null => {
      const dir = file && path.join(path.dirname(file), `trial_${n}`);
      if (!dir || !fs.existsSync(dir) || !isRunDir(dir)) return null;
      const rel = path.relative(logDir, dir);
      return rel.startsWith('..') ? null : rel.split(path.sep).join('/');
    };
    return {
      storage: label,
      ...overviewOf(data),
      trials: [...data.trials]
        .sort((a, b) => a.number - b.number)
        .map((t) => ({
          number: t.number,
          state: t.state,
          value: t.values?.[0] ?? null,
          params: t.params,
          datetimeStart: t.datetimeStart,
          datetimeComplete: t.datetimeComplete,
          intermediateSteps: t.intermediateValues.size,
          run: runOf(t.number),
        })),
      specs: {
        optimization_history: optimizationHistorySpec(data),
        param_importances:
          'importances' in importances ? paramImportancesSpec(studyName, importances.importances) : null,
        parallel_coordinate: data.trials.some((t) => Object.keys(t.params).length > 0)
          ? parallelCoordinateSpec(data)
          : null,
      },
      importancesError: 'error' in importances ? importances.error : null,
    };
  };

  return {
    name: 'studies',
    handle: (query, logDir) => {
      const label = query.get('storage');
      const study = query.get('study');
      if (label === null && study === null) return list(logDir);
      if (label === null || study === null) throw new HttpError(400, 'pass both storage= and study=, or neither');
      return details(logDir, label, study);
    },
    // What changes when a worker adds or finishes a trial or reports a value: the live stream sends `studies`.
    watch: async (logDir) => {
      const parts: string[] = [];
      for (const [label, url] of await storages(logDir)) {
        try {
          const rows = await (
            await storageOf(url)
          ).db.all(
            'SELECT (SELECT COUNT(*) FROM trials) AS n, (SELECT COUNT(*) FROM trial_values) AS v, ' +
              '(SELECT COUNT(*) FROM trial_intermediate_values) AS i, ' +
              "(SELECT COUNT(*) FROM trials WHERE state = 'RUNNING') AS r, (SELECT COUNT(*) FROM studies) AS s",
          );
          parts.push(`${label}:${JSON.stringify(rows[0])}`);
        } catch (err) {
          parts.push(`${label}:${(err as Error).message}`);
        }
      }
      return parts.join('|');
    },
    close: async () => {
      const all = [...open.values()];
      open.clear();
      await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => undefined)));
    },
  };
}
