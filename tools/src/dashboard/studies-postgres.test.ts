// The studies route on a real PostgreSQL server (Debian's postgresql; started by tools/scripts/postgres.sh when none
// answers on 127.0.0.1:55432): a --storage URL's studies listed and drawn, and a new trial changes the watch stamp.
import { createStudy, floatDistribution } from '@research/common';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDashboard, type Dashboard } from './server';
import { studiesRoute } from './studies';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const ADMIN = ['-h', '127.0.0.1', '-p', '55432', '-U', 'postgres'];
const SCRIPT = path.resolve(__dirname, '../../scripts/postgres.sh');
const name = `studies_dash_${process.pid}`;
const url = `postgresql://postgres@127.0.0.1:55432/${name}`;

function psql(sql: string): string {
  return execFileSync(path.join(PG_BIN, 'psql'), [...ADMIN, '-d', 'postgres', '-tAc', sql], {
    stdio: 'pipe',
  }).toString();
}

let root: string;
let dashboard: Dashboard;

beforeAll(async () => {
  if (!fs.existsSync(path.join(PG_BIN, 'psql')))
    throw new Error(`this test needs PostgreSQL 15 in ${PG_BIN}: apt-get install -y postgresql`);
  try {
    psql('SELECT 1');
  } catch {
    execFileSync(SCRIPT, ['start'], { stdio: 'pipe' });
  }
  psql(`CREATE DATABASE ${name}`);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-studies-pg-'));
  dashboard = await startDashboard({ logDir: root, port: 0, routes: [studiesRoute({ storages: [url] })] });
}, 60_000);
afterAll(async () => {
  await dashboard?.close();
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('/api/studies on PostgreSQL', () => {
  it('lists and draws a study of a --storage URL; a new trial changes what the live stream watches', async () => {
    const study = await createStudy({ studyName: 'pg-sweep', storage: url, direction: 'minimize' });
    const d = { lr: floatDistribution(1e-4, 1e-1, { log: true }) };
    for (const [i, v] of [0.5, 0.25, 0.75].entries())
      await study.addTrial({ state: 'COMPLETE', values: [v], params: { lr: 10 ** -(i + 1) }, distributions: d });
    const route = studiesRoute({ storages: [url] });
    const stamp = await route.watch!(root);
    const list = await (await fetch(`${dashboard.url}api/studies`)).json();
    expect(list).toEqual([expect.objectContaining({ storage: url, studyName: 'pg-sweep', nTrials: 3 })]);
    const q = `storage=${encodeURIComponent(url)}&study=pg-sweep`;
    const details = await (await fetch(`${dashboard.url}api/studies?${q}`)).json();
    expect(details.specs.optimization_history.data.values.map((r: { best: number }) => r.best)).toEqual([
      0.5, 0.25, 0.25,
    ]);
    await study.addTrial({ state: 'COMPLETE', values: [0.1], params: { lr: 0.05 }, distributions: d });
    expect(await route.watch!(root)).not.toBe(stamp);
    await route.close!();
    await study.close();
  });
});
