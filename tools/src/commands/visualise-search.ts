// `tools visualise --mode search`: a study's plots (optuna.visualization's six) as PNG files and self-contained
// interactive HTML pages. The study is found by name: in --storage, else at <logdir>/**/optuna_studies/<name>/study.db
// (where `tools search` writes it), else in any Optuna SQLite file under the log directory.
import {
  closest,
  findStudyDatabases,
  listStudies,
  openStudyStorage,
  outputsDir,
  readStudy,
  sqliteUrl,
  STUDY_PLOT_TYPES,
  studyFolder,
  writeStudyPlots,
  type StudyPlotType,
  type WrittenStudyPlot,
} from '@research/common';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SearchPlotOptions {
  studyName?: string;
  storage?: string;
  logdir?: string;
  plotType?: string[];
  params?: string[];
  outputDir?: string;
}

/** The plot types asked for (all when none), each checked: a misspelt one names the nearest. */
export function parsePlotTypes(values: string[] | undefined): StudyPlotType[] {
  if (!values || values.length === 0) return [...STUDY_PLOT_TYPES];
  const names: string[] = [...STUDY_PLOT_TYPES];
  return values
    .flatMap((v) => v.split(','))
    .map((v) => {
      if (names.includes(v)) return v as StudyPlotType;
      const near = closest(v, names);
      throw new Error(
        `--plot-type '${v}': expected one of ${names.join(', ')}` + (near ? `; did you mean '${near}'?` : ''),
      );
    });
}

/** Where the study is: its storage URL and the folder its plots go to by default. */
export async function locateStudy(
  studyName: string,
  storage: string | undefined,
  logDir: string,
): Promise<{ url: string; plotsDir: string }> {
  const byName = (runsDir: string) => path.join(studyFolder(runsDir, studyName), 'plots');
  if (storage) {
    const file = /^sqlite:\/\/\/(.*\/optuna_studies\/[^/]+)\/[^/]+$/.exec(storage)?.[1];
    return { url: storage, plotsDir: file ? path.join(file, 'plots') : byName(logDir) };
  }
  if (!fs.existsSync(logDir)) throw new Error(`--logdir ${logDir}: no such folder`);
  const files = await findStudyDatabases(logDir);
  const suffix = path.join('optuna_studies', studyName, 'study.db');
  const own = files.filter((f) => f.endsWith(path.sep + suffix));
  if (own.length > 1)
    throw new Error(`study '${studyName}': several databases under ${logDir}, pass --storage: ${own.join(', ')}`);
  if (own.length === 1) return { url: sqliteUrl(own[0]), plotsDir: path.join(path.dirname(own[0]), 'plots') };
  // Not at its default place: any Optuna file that holds a study of that name, else the list of what there is.
  const present: string[] = [];
  for (const file of files) {
    const s = await openStudyStorage(sqliteUrl(file));
    try {
      const names = (await listStudies(s)).map((o) => o.studyName);
      if (names.includes(studyName)) return { url: sqliteUrl(file), plotsDir: byName(logDir) };
      present.push(...names.map((n) => `${n} (${path.relative(logDir, file)})`));
    } finally {
      await s.close();
    }
  }
  throw new Error(
    `no study named '${studyName}' under ${logDir} (looked for */${suffix} and in every Optuna SQLite file); ` +
      (present.length ? `studies found: ${present.join(', ')}` : 'no study found; pass --storage <url>'),
  );
}

/** Writes the study's plots; returns what was written (and what could not be drawn, with why). */
export async function plotStudy(o: SearchPlotOptions): Promise<{ outDir: string; written: WrittenStudyPlot[] }> {
  if (!o.studyName) throw new Error('--mode search needs --study-name <name>');
  const types = parsePlotTypes(o.plotType);
  const { url, plotsDir } = await locateStudy(o.studyName, o.storage, path.resolve(o.logdir ?? outputsDir()));
  const storage = await openStudyStorage(url);
  try {
    const data = await readStudy(storage, o.studyName);
    const outDir = path.resolve(o.outputDir ?? plotsDir);
    return { outDir, written: writeStudyPlots(data, { types, params: o.params, outDir }) };
  } finally {
    await storage.close();
  }
}
