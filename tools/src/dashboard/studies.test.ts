import { createStudy, floatDistribution, sqliteUrl } from '@research/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDashboard, type Dashboard } from './server';
import { studiesRoute } from './studies';

let root: string;
let dashboard: Dashboard;

async function makeStudy(file: string, name: string, values: number[]): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const s = await createStudy({ studyName: name, storage: sqliteUrl(file), direction: 'maximize' });
  for (const [i, v] of values.entries())
    await s.addTrial({
      state: 'COMPLETE',
      values: [v],
      params: { a: i / 10 },
      distributions: { a: floatDistribution(0, 1) },
    });
  await s.close();
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-studies-api-'));
  const logDir = path.join(root, 'outputs');
  await makeStudy(path.join(logDir, 'p', 'optuna_studies', 'a', 'study.db'), 'a', [1, 3, 2]);
  await makeStudy(path.join(root, 'elsewhere.db'), 'b', [5]);
  dashboard = await startDashboard({
    logDir,
    port: 0,
    routes: [studiesRoute({ storages: [sqliteUrl(path.join(root, 'elsewhere.db'))] })],
  });
});
afterAll(async () => {
  await dashboard?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const get = async (p: string) => {
  const res = await fetch(dashboard.url + p);
  return {
    status: res.status,
    body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text(),
  };
};

describe('/api/studies', () => {
  it('lists the studies under the log dir and of --storage; a study has its trials and the three specs', async () => {
    const list = await get('api/studies');
    expect(list.status).toBe(200);
    const elsewhere = sqliteUrl(path.join(root, 'elsewhere.db'));
    expect(list.body.map((s: Record<string, unknown>) => [s.storage, s.studyName, s.nTrials, s.best])).toEqual([
      ['p/optuna_studies/a/study.db', 'a', 3, { number: 1, value: 3 }],
      [elsewhere, 'b', 1, { number: 0, value: 5 }],
    ]);
    const a = await get(`api/studies?storage=${encodeURIComponent('p/optuna_studies/a/study.db')}&study=a`);
    expect(a.body.trials.map((t: { value: number }) => t.value)).toEqual([1, 3, 2]);
    expect(a.body.specs.optimization_history.data.values.map((r: { best: number }) => r.best)).toEqual([1, 3, 3]);
    expect(Object.keys(a.body.specs)).toEqual(['optimization_history', 'param_importances', 'parallel_coordinate']);
  });

  it('opens only the storages it lists: another label or URL is 404, half a query 400', async () => {
    const other = sqliteUrl(path.join(root, 'new.db'));
    expect((await get(`api/studies?storage=${encodeURIComponent(other)}&study=a`)).status).toBe(404);
    expect(fs.existsSync(path.join(root, 'new.db'))).toBe(false);
    expect(
      (await get(`api/studies?storage=${encodeURIComponent('p/optuna_studies/a/study.db')}&study=zz`)).body,
    ).toContain("no study named 'zz' in this storage; it has: a");
    expect((await get('api/studies?study=a')).status).toBe(400);
  });
});
