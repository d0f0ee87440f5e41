// Studies shared with Python Optuna 3.1 (Debian's python3-optuna), on SQLite and on a real PostgreSQL server.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { categoricalDistribution, distributionToJson, floatDistribution } from './distributions';
import { RdbStorage } from './rdb-storage';
import { TrialPruned } from './sampler';
import { TPESampler } from './samplers/tpe';
import { createStudy, loadStudy } from './study';
import { tempDir } from './test-support/golden';
import { freshPostgresDatabase } from './test-support/postgres';
import { PYTHON, runPython } from './test-support/python';
import { sigkill, startHangingWorker } from './test-support/spawn-worker';

const script = fs.readFileSync(path.join(__dirname, 'test-support/optuna_interop.py'), 'utf8');
const dir = tempDir('interop');

interface Dumped {
  error?: string;
  direction: string;
  best_value: number | null;
  trials: Array<{
    number: number;
    state: string;
    values: number[] | null;
    params: Record<string, unknown>;
    distributions: Record<string, string>;
    intermediate_values: Record<string, number | string>;
    user_attrs: Record<string, unknown>;
    system_attrs: Record<string, unknown>;
    has_start: boolean;
    has_complete: boolean;
  }>;
}

/** A study with every kind of parameter and trial state, written by our code. */
async function writeStudy(url: string): Promise<void> {
  const study = await createStudy({
    studyName: 'ours',
    storage: url,
    direction: 'maximize',
    schemaRevision: 'v3.0.0.d',
    sampler: new TPESampler({ seed: 0, nStartupTrials: 3 }),
  });
  let k = 0;
  await study.optimize(
    async (t) => {
      const x = await t.suggestFloat('x', -5, 5);
      const lr = await t.suggestFloat('lr', 1e-5, 1, { log: true });
      const n = await t.suggestInt('n', 1, 9, { step: 2 });
      const act = await t.suggestCategorical('act', ['relu', 'gelu', null, 3]);
      await t.setUserAttr('note', { k, tag: 'é' });
      for (let step = 0; step < 3; step++) await t.report(x + step + (step === 2 && k === 1 ? Infinity : 0), step);
      k++;
      if (k === 4) throw new TrialPruned();
      if (k === 5) return -Infinity;
      return -(x * x) + Math.log(lr) + n + (act === 'gelu' ? 1 : 0);
    },
    { nTrials: 6 },
  );
  const failing = await study.ask();
  await failing.suggestFloat('x', -5, 5);
  await study.tell(failing, undefined, 'FAIL');
  await study.close();
}

