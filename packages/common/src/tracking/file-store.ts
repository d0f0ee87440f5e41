// MLflow's local file store (the `./mlruns` layout of mlflow.store.tracking.file_store.FileStore), written directly:
//   mlruns/<experiment_id>/meta.yaml                         experiment (0 = "Default", created with the store)
//   mlruns/<experiment_id>/<run_id>/meta.yaml                run info (status 1 RUNNING ... 3 FINISHED)
//   mlruns/<experiment_id>/<run_id>/metrics/<key>            lines "<timestamp_ms> <value> <step>"
//   mlruns/<experiment_id>/<run_id>/params/<key>             the value
//   mlruns/<experiment_id>/<run_id>/tags/<key>               the value (mlflow.runName, mlflow.source.git.commit, ...)
//   mlruns/<experiment_id>/<run_id>/artifacts/               files
// New experiments get the largest numeric id + 1, as FileStore.create_experiment. MLflow >= 3.13 opens such a store
// only with MLFLOW_ALLOW_FILE_STORE=true (or after `mlflow migrate-filestore`).
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../io';
import { pythonFloatRepr } from './python-float';
import type { MetricPoint, RunStatus, StartRunOptions, TrackedRun, TrackingBackend } from './types';

/** mlflow.entities.RunStatus numbers. */
const STATUS_CODE: Record<RunStatus, number> = { RUNNING: 1, FINISHED: 3, FAILED: 4, KILLED: 5 };
/** mlflow.entities.SourceType.LOCAL. */
const SOURCE_TYPE_LOCAL = 4;

