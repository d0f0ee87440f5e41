// Where studies are and what they hold, for the plots and the dashboard: SQLite files with Optuna's schema under a
// log directory (`<runs>/optuna_studies/<study>/study.db` is where `tools search` puts one) or any storage URL.
// Reading never changes a storage: a file without Optuna's tables is refused rather than given the schema, and a
// SQLite file keeps its journal mode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RdbStorage, type FrozenTrial, type StudyDirection, type TrialState } from '../../search';
import { completedTrials, studyParamNames, type StudyPlotData } from './study-plots';

const SQLITE_MAGIC = 'SQLite format 3\0';
const DB_EXTENSIONS = ['.db', '.sqlite', '.sqlite3'];

function isSqliteFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(16);
      return fs.readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === SQLITE_MAGIC;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** True when the SQLite file has Optuna's tables (studies, trials, and version_info or alembic_version). */
export async function isOptunaSqlite(file: string): Promise<boolean> {
  if (!isSqliteFile(file)) return false;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
        (r) => r.name,
      ),
    );
    return (
      tables.has('studies') && tables.has('trials') && (tables.has('version_info') || tables.has('alembic_version'))
    );
  } catch {
    return false;
  } finally {
    db.close();
  }
}

/**
 * SQLite files under `logDir` (`*.db`, `*.sqlite`, `*.sqlite3`, up to `maxDepth` levels, not inside checkpoints/,
 * tensorboard/, mlruns/ or hidden folders) that hold Optuna's schema, sorted by path.
 */
export async function findStudyDatabases(logDir: string, maxDepth = 6): Promise<string[]> {
  const candidates: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const skip =
          entry.name.startsWith('.') || ['node_modules', 'checkpoints', 'tensorboard', 'mlruns'].includes(entry.name);
        if (!skip && depth < maxDepth) walk(full, depth + 1);
      } else if (entry.isFile() && DB_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
        candidates.push(full);
      }
    }
  };
  walk(logDir, 0);
  const found: string[] = [];
  for (const file of candidates.sort()) if (await isOptunaSqliteCached(file)) found.push(file);
  return found;
}

// The dashboard looks for storages every second: a file found to be one stays one; another file is checked again
// only when it changes.
const schemaChecks = new Map<string, { mtimeMs: number; optuna: boolean }>();

async function isOptunaSqliteCached(file: string): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return false; // removed since the folder was listed
  }
  const seen = schemaChecks.get(file);
  if (seen && (seen.optuna || seen.mtimeMs === mtimeMs)) return seen.optuna;
  const optuna = await isOptunaSqlite(file);
  schemaChecks.set(file, { mtimeMs, optuna });
  return optuna;
}

/**
 * Opens a storage to read it. A sqlite:/// URL must name an existing file with Optuna's tables (so a typo never
 * creates an empty database); the file's journal mode is left alone.
 */
export async function openStudyStorage(url: string): Promise<RdbStorage> {
  const sqlite = /^sqlite:\/\/\/(.*)$/.exec(url);
  if (sqlite) {
    const file = sqlite[1];
    if (!fs.existsSync(file)) throw new Error(`storage ${url}: no such file ${path.resolve(file)}`);
    if (!(await isOptunaSqlite(file)))
      throw new Error(`storage ${url}: not an Optuna storage (no studies/trials/version_info tables)`);
  }
  return RdbStorage.open(url, { sqliteJournalMode: 'keep' });
}

export interface StudyOverview {
  studyName: string;
  direction: StudyDirection;
  nTrials: number;
  /** Trials per state. */
  states: Partial<Record<TrialState, number>>;
  best?: { number: number; value: number };
  params: string[];
  /** The newest datetime_start or datetime_complete of its trials (Optuna's local time text). */
  lastActivity?: string;
}

function bestOf(trials: FrozenTrial[], direction: StudyDirection): StudyOverview['best'] {
  const done = completedTrials(trials);
  if (done.length === 0) return undefined;
  const sign = direction === 'MINIMIZE' ? 1 : -1;
  const t = done.reduce((a, b) => (sign * (b.values as number[])[0] < sign * (a.values as number[])[0] ? b : a));
  return { number: t.number, value: (t.values as number[])[0] };
}

/** A study's trials (single-objective; a multi-objective study is refused with its name). */
export async function readStudy(storage: RdbStorage, studyName: string): Promise<StudyPlotData> {
  const studies = await storage.getAllStudies();
  const study = studies.find((s) => s.studyName === studyName);
  if (!study) {
    const names = studies.map((s) => s.studyName);
    throw new Error(
      `no study named '${studyName}' in this storage; ` +
        (names.length ? `it has: ${names.join(', ')}` : 'it holds no study'),
    );
  }
  if (study.directions.length !== 1)
    throw new Error(
      `study '${studyName}' has ${study.directions.length} objectives: only single-objective studies are drawn`,
    );
  return { studyName, direction: study.directions[0], trials: await storage.getAllTrials(study.studyId) };
}

export function overviewOf(data: StudyPlotData): StudyOverview {
  const states: Partial<Record<TrialState, number>> = {};
  for (const t of data.trials) states[t.state] = (states[t.state] ?? 0) + 1;
  const times = data.trials.flatMap((t) => [t.datetimeStart, t.datetimeComplete]).filter((v): v is string => !!v);
  return {
    studyName: data.studyName,
    direction: data.direction,
    nTrials: data.trials.length,
    states,
    best: bestOf(data.trials, data.direction),
    params: studyParamNames(data.trials),
    lastActivity: times.sort().pop(),
  };
}

/** Every single-objective study of a storage with its trial counts and best value. */
export async function listStudies(storage: RdbStorage): Promise<StudyOverview[]> {
  const out: StudyOverview[] = [];
  for (const s of await storage.getAllStudies()) {
    if (s.directions.length !== 1) continue;
    out.push(
      overviewOf({ studyName: s.studyName, direction: s.directions[0], trials: await storage.getAllTrials(s.studyId) }),
    );
  }
  return out;
}
