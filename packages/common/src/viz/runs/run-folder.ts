// What a run folder holds, read back for the dashboard and the report: config, metrics, results, events, PNGs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isEventFile, readEvents, type ImageEvent, type RunEvents } from '../tensorboard/event-reader';
import {
  isMlflowRunDir,
  mlflowLatestWrite,
  readMlflowParams,
  readMlflowRunMeta,
  readMlflowScalars,
  readMlflowTags,
} from './mlflow-runs';

/** Seconds since the last write after which a run without results.json counts as stopped rather than running. */
export const RUNNING_WINDOW_SECONDS = 120;

export interface RunSummary {
  /** Path relative to the log directory, '/'-separated: the run's id in URLs. */
  id: string;
  project: string;
  experiment: string;
  /** The run folder's own name (a timestamp for runs the apps write). */
  name: string;
  /** Last write to the folder's files (ms since epoch). */
  updated: number;
  status: 'finished' | 'running' | 'stopped' | 'failed';
  /** When the run started (ms since epoch), where the run says (MLflow's start_time). */
  started?: number;
  /** The headline metric: from results.json if there is one, else the best validation value of metrics.json. */
  best?: { name: string; value: number };
}

export interface ScalarSeries {
  tag: string;
  points: Array<{ step: number; value: number; wallTime?: number }>;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/** config.yaml as an object (undefined if absent). */
export function readRunConfig(runDir: string): Record<string, unknown> | undefined {
  if (isMlflowRunDir(runDir)) return { params: readMlflowParams(runDir), tags: readMlflowTags(runDir) };
  const file = path.join(runDir, 'config.yaml');
  if (!fs.existsSync(file)) return undefined;
  try {
    return (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file}: not valid YAML (${(err as Error).message})`, { cause: err });
  }
}

/** results.json (final metrics), or undefined. */
export function readRunResults(runDir: string): Record<string, unknown> | undefined {
  return readJson(path.join(runDir, 'results.json')) as Record<string, unknown> | undefined;
}

/** metrics.json: one record per epoch, or []. */
export function readRunMetrics(runDir: string): Array<Record<string, unknown>> {
  const value = readJson(path.join(runDir, 'metrics.json'));
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new Error(`${path.join(runDir, 'metrics.json')}: expected an array of per-epoch records`);
  return value as Array<Record<string, unknown>>;
}

/** The run's TensorBoard folders: `tensorboard/` and its subfolders with event files (addScalars' runs). */
export function eventDirs(runDir: string): Array<{ dir: string; prefix: string }> {
  const root = path.join(runDir, 'tensorboard');
  if (!fs.existsSync(root)) return [];
  const dirs = [{ dir: root, prefix: '' }];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory()) dirs.push({ dir: path.join(root, entry.name), prefix: `${entry.name}/` });
  }
  return dirs.filter(({ dir }) => fs.readdirSync(dir).some(isEventFile));
}

// Event files are re-read only when their size or mtime changed (the dashboard polls running runs).
const eventCache = new Map<string, { key: string; events: RunEvents }>();

function eventsOf(dir: string): RunEvents {
  const key = fs
    .readdirSync(dir)
    .filter(isEventFile)
    .sort()
    .map((name) => {
      const stat = fs.statSync(path.join(dir, name));
      return `${name}:${stat.size}:${stat.mtimeMs}`;
    })
    .join('|');
  const hit = eventCache.get(dir);
  if (hit && hit.key === key) return hit.events;
  const events = readEvents(dir);
  eventCache.set(dir, { key, events });
  return events;
}

/** Every scalar of the run's event files (subfolder runs as `<subfolder>/<tag>`); metrics.json when there are none. */
export function readRunScalars(runDir: string): ScalarSeries[] {
  if (isMlflowRunDir(runDir)) return readMlflowScalars(runDir);
  const series: ScalarSeries[] = [];
  for (const { dir, prefix } of eventDirs(runDir)) {
    for (const [tag, points] of Object.entries(eventsOf(dir).scalars)) series.push({ tag: prefix + tag, points });
  }
  if (series.length > 0) return series;
  const byKey = new Map<string, ScalarSeries>();
  readRunMetrics(runDir).forEach((record, row) => {
    const step = typeof record.epoch === 'number' ? record.epoch : row;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'epoch' || typeof value !== 'number') continue;
      if (!byKey.has(key)) byKey.set(key, { tag: key, points: [] });
      byKey.get(key)!.points.push({ step, value });
    }
  });
  return [...byKey.values()];
}

/** Image summaries per tag (event files), in step order. */
export function readRunImages(runDir: string): Record<string, ImageEvent[]> {
  const images: Record<string, ImageEvent[]> = {};
  for (const { dir, prefix } of eventDirs(runDir)) {
    for (const [tag, list] of Object.entries(eventsOf(dir).images))
      images[prefix + tag] = [...list].sort((a, b) => a.step - b.step);
  }
  return images;
}

/** PNG files the run wrote (plots, samples), relative to the run folder, outside checkpoints/ and tensorboard/. */
export function listRunPngs(runDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string, depth: number): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && depth < 3 && !['checkpoints', 'tensorboard'].includes(entry.name))
        walk(path.join(dir, entry.name), relPath, depth + 1);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.png')) out.push(relPath);
    }
  };
  walk(runDir, '', 0);
  return out;
}

/** The newest file write in the run folder and its event folders (the folder's own mtime if it has no file). */
export function latestWrite(runDir: string): number {
  if (isMlflowRunDir(runDir)) return mlflowLatestWrite(runDir);
  let latest = 0;
  const consider = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const stat = fs.statSync(path.join(dir, name));
      if (stat.isFile()) latest = Math.max(latest, stat.mtimeMs);
    }
  };
  consider(runDir);
  for (const { dir } of eventDirs(runDir)) consider(dir);
  return latest || fs.statSync(runDir).mtimeMs;
}

// The headline metric's names, in order of preference, as flat keys of results.json (hrnet nests test.top1).
const HEADLINE = ['test_acc', 'test_accuracy', 'test_top1', 'test.top1', 'test.acc', 'knn_acc', 'accuracy', 'val_acc'];

function bestMetric(runDir: string): RunSummary['best'] {
  const results = readRunResults(runDir);
  if (results) {
    const flat = flattenObject(results);
    const key = HEADLINE.find((k) => typeof flat.get(k) === 'number');
    if (key) return { name: key, value: flat.get(key) as number };
  }
  const metrics = readRunMetrics(runDir);
  return bestEpochValue((name) => metrics.map((m) => m[name]));
}

/** Without a test figure: the best validation accuracy or loss over the epochs, else the lowest training loss. */
function bestEpochValue(seriesOf: (name: string) => unknown[]): RunSummary['best'] {
  for (const [name, pick] of [
    ['val_acc', Math.max],
    ['val_accuracy', Math.max],
    ['val_loss', Math.min],
    ['train_loss', Math.min],
  ] as const) {
    const values = seriesOf(name).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length) return { name, value: pick(...values) };
  }
  return undefined;
}

/**
 * True for a folder a run wrote: config.yaml, metrics.json, results.json or a tensorboard/ folder in it, or a run of
 * an MLflow file store (mlruns/<experiment>/<run>/ with meta.yaml and metrics/).
 */
export function isRunDir(dir: string): boolean {
  return (
    ['config.yaml', 'metrics.json', 'results.json', 'tensorboard'].some((name) =>
      fs.existsSync(path.join(dir, name)),
    ) || isMlflowRunDir(dir)
  );
}

/** The best of an MLflow run's metrics: a test metric's last value, else the best validation value, else train loss. */
function mlflowBest(runDir: string): RunSummary['best'] {
  const series = new Map(readMlflowScalars(runDir).map((s) => [s.tag, s.points.map((p) => p.value)]));
  for (const key of HEADLINE.filter((k) => /^(test|knn)/.test(k))) {
    const values = series.get(key);
    if (values?.length) return { name: key, value: values[values.length - 1] };
  }
  return bestEpochValue((name) => series.get(name) ?? []);
}

const MLFLOW_STATUS: Record<string, RunSummary['status']> = {
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'stopped',
  SCHEDULED: 'stopped',
};

/** An MLflow run in the run list: project = its experiment's name, the run's name, MLflow's status and start. */
function summarizeMlflowRun(logDir: string, runDir: string, now: number): RunSummary {
  const meta = readMlflowRunMeta(runDir);
  const parts = path.relative(logDir, runDir).split(path.sep).filter(Boolean);
  const updated = latestWrite(runDir);
  // RUNNING is what a killed process leaves behind: running only while it writes, as for run folders.
  const status =
    meta.status === 'RUNNING'
      ? now - updated < RUNNING_WINDOW_SECONDS * 1000
        ? 'running'
        : 'stopped'
      : MLFLOW_STATUS[meta.status];
  return {
    id: parts.join('/'),
    project: meta.experimentName,
    experiment: `mlflow ${parts.slice(0, -2).join('/') || '.'}`,
    name: meta.runName,
    updated,
    started: meta.startTime,
    status,
    best: mlflowBest(runDir),
  };
}

export function summarizeRun(logDir: string, runDir: string, now = Date.now()): RunSummary {
  if (isMlflowRunDir(runDir)) return summarizeMlflowRun(logDir, runDir, now);
  const parts = path.relative(logDir, runDir).split(path.sep).filter(Boolean);
  const updated = latestWrite(runDir);
  const finished = fs.existsSync(path.join(runDir, 'results.json'));
  return {
    id: parts.join('/'),
    project: parts.length > 1 ? parts[0] : '',
    experiment: parts.slice(1, -1).join('/'),
    name: parts[parts.length - 1] ?? path.basename(runDir),
    updated,
    status: finished ? 'finished' : now - updated < RUNNING_WINDOW_SECONDS * 1000 ? 'running' : 'stopped',
    best: bestMetric(runDir),
  };
}

/**
 * The run folders under `logDir` (`<project>/<experiment>/<timestamp>/` and deeper layouts), walked up to `maxDepth`
 * levels; a run folder's own subfolders are not searched for further runs.
 */
export function findRunDirs(logDir: string, maxDepth = 6): string[] {
  if (!fs.existsSync(logDir)) throw new Error(`findRuns: the log directory ${logDir} does not exist`);
  const dirs: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (isRunDir(dir)) {
      dirs.push(dir);
      return;
    }
    if (depth >= maxDepth) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
        walk(path.join(dir, entry.name), depth + 1);
    }
  };
  walk(logDir, 0);
  return dirs;
}

/** Every run under `logDir` with its summary, newest first. */
export function findRuns(logDir: string, maxDepth = 6): RunSummary[] {
  return findRunDirs(logDir, maxDepth)
    .map((dir) => summarizeRun(logDir, dir))
    .sort((a, b) => b.updated - a.updated);
}

/** Nested objects as dotted keys ({a: {b: 1}} → 'a.b' → 1); arrays and other values are leaves. */
export function flattenObject(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, prefix: string): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, prefix ? `${prefix}.${k}` : k);
    } else {
      out.set(prefix, v);
    }
  };
  walk(value, '');
  return out;
}

/** The keys (dotted paths) whose values differ between two configs, with both values (undefined when absent). */
export function diffConfigs(a: unknown, b: unknown): Array<{ key: string; a: unknown; b: unknown }> {
  const fa = flattenObject(a);
  const fb = flattenObject(b);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return keys
    .filter((k) => JSON.stringify(fa.get(k)) !== JSON.stringify(fb.get(k)))
    .map((key) => ({ key, a: fa.get(key), b: fb.get(key) }));
}
