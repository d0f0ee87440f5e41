// Several worker processes on one study: the database hands out trial numbers with no gap and no duplicate, and a
// SIGKILLed worker's RUNNING trial turns FAIL once its heartbeat is older than the grace period.
import * as path from 'node:path';
import { RdbStorage } from './rdb-storage';
import { createStudy, loadStudy } from './study';
import { tempDir } from './test-support/golden';
import { freshPostgresDatabase } from './test-support/postgres';
import { finished, sigkill, startHangingWorker, startWorker } from './test-support/spawn-worker';

const dir = tempDir('concurrency');

async function fourWorkers(url: string): Promise<void> {
  await (await createStudy({ studyName: 'par', storage: url })).close();
  await Promise.all([0, 1, 2, 3].map((seed) => finished(startWorker(url, 'par', 25, seed))));
  const storage = await RdbStorage.open(url);
  const trials = await storage.getAllTrials(await storage.getStudyIdFromName('par'));
  await storage.close();
  expect(trials.length).toBe(100);
  expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  expect(trials.every((t) => t.state === 'COMPLETE' && t.values !== null && 'x' in t.params)).toBe(true);
  // numbers follow insertion order, as Optuna's count of earlier trial_ids
  expect(trials.map((t) => t.number)).toEqual([...Array(100).keys()]);
}

/** 4 workers x 8 trials on a 20-point grid: every point evaluated exactly once, then the workers stop. */
async function gridOnce(url: string): Promise<void> {
  await (await createStudy({ studyName: 'grid', storage: url })).close();
  await Promise.all([0, 1, 2, 3].map((seed) => finished(startWorker(url, 'grid', 8, seed, 'grid'))));
  const storage = await RdbStorage.open(url);
  const trials = await storage.getAllTrials(await storage.getStudyIdFromName('grid'));
  await storage.close();
  const complete = trials.filter((t) => t.state === 'COMPLETE');
  expect(complete.length).toBe(20);
  expect(new Set(complete.map((t) => t.systemAttrs.grid_id)).size).toBe(20);
  expect(new Set(complete.map((t) => `${t.params.a}${t.params.b}`)).size).toBe(20);
  // a worker that lost the race for the last point ends its extra trial FAIL, without a grid point
  expect(
    trials.filter((t) => t.state !== 'COMPLETE').every((t) => t.state === 'FAIL' && !('grid_id' in t.systemAttrs)),
  ).toBe(true);
}

async function killedWorkerFails(url: string): Promise<void> {
  await (await createStudy({ studyName: 'kill', storage: url })).close();
  const child = await startHangingWorker(url, 'kill');
  const study = await loadStudy({
    studyName: 'kill',
    storage: url,
    heartbeat: { heartbeatInterval: 0.3, gracePeriod: 1.5 },
  });
  await new Promise((r) => setTimeout(r, 1000));
  expect(await study.failStaleTrials()).toEqual([]); // alive: its heartbeat is fresh
  await sigkill(child);
  expect((await study.getTrials()).map((t) => t.state)).toEqual(['RUNNING']);
  await new Promise((r) => setTimeout(r, 2200));
  await study.optimize(async (t) => t.suggestFloat('x', -5, 5), { nTrials: 1 }); // fails stale trials first
  expect((await study.getTrials()).map((t) => t.state)).toEqual(['FAIL', 'COMPLETE']);
  await study.close();
}

describe('SQLite', () => {
  it('4 worker processes x 25 trials: exactly 100 trials numbered 0..99', async () => {
    await fourWorkers(`sqlite:///${path.join(dir, 'par.db')}`);
  });
  it('a SIGKILLed worker leaves a RUNNING trial that becomes FAIL after the grace period', async () => {
    await killedWorkerFails(`sqlite:///${path.join(dir, 'kill.db')}`);
  });
  it('GridSampler across 4 processes: each of 20 points exactly once', async () => {
    await gridOnce(`sqlite:///${path.join(dir, 'grid.db')}`);
  });
});

/** Eight connections create the same study at once with loadIfExists: one study, everyone gets its id. */
async function createRace(url: string): Promise<void> {
  const storages = await Promise.all(Array.from({ length: 8 }, () => RdbStorage.open(url)));
  const studies = await Promise.all(
    storages.map((storage) => createStudy({ studyName: 'race', storage, loadIfExists: true })),
  );
  expect(new Set(studies.map((s) => s.studyId)).size).toBe(1);
  await Promise.all(storages.map((s) => s.close()));
}

describe('PostgreSQL (a real server)', () => {
  let pg: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    pg = await freshPostgresDatabase('search_concurrency');
  });
  afterAll(async () => pg?.drop());
  it('4 worker processes x 25 trials: exactly 100 trials numbered 0..99', async () => {
    await fourWorkers(pg.url);
  });
  it('a SIGKILLed worker leaves a RUNNING trial that becomes FAIL after the grace period', async () => {
    await killedWorkerFails(pg.url);
  });
  it('GridSampler across 4 processes: each of 20 points exactly once', async () => {
    await gridOnce(pg.url);
  });
  it('eight workers creating the same study at once (loadIfExists) get one study', async () => {
    await createRace(pg.url);
  });
});
