// Runs of an MLflow file store (`mlruns/<experiment_id>/<run_id>/`, as MLflow and common's tracking write it), read
// for the dashboard: meta.yaml (name, status, start time), metrics/<key> lines "<timestamp_ms> <value> <step>",
// params/<key> and tags/<key> (keys with '/' are subfolders), artifacts/ files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** mlflow.entities.RunStatus: the number the file store writes, or the name. */
const RUN_STATUS: Record<string, MlflowRunMeta['status']> = {
  '1': 'RUNNING',
  '2': 'SCHEDULED',
  '3': 'FINISHED',
  '4': 'FAILED',
  '5': 'KILLED',
};

export interface MlflowRunMeta {
  runId: string;
  runName: string;
  experimentId: string;
  experimentName: string;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  /** ms since epoch. */
  startTime?: number;
  endTime?: number;
}

function readYaml(file: string): Record<string, unknown> {
  try {
    return (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file}: not valid YAML (${(err as Error).message})`, { cause: err });
  }
}

/** A run folder of an MLflow file store: meta.yaml and metrics/ in it, its experiment's meta.yaml above it. */
export function isMlflowRunDir(dir: string): boolean {
  return (
    fs.existsSync(path.join(dir, 'meta.yaml')) &&
    fs.existsSync(path.join(dir, 'metrics')) &&
    fs.existsSync(path.join(path.dirname(dir), 'meta.yaml'))
  );
}

const numberOrUndefined = (v: unknown): number | undefined =>
  v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);

export function readMlflowRunMeta(runDir: string): MlflowRunMeta {
  const meta = readYaml(path.join(runDir, 'meta.yaml'));
  const experiment = readYaml(path.join(path.dirname(runDir), 'meta.yaml'));
  const status = RUN_STATUS[String(meta.status)] ?? (String(meta.status) as MlflowRunMeta['status']);
  if (!Object.values(RUN_STATUS).includes(status))
    throw new Error(`${path.join(runDir, 'meta.yaml')}: status '${meta.status}' is not an MLflow run status (1-5)`);
  const runId = String(meta.run_id ?? meta.run_uuid ?? path.basename(runDir));
  return {
    runId,
    runName: meta.run_name ? String(meta.run_name) : runId,
    experimentId: String(meta.experiment_id ?? path.basename(path.dirname(runDir))),
    experimentName: String(experiment.name ?? path.basename(path.dirname(runDir))),
    status,
    startTime: numberOrUndefined(meta.start_time),
    endTime: numberOrUndefined(meta.end_time),
  };
}

/** Every file under `dir` as key (its '/'-joined relative path) -> text. */
function readKeyFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string, prefix: string) => {
    if (!fs.existsSync(at)) return;
    for (const entry of fs.readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const key = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(at, entry.name), key);
      else if (entry.isFile()) out.set(key, fs.readFileSync(path.join(at, entry.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

/** Python's float repr back to a number ('nan', 'inf', '-inf' included). */
function parseFloatRepr(text: string): number {
  if (text === 'nan') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** metrics/<key>: one series per key, points in file order (a metric logged twice at a step keeps both). */
export function readMlflowScalars(runDir: string): Array<{
  tag: string;
  points: Array<{ step: number; value: number; wallTime: number }>;
}> {
  return [...readKeyFiles(path.join(runDir, 'metrics'))].map(([tag, text]) => ({
    tag,
    points: text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        const [ts, value, step] = line.trim().split(/\s+/);
        const point = {
          step: step === undefined ? 0 : Number(step),
          value: parseFloatRepr(value),
          wallTime: Number(ts) / 1000,
        };
        if (!Number.isFinite(point.wallTime) || Number.isNaN(point.step) || value === undefined)
          throw new Error(
            `${path.join(runDir, 'metrics', tag)} line ${i + 1}: expected '<timestamp_ms> <value> <step>'`,
          );
        return point;
      }),
  }));
}

export function readMlflowParams(runDir: string): Record<string, string> {
  return Object.fromEntries(readKeyFiles(path.join(runDir, 'params')));
}

export function readMlflowTags(runDir: string): Record<string, string> {
  return Object.fromEntries(readKeyFiles(path.join(runDir, 'tags')));
}

/** The newest write among the run's meta.yaml and metric files (ms). */
export function mlflowLatestWrite(runDir: string): number {
  let latest = fs.statSync(path.join(runDir, 'meta.yaml')).mtimeMs;
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else latest = Math.max(latest, fs.statSync(full).mtimeMs);
    }
  };
  walk(path.join(runDir, 'metrics'));
  return latest;
}