// YAML 1.1 resolvers PyYAML applies to plain scalars: a string that would read back as a bool, null, int or float is
// quoted; so is one starting with an indicator character or holding ": " / " #".
const YAML_BOOL_NULL =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL)$/;
const YAML_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const YAML_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** A YAML scalar as PyYAML's safe_dump writes it (strings quoted when YAML would read them as something else). */
export function yamlScalar(value: string | number | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  const needsQuotes =
    value === '' ||
    YAML_BOOL_NULL.test(value) ||
    YAML_INT.test(value) ||
    YAML_FLOAT.test(value) ||
    /^[#,[\]{}&*!|>'"%@`\s]/.test(value) ||
    /^[-?:](\s|$)/.test(value) ||
    /\s$/.test(value) ||
    /: |:$| #/.test(value) ||
    /[^\x20-\x7e]/.test(value);
  return needsQuotes ? `'${value.replace(/'/g, "''")}'` : value;
}

function yamlDump(fields: Record<string, string | number | null | []>): string {
  return (
    Object.keys(fields)
      .sort()
      .map((k) => `${k}: ${Array.isArray(fields[k]) ? '[]' : yamlScalar(fields[k] as string | number | null)}`)
      .join('\n') + '\n'
  );
}

/** Reads the flat `key: value` meta.yaml files this store (and MLflow) writes. */
function readMeta(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([\w]+):\s?(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if (/^'.*'$/.test(v)) v = v.slice(1, -1).replace(/''/g, "'");
    else if (/^".*"$/.test(v)) v = JSON.parse(v) as string;
    out[m[1]] = v;
  }
  return out;
}

/** MLflow's rule for metric, param and tag keys: alphanumerics, _ - . space and /, no '..' or leading '/'. */
export function checkMlflowKey(key: string, what: string): void {
  if (!/^[\w\-. /]+$/.test(key) || key.includes('..') || key.startsWith('/') || key.length > 250) {
    throw new Error(
      `MLflow ${what} key '${key}': use letters, digits, '_', '-', '.', ' ' and '/' (not leading, no '..'), at most 250 characters`,
    );
  }
}

export class MlflowFileStore implements TrackingBackend {
  readonly root: string;

  constructor(root = 'mlruns') {
    this.root = path.resolve(root);
  }

  get description(): string {
    return `MLflow file store ${this.root}`;
  }

  private ensureDefaultExperiment(): void {
    if (!fs.existsSync(path.join(this.root, '0', 'meta.yaml'))) this.writeExperiment('0', 'Default');
  }

  private writeExperiment(id: string, name: string): void {
    const now = Date.now();
    const dir = path.join(this.root, id);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(
      path.join(dir, 'meta.yaml'),
      yamlDump({
        artifact_location: pathToFileURL(dir).href,
        creation_time: now,
        experiment_id: id,
        last_update_time: now,
        lifecycle_stage: 'active',
        name,
      }),
    );
  }

  /** {id, name} of every experiment in the store. */
  listExperiments(): { id: string; name: string }[] {
    if (!fs.existsSync(this.root)) return [];
    return fs
      .readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(this.root, e.name, 'meta.yaml')))
      .map((e) => ({ id: e.name, name: readMeta(path.join(this.root, e.name, 'meta.yaml')).name }));
  }

  /** The id of the experiment called `name`, created when it does not exist. */
  experimentId(name: string): string {
    this.ensureDefaultExperiment();
    const all = this.listExperiments();
    const found = all.find((e) => e.name === name);
    if (found) return found.id;
    const ids = all
      .map((e) => e.id)
      .filter((id) => /^\d+$/.test(id))
      .map(Number);
    const id = String(ids.length ? Math.max(...ids) + 1 : 0);
    this.writeExperiment(id, name);
    return id;
  }

  private runDir(run: TrackedRun): string {
    return path.join(this.root, run.experimentId, run.runId);
  }

  async startRun(opts: StartRunOptions): Promise<TrackedRun> {
    const experimentId = this.experimentId(opts.experimentName);
    const runId = randomUUID().replace(/-/g, '');
    const dir = path.join(this.root, experimentId, runId);
    for (const sub of ['metrics', 'params', 'tags', 'artifacts'])
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const run: TrackedRun = { runId, experimentId, artifactUri: pathToFileURL(path.join(dir, 'artifacts')).href };
    this.writeRunMeta(run, {
      status: 'RUNNING',
      startTime: opts.startTime ?? Date.now(),
      endTime: null,
      runName: opts.runName,
    });
    await this.logBatch(run, {
      tags: {
        'mlflow.runName': opts.runName,
        'mlflow.user': os.userInfo().username,
        'mlflow.source.type': 'LOCAL',
        ...opts.tags,
      },
    });
    return run;
  }

  private writeRunMeta(
    run: TrackedRun,
    info: { status: RunStatus; startTime: number; endTime: number | null; runName: string },
  ): void {
    writeFileAtomic(
      path.join(this.runDir(run), 'meta.yaml'),
      yamlDump({
        artifact_uri: run.artifactUri,
        end_time: info.endTime,
        entry_point_name: '',
        experiment_id: run.experimentId,
        lifecycle_stage: 'active',
        run_id: run.runId,
        run_name: info.runName,
        run_uuid: run.runId,
        source_name: '',
        source_type: SOURCE_TYPE_LOCAL,
        source_version: '',
        start_time: info.startTime,
        status: STATUS_CODE[info.status],
        tags: [],
        user_id: os.userInfo().username,
      }),
    );
  }

  async logBatch(
    run: TrackedRun,
    batch: { metrics?: MetricPoint[]; params?: Record<string, string>; tags?: Record<string, string> },
  ): Promise<void> {
    const dir = this.runDir(run);
    for (const m of batch.metrics ?? []) {
      checkMlflowKey(m.key, 'metric');
      const file = path.join(dir, 'metrics', m.key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, `${Math.round(m.timestamp)} ${pythonFloatRepr(m.value)} ${m.step}\n`);
    }
    for (const [key, value] of Object.entries(batch.params ?? {})) {
      checkMlflowKey(key, 'param');
      const file = path.join(dir, 'params', key);
      if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== value) {
        throw new Error(
          `MLflow param '${key}' is already logged as '${fs.readFileSync(file, 'utf8')}'; params cannot change (got '${value}')`,
        );
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, value);
    }
    for (const [key, value] of Object.entries(batch.tags ?? {})) {
      checkMlflowKey(key, 'tag');
      const file = path.join(dir, 'tags', key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, value);
    }
  }

  async logArtifact(run: TrackedRun, file: string, artifactPath = ''): Promise<void> {
    const target = path.join(this.runDir(run), 'artifacts', artifactPath, path.basename(file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
  }

  async endRun(run: TrackedRun, status: RunStatus, endTime = Date.now()): Promise<void> {
    const meta = readMeta(path.join(this.runDir(run), 'meta.yaml'));
    this.writeRunMeta(run, { status, startTime: Number(meta.start_time), endTime, runName: meta.run_name });
  }
}