async function checkPythonSeesOurs(url: string, dump: Dumped, postgres = false): Promise<void> {
  expect(dump.error).toBeUndefined();
  const storage = await RdbStorage.open(url);
  const ours = await storage.getAllTrials(await storage.getStudyIdFromName('ours'));
  await storage.close();
  expect(dump.direction).toBe('MAXIMIZE');
  expect(dump.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(dump.trials.map((t) => t.state)).toEqual([
    'COMPLETE',
    'COMPLETE',
    'COMPLETE',
    'PRUNED',
    'COMPLETE',
    'COMPLETE',
    'FAIL',
  ]);
  dump.trials.forEach((py, i) => {
    const t = ours[i];
    expect(py.params).toEqual(t.params);
    for (const [name, d] of Object.entries(t.distributions)) expect(py.distributions[name]).toBe(distributionToJson(d));
    if (t.values === null) expect(py.values).toBeNull();
    else expect(py.values).toEqual(t.values.map((v) => (Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf')));
    expect(Object.keys(py.intermediate_values).map(Number)).toEqual([...t.intermediateValues.keys()]);
    for (const [step, v] of t.intermediateValues) {
      expect(py.intermediate_values[String(step)]).toEqual(Number.isFinite(v) ? v : 'inf');
    }
    expect(py.user_attrs).toEqual(t.userAttrs);
    expect(py.has_start).toBe(true);
    expect(py.has_complete).toBe(true);
  });
  expect(dump.trials[1].intermediate_values['2']).toBe('inf');
  expect(dump.trials[3].values).toEqual([dump.trials[3].intermediate_values['2']]); // pruned: last reported value
  expect(dump.trials[4].values).toEqual(['-inf']);
  expect(dump.trials[0].user_attrs).toEqual({ note: { k: 0, tag: 'é' } });
  const best = Math.max(...ours.filter((t) => t.state === 'COMPLETE').map((t) => (t.values as number[])[0]));
  // Optuna 3.1 orders by value alone when looking for the best trial; PostgreSQL sorts the NULL that stands for
  // -inf first in DESC order, so 3.1 reports the -inf trial as the best of a maximized study (later Optuna orders
  // by value_type first). The stored rows are the same on both databases; this is 3.1's query.
  expect(dump.best_value).toBe(postgres ? -Infinity : best);
}

const DISTS = [
  ['x', floatDistribution(-5, 5)],
  ['lr', floatDistribution(1e-4, 1, { log: true })],
  ['c', categoricalDistribution(['a', 'b', 'c'])],
] as const;

/** The Python requests for one storage: Optuna's own schema, a dump of our study, a worker, a TPE suggestion. */
function requestsFor(url: string, pythonSchemaUrl: string): object[] {
  return [
    { mode: 'schema', url: pythonSchemaUrl, study: 'x' },
    { mode: 'dump', url, study: 'ours' },
    { mode: 'optimize', url, study: 'shared', seed: 1, n_trials: 15 },
    {
      mode: 'suggest',
      url,
      study: 'shared',
      seed: 42,
      distributions: DISTS.map(([n, d]) => [n, distributionToJson(d)]),
    },
  ];
}

async function prepare(url: string): Promise<void> {
  await writeStudy(url);
  await (await createStudy({ studyName: 'shared', storage: url, schemaRevision: 'v3.0.0.d' })).close();
}

/** Python workers added trials; our TPE conditions on them exactly as Python's TPESampler does. */
async function checkOursConditionsOnPython(url: string, expected: Record<string, unknown>): Promise<void> {
  const study = await loadStudy({ studyName: 'shared', storage: url, sampler: new TPESampler({ seed: 42 }) });
  const trials = await study.getTrials();
  expect(trials.length).toBe(15);
  expect(trials.every((t) => t.state === 'COMPLETE')).toBe(true);
  const sampler = new TPESampler({ seed: 42 });
  const ours = Object.fromEntries(DISTS.map(([name, d]) => [name, sampler.sampleFromTrials(trials, true, name, d)]));
  expect(ours.c).toBe(expected.c);
  expect(ours.x as number).toBeCloseTo(expected.x as number, 9);
  expect(ours.lr as number).toBeCloseTo(expected.lr as number, 12);
  // And our worker joins the study: trial numbers continue after Python's.
  await study.optimize(async (t) => Math.abs(await t.suggestFloat('x', -5, 5)), { nTrials: 2 });
  expect((await study.getTrials()).map((t) => t.number)).toEqual([...Array(17).keys()]);
  await study.close();
}

/** A Python worker with heartbeats is SIGKILLed mid-trial; our worker's next ask turns its trial FAIL. */
async function checkKilledPythonWorker(url: string): Promise<void> {
  await (await createStudy({ studyName: 'py-kill', storage: url, schemaRevision: 'v3.0.0.d' })).close();
  const child = spawn(PYTHON, [path.join(__dirname, 'test-support/optuna_hanging_worker.py'), url, 'py-kill'], {
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => (String(d).includes('running') ? resolve() : undefined));
    child.on('exit', (code) => reject(new Error(`Python worker exited early (${code}): ${stderr}`)));
  });
  const study = await loadStudy({
    studyName: 'py-kill',
    storage: url,
    heartbeat: { heartbeatInterval: 1, gracePeriod: 2 },
  });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await study.failStaleTrials()).toEqual([]); // Python's heartbeat thread keeps it fresh
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  await new Promise((r) => setTimeout(r, 3500));
  const failed = await study.failStaleTrials();
  const trials = await study.getTrials();
  expect(failed).toEqual([trials[0].trialId]);
  expect(trials.map((t) => t.state)).toEqual(['FAIL']);
  await study.close();
}

function normaliseDdl(sql: string): string {
  return sql.replace(/\s+/g, ' ').replace(/ ,/g, ',').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

const sqliteUrl = `sqlite:///${path.join(dir, 'ours.db')}`;
const headUrl = `sqlite:///${path.join(dir, 'head.db')}`;
const pyFile = path.join(dir, 'python.db');
let pg: { url: string; drop: () => Promise<void> };
let pgPython: { url: string; drop: () => Promise<void> };
let answers: unknown[];

beforeAll(async () => {
  pg = await freshPostgresDatabase('search_interop');
  pgPython = await freshPostgresDatabase('search_interop_py');
  await prepare(sqliteUrl);
  await prepare(pg.url);
  await (await createStudy({ studyName: 'head', storage: headUrl })).close();
  // Our workers die holding RUNNING trials; Python's fail_stale_trials must read our heartbeats.
  await Promise.all(
    [sqliteUrl, pg.url].map(async (url) => {
      await (await createStudy({ studyName: 'ours-kill', storage: url, schemaRevision: 'v3.0.0.d' })).close();
      await sigkill(await startHangingWorker(url, 'ours-kill'));
    }),
  );
  await new Promise((r) => setTimeout(r, 3500)); // Optuna 3.1 fails a trial when (now - heartbeat).seconds > 2
  answers = runPython(script, [
    ...requestsFor(sqliteUrl, `sqlite:///${pyFile}`),
    ...requestsFor(pg.url, pgPython.url),
    { mode: 'dump', url: headUrl, study: 'head' },
    { mode: 'fail_stale', url: sqliteUrl, study: 'ours-kill' },
    { mode: 'fail_stale', url: pg.url, study: 'ours-kill' },
  ]) as unknown[];
});

afterAll(async () => {
  await pg?.drop();
  await pgPython?.drop();
});

describe('SQLite', () => {
  it("our v3.0.0.d DDL is Optuna 3.1's own, statement for statement", async () => {
    const oursFile = path.join(dir, 'ours-schema.db');
    await (await RdbStorage.open(`sqlite:///${oursFile}`, { schemaRevision: 'v3.0.0.d' })).close();
    const read = (f: string) => {
      const db = new Database(f, { readonly: true });
      const rows = db
        .prepare('SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name')
        .all() as Array<{ type: string; name: string; sql: string }>;
      const meta = [db.prepare('SELECT * FROM version_info').get(), db.prepare('SELECT * FROM alembic_version').get()];
      db.close();
      return { ddl: rows.map((r) => ({ ...r, sql: normaliseDdl(r.sql) })), meta };
    };
    const py = read(pyFile);
    const ours = read(oursFile);
    expect(ours.ddl).toEqual(py.ddl);
    expect(ours.meta[1]).toEqual(py.meta[1]);
    expect((ours.meta[0] as { schema_version: number }).schema_version).toBe(12);
  });

  it('v3.2.0.a (default) adds trials_study_id_key; Optuna 3.1 refuses it as too new', () => {
    const db = new Database(headUrl.replace('sqlite:///', ''), { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trials'").all()).toEqual([
      { name: 'trials_study_id_key' },
    ]);
    expect(db.prepare('SELECT version_num FROM alembic_version').get()).toEqual({ version_num: 'v3.2.0.a' });
    db.close();
    expect((answers[8] as Dumped).error).toMatch(
      /RuntimeError: The runtime optuna version 3.1.0 is no longer compatible/,
    );
  });

  it('Python Optuna 3.1 loads our study: trials, params, values, states, intermediate values', async () => {
    await checkPythonSeesOurs(sqliteUrl, answers[1] as Dumped);
  });

  it('Python workers add trials; our TPE conditions on them exactly as Optuna', async () => {
    await checkOursConditionsOnPython(sqliteUrl, answers[3] as Record<string, unknown>);
  });

  it("Python's fail_stale_trials turns a SIGKILLed worker of ours FAIL through our heartbeats", () => {
    expect(answers[9]).toEqual({ states: ['FAIL'] });
  });

  it("a SIGKILLed Python worker's trial becomes FAIL through its (Python-written) heartbeat", async () => {
    await checkKilledPythonWorker(`sqlite:///${path.join(dir, 'py-kill.db')}`);
  });
});

describe('PostgreSQL (a real server, started by tools/scripts/postgres.sh if needed)', () => {
  it("our v3.0.0.d tables, columns, types and constraints are Optuna 3.1's", async () => {
    const describe = async (url: string) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      const cols = await c.query(
        'SELECT table_name, column_name, data_type, udt_name, is_nullable, ' +
          "character_maximum_length, column_default FROM information_schema.columns WHERE table_schema = 'public' " +
          'ORDER BY table_name, ordinal_position',
      );
      const cons = await c.query(
        'SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE ' +
          "connamespace = 'public'::regnamespace ORDER BY conname",
      );
      const idx = await c.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
      );
      const enums = await c.query(
        'SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ' +
          'ORDER BY t.typname, e.enumsortorder',
      );
      await c.end();
      return { cols: cols.rows, cons: cons.rows, idx: idx.rows, enums: enums.rows };
    };
    const a = await describe(pg.url);
    const b = await describe(pgPython.url);
    expect(a.cols).toEqual(b.cols);
    expect(a.cons).toEqual(b.cons);
    expect(a.idx).toEqual(b.idx);
    expect(a.enums).toEqual(b.enums);
  });

  it('Python Optuna 3.1 loads our study from PostgreSQL', async () => {
    await checkPythonSeesOurs(pg.url, answers[5] as Dumped, true);
  });

  it('Python workers add trials on PostgreSQL; our TPE conditions on them', async () => {
    await checkOursConditionsOnPython(pg.url, answers[7] as Record<string, unknown>);
  });

  it("Python's fail_stale_trials turns a SIGKILLed worker of ours FAIL (PostgreSQL)", () => {
    expect(answers[10]).toEqual({ states: ['FAIL'] });
  });

  it("a SIGKILLed Python worker's trial becomes FAIL through its heartbeat (PostgreSQL)", async () => {
    await checkKilledPythonWorker(pg.url);
  });
});
