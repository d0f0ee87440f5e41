// Where `tools search` keeps a study under a runs folder: the one convention the search, its plots and the dashboard
// share. `<runs>/optuna_studies/<study>/` holds the trials' run folders, best_config.yaml and, by default, study.db.
import * as path from 'node:path';

/** The folder of a study's trials and files: `<runs>/optuna_studies/<study>/` (absolute). */
export function studyFolder(runsDir: string, studyName: string): string {
  return path.join(path.resolve(runsDir), 'optuna_studies', studyName);
}

/** The default database file of a study. */
export function defaultStudyDb(runsDir: string, studyName: string): string {
  return path.join(studyFolder(runsDir, studyName), 'study.db');
}

/** The storage URL of a SQLite file (sqlite:////abs/path.db for an absolute path, as SQLAlchemy writes it). */
export function sqliteUrl(file: string): string {
  return `sqlite:///${path.resolve(file)}`;
}

/** The default storage of a study: `sqlite:///<runs>/optuna_studies/<study>/study.db`. */
export function defaultStudyStorage(runsDir: string, studyName: string): string {
  return sqliteUrl(defaultStudyDb(runsDir, studyName));
}
