import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  categoricalDistribution,
  createStudy,
  floatDistribution,
  intDistribution,
  RdbStorage,
  type FrozenTrial,
} from '../../search';
import { renderVegaLite } from '../charts/vega';
import { studyPlotPage, studyPlotSpec, writeStudyPlots } from './study-figures';
import {
  contourGrid,
  interpolateGrid,
  optimizationHistoryRows,
  parallelCoordinateRows,
  sliceRows,
  STUDY_PLOT_TYPES,
  type StudyPlotData,
} from './study-plots';
import { defaultStudyDb, sqliteUrl } from '../../search';
import { findStudyDatabases, listStudies, openStudyStorage, readStudy } from './study-sources';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'study-plots-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const dists = {
  x: floatDistribution(0, 1),
  y: floatDistribution(0, 1),
  lr: floatDistribution(1e-5, 1e-1, { log: true }),
  act: categoricalDistribution(['relu', 'gelu', 'tanh']),
  width: intDistribution(16, 128, { step: 16 }),
};

/** A study with 30 COMPLETE trials of f = 10 x + 0.1 y (+ a PRUNED and a FAIL trial), written through the storage. */
async function makeStudy(file: string, direction: 'minimize' | 'maximize' = 'minimize', name = 's'): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const study = await createStudy({ studyName: name, storage: sqliteUrl(file), direction });
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let i = 0; i < 30; i++) {
    const [x, y] = [rand(), rand()];
    const act = (['relu', 'gelu', 'tanh'] as const)[i % 3];
    const lr = 10 ** (-5 + 4 * rand());
    const width = 16 * (1 + (i % 8));
    const value = 10 * x + 0.1 * y;
    const intermediateValues = new Map([0, 1, 2].map((s) => [s, value + (2 - s)]));
    await study.addTrial({
      state: 'COMPLETE',
      values: [value],
      params: { x, y, lr, act, width },
      distributions: dists,
      intermediateValues,
    });
    if (i === 10) {
      await study.addTrial({
        state: 'PRUNED',
        values: [50],
        params: { x: 0.5, y: 0.5, lr: 1e-3, act: 'relu', width: 32 },
        distributions: dists,
        intermediateValues: new Map([
          [0, 60],
          [1, 50],
        ]),
      });
      await study.addTrial({ state: 'FAIL', params: { x: 0.1, y: 0.1 }, distributions: dists });
    }
  }
  await study.close();
}

async function load(file: string, name = 's'): Promise<StudyPlotData> {
  const storage = await openStudyStorage(sqliteUrl(file));
  try {
    return await readStudy(storage, name);
  } finally {
    await storage.close();
  }
}

const rowsOf = (spec: Record<string, unknown>): Array<Record<string, unknown>> =>
  (spec.data as { values: Array<Record<string, unknown>> }).values;
const complete = (data: StudyPlotData): FrozenTrial[] =>
  data.trials.filter((t) => t.state === 'COMPLETE').sort((a, b) => a.number - b.number);

