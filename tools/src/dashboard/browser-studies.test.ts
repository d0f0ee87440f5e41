// The dashboard's search studies in headless Chromium (Debian's) driven by puppeteer-core: the study list, a
// study's optimisation history (one point per finished trial, the values of the database), importances, parallel
// coordinates and trials table, and a live update when a worker adds trials.
/// <reference lib="dom" />
import { createStudy, floatDistribution, sqliteUrl, type Study } from '@research/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startDashboard, type Dashboard } from './server';
import { studiesRoute } from './studies';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let root: string;
let logDir: string;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
let study: Study;

const dists = { x: floatDistribution(-2, 2), y: floatDistribution(0, 1) };
let n = 0;
/** A finished trial of f = x^2 + 0.1 y (every fifth one pruned, the ninth failed). */
async function addTrial(): Promise<void> {
  const i = n++;
  const [x, y] = [-2 + ((i * 7) % 16) / 4, ((i * 3) % 10) / 10];
  const state = i === 8 ? 'FAIL' : i % 5 === 4 ? 'PRUNED' : 'COMPLETE';
  const value = x * x + 0.1 * y;
  await study.addTrial({
    state,
    values: state === 'FAIL' ? null : [value],
    params: { x, y },
    distributions: dists,
    intermediateValues: new Map([[0, value + 1]]),
  });
}

interface StudyWindow {
  dashboard: {
    ready?: boolean;
    studyUpdates?: number;
    studyViews: Record<string, { data(name: string): Array<Record<string, unknown>> }>;
  };
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-studies-'));
  logDir = path.join(root, 'outputs');
  const db = path.join(logDir, 'fmnist', 'optuna_studies', 'lr-sweep', 'study.db');
  fs.mkdirSync(path.dirname(db), { recursive: true });
  study = await createStudy({ studyName: 'lr-sweep', storage: sqliteUrl(db), direction: 'minimize' });
  for (let i = 0; i < 20; i++) await addTrial();
  dashboard = await startDashboard({ logDir, port: 0, pollMs: 200, routes: [studiesRoute()] });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      `--user-data-dir=${path.join(root, 'chromium-profile')}`,
    ],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1500, height: 1000 });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await study?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('dashboard: search studies in Chromium', () => {
  it('lists the study, plots one point per finished trial with its value, and updates when trials are added', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(dashboard.url);
    await page.waitForFunction('window.dashboard && window.dashboard.ready');
    const key = 'fmnist/optuna_studies/lr-sweep/study.db::lr-sweep';
    expect(await page.$$eval('#studies tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-study')))).toEqual([
      key,
    ]);
    await page.click(`tr[data-study="${key}"]`);
    await page.waitForSelector('.study-chart[data-plot="optimization_history"] svg');

    const trials = await study.getTrials();
    const complete = trials.filter((t) => t.state === 'COMPLETE').sort((a, b) => a.number - b.number);
    const points = () =>
      page.$$eval('.study-chart[data-plot="optimization_history"] path[aria-roledescription="point"]', (ps) =>
        ps.map((p) => p.getAttribute('aria-label')!),
      );
    const plotted = await points();
    expect(plotted).toHaveLength(complete.length); // 20 trials: 15 complete, 4 pruned, 1 failed
    // one value checked through the SVG's own label, all of them through the view's data
    const t3 = complete.find((t) => t.number === 3)!;
    expect(plotted.find((l) => /^trial: 3;/.test(l))).toContain(`objective value: ${Number(t3.values![0].toFixed(2))}`);
    const data = await page.evaluate(() =>
      (window as unknown as StudyWindow).dashboard.studyViews.optimization_history.data('data_0'),
    );
    expect(data.map((r) => r.value)).toEqual(complete.map((t) => t.values![0]));
    // importances and parallel coordinates drawn; the trials table has every trial with its state
    await page.waitForSelector('.study-chart[data-plot="param_importances"] svg');
    expect(
      await page.$$eval(
        '.study-chart[data-plot="param_importances"] path[aria-roledescription="bar"]',
        (b) => b.length,
      ),
    ).toBe(2);
    expect(await page.$$eval('.study-chart[data-plot="parallel_coordinate"] .mark-line path', (p) => p.length)).toBe(
      complete.length,
    );
    const states = await page.$$eval('#trials tr[data-trial] td:nth-child(2)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(states).toEqual(trials.sort((a, b) => a.number - b.number).map((t) => t.state));
    await page.screenshot({ path: path.join(root, 'study.png') });

    // A worker adds five trials (four complete): the open view redraws without a reload.
    const before = await page.evaluate(() => (window as unknown as StudyWindow).dashboard.studyUpdates ?? 0);
    for (let i = 0; i < 5; i++) await addTrial();
    await page.waitForFunction(
      (k) => ((window as unknown as StudyWindow).dashboard.studyUpdates ?? 0) > k,
      { timeout: 10_000 },
      before,
    );
    const completeNow = (await study.getTrials(['COMPLETE'])).length;
    expect(completeNow).toBe(complete.length + 4);
    await page.waitForFunction(
      (k) =>
        document.querySelectorAll('.study-chart[data-plot="optimization_history"] path[aria-roledescription="point"]')
          .length === k,
      { timeout: 10_000 },
      completeNow,
    );
    expect(await page.$eval('#studies tbody tr td:nth-child(4)', (td) => td.textContent)).toMatch(/^25 /);
    expect(errors).toEqual([]);
  });
});