describe('study plots (optuna.visualization semantics)', () => {
  it('optimisation history: the completed trials and the best value so far, by direction', async () => {
    const file = path.join(root, 'min.db');
    await makeStudy(file, 'minimize');
    const data = await load(file);
    const rows = rowsOf(studyPlotSpec('optimization_history', data));
    const done = complete(data);
    expect(rows.map((r) => r.number)).toEqual(done.map((t) => t.number)); // no PRUNED (11) or FAIL (12)
    expect(rows.map((r) => r.value)).toEqual(done.map((t) => t.values![0]));
    let best = Infinity;
    rows.forEach((r) => expect(r.best).toBe((best = Math.min(best, r.value as number))));
    // maximize: the running maximum of the same values
    const up = optimizationHistoryRows(data.trials, 'MAXIMIZE');
    let top = -Infinity;
    up.forEach((r) => expect(r.best).toBe((top = Math.max(top, r.value))));
    expect(up[up.length - 1].best).toBe(Math.max(...done.map((t) => t.values![0])));
    // the rendered SVG has one point per completed trial
    const svg = renderVegaLite(studyPlotSpec('optimization_history', data)).svg;
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(done.length);
  });

  it('importances: fANOVA shares summing to 1, x dominant for f = 10 x + 0.1 y', async () => {
    const file = path.join(root, 's.db');
    await makeStudy(file);
    const data = await load(file);
    const rows = rowsOf(studyPlotSpec('param_importances', data, ['x', 'y']));
    expect(rows.map((r) => r.param)).toEqual(['x', 'y']);
    const [x, y] = rows.map((r) => r.importance as number);
    expect(x + y).toBeCloseTo(1, 10);
    expect(x).toBeGreaterThan(0.95);
    // all five parameters: still x first, the rest (irrelevant) small; sorted largest first
    const all = rowsOf(studyPlotSpec('param_importances', data));
    expect(all).toHaveLength(5);
    expect(all[0].param).toBe('x');
    expect(all.reduce((a, r) => a + (r.importance as number), 0)).toBeCloseTo(1, 10);
    expect(all.map((r) => r.importance)).toEqual(
      [...all.map((r) => r.importance)].sort((a, b) => (b as number) - (a as number)),
    );
  });

  it('slice, parallel coordinates and intermediate values hold the trials', async () => {
    const file = path.join(root, 's.db');
    await makeStudy(file);
    const data = await load(file);
    const done = complete(data);
    const slice = studyPlotSpec('slice', data, ['act', 'lr']) as { hconcat: Array<Record<string, unknown>> };
    expect(slice.hconcat).toHaveLength(2);
    const act = rowsOf(slice.hconcat[0]);
    expect(act.map((r) => r.param)).toEqual(done.map((t) => t.params.act));
    expect(act.map((r) => r.x)).toEqual(done.map((t) => ['relu', 'gelu', 'tanh'].indexOf(t.params.act as string)));
    expect(sliceRows(data.trials, 'lr').map((r) => r.value)).toEqual(done.map((t) => t.values![0]));
    expect((slice.hconcat[1].encoding as Record<string, { scale: { type: string } }>).x.scale.type).toBe('log');

    const par = parallelCoordinateRows(data.trials, ['lr', 'x']);
    expect(par).toHaveLength(3 * done.length);
    const lr = par.filter((r) => r.axis === 'lr');
    const logs = done.map((t) => Math.log10(t.params.lr as number));
    const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
    lr.forEach((r, k) => expect(r.norm).toBeCloseTo((logs[k] - lo) / (hi - lo), 12));
    expect(par.filter((r) => r.axis === 'objective value').map((r) => r.raw)).toEqual(done.map((t) => t.values![0]));

    const inter = rowsOf(studyPlotSpec('intermediate_values', data));
    expect(inter.filter((r) => r.state === 'PRUNED')).toEqual([
      { number: 11, state: 'PRUNED', step: 0, value: 60 },
      { number: 11, state: 'PRUNED', step: 1, value: 50 },
    ]);
    expect(inter.filter((r) => r.state === 'COMPLETE')).toHaveLength(3 * done.length);
  });

  it('contour: observed cells keep their values, the rest is interpolated (exact for a linear surface)', async () => {
    const z: Array<Array<number | undefined>> = Array.from({ length: 6 }, (_, j) =>
      Array.from({ length: 6 }, (_, i) => (i === 0 || j === 0 || i === 5 || j === 5 ? 2 * i + 3 * j : undefined)),
    );
    const filled = interpolateGrid(z);
    for (let j = 0; j < 6; j++) for (let i = 0; i < 6; i++) expect(filled[j][i]).toBeCloseTo(2 * i + 3 * j, 2);

    const file = path.join(root, 's.db');
    await makeStudy(file);
    const data = await load(file);
    const grid = contourGrid(data.trials, 'x', 'y');
    expect(grid.points).toHaveLength(complete(data).length);
    const values = grid.z.flat();
    const observed = grid.points.map((p) => p.value);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(Math.min(...observed) - 1e-9);
    expect(Math.max(...values)).toBeLessThanOrEqual(Math.max(...observed) + 1e-9);
    const spec = studyPlotSpec('contour', data, ['x', 'y', 'act']) as { concat: unknown[] };
    expect(spec.concat).toHaveLength(3); // x-y, x-act, y-act
  });

  it('writes a PNG and a self-contained HTML page per plot type', async () => {
    const file = path.join(root, 's.db');
    await makeStudy(file);
    const data = await load(file);
    const written = writeStudyPlots(data, { outDir: path.join(root, 'plots'), params: ['x', 'act'], scale: 1 });
    expect(written.map((w) => w.type)).toEqual([...STUDY_PLOT_TYPES]);
    for (const w of written) {
      expect(w.skipped).toBeUndefined();
      expect(fs.readFileSync(w.png!).subarray(1, 4).toString()).toBe('PNG');
      const html = fs.readFileSync(w.html!, 'utf8');
      // everything inline: no script or style loaded from elsewhere, and the page's policy forbids any load
      expect(/<script[^>]+src=|<link[^>]+href=/.test(html)).toBe(false);
      expect(html).toContain(`content="default-src 'none';`);
      const spec = JSON.parse(/<script id="spec" type="application\/json">(.*?)<\/script>/s.exec(html)![1]);
      expect(spec).toEqual(JSON.parse(JSON.stringify(studyPlotSpec(w.type, data, ['x', 'act']))));
    }
    expect(studyPlotPage('a</script>b', { mark: 'point' })).not.toContain('a</script>b');
  });

  it('finds Optuna SQLite files, names the studies present, refuses other files without touching them', async () => {
    const runs = path.join(root, 'outputs');
    await makeStudy(defaultStudyDb(runs, 'alpha'), 'minimize', 'alpha');
    await makeStudy(defaultStudyDb(runs, 'alpha'), 'maximize', 'beta');
    const { default: Database } = await import('better-sqlite3');
    const other = path.join(runs, 'other.db');
    new Database(other).exec('CREATE TABLE t (a INTEGER)');
    const before = fs.readFileSync(other);
    expect(await findStudyDatabases(root)).toEqual([defaultStudyDb(runs, 'alpha')]);
    await expect(openStudyStorage(sqliteUrl(other))).rejects.toThrow('not an Optuna storage');
    await expect(openStudyStorage(sqliteUrl(path.join(root, 'missing.db')))).rejects.toThrow('no such file');
    expect(fs.existsSync(path.join(root, 'missing.db'))).toBe(false);
    expect(fs.readFileSync(other)).toEqual(before);

    const storage = await openStudyStorage(sqliteUrl(defaultStudyDb(runs, 'alpha')));
    try {
      await expect(readStudy(storage, 'alpah')).rejects.toThrow(
        "no study named 'alpah' in this storage; it has: alpha, beta",
      );
      const list = await listStudies(storage);
      expect(list.map((s) => [s.studyName, s.direction, s.nTrials, s.states])).toEqual([
        ['alpha', 'MINIMIZE', 32, { COMPLETE: 30, PRUNED: 1, FAIL: 1 }],
        ['beta', 'MAXIMIZE', 32, { COMPLETE: 30, PRUNED: 1, FAIL: 1 }],
      ]);
      const trials = (await readStudy(storage, 'beta')).trials.filter((t) => t.state === 'COMPLETE');
      expect(list[1].best!.value).toBe(Math.max(...trials.map((t) => t.values![0])));
    } finally {
      await storage.close();
    }
    expect(RdbStorage).toBeDefined();
  });
});
