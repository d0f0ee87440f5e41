// The dashboard's search studies and MLflow runs in headless Chromium (Debian's) driven by puppeteer-core: the study
// list, a study's optimisation history (one point per finished trial, the values of the database), importances,
// parallel coordinates and trials table, a live update when a worker adds trials; an mlruns/ store written by
// common's tracking in the run list, with its metric curves, params and artifact image.
/// <reference lib="dom" />
import {
  createStudy,
  floatDistribution,
  MlflowFileStore,
  openStudyStorage,
  readStudy,
  sqliteUrl,
  svgToPng,
  writeStudyPlots,
  type Study,
} from '@research/common';
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

/** One finished run in an MLflow file store, written by common's tracking (as gravity-vit writes its store). */
async function writeMlflowRun(mlruns: string): Promise<void> {
  const store = new MlflowFileStore(mlruns);
  const run = await store.startRun({
    experimentName: 'multiview',
    runName: 'vit seed 0',
    startTime: 1_790_000_000_000,
  });
  const metrics = [1, 2, 3, 4].flatMap((step) => [
    { key: 'train_loss', value: 2 / step, step, timestamp: 1_790_000_000_000 + step * 1000 },
    { key: 'val_loss', value: 2.5 / step, step, timestamp: 1_790_000_000_000 + step * 1000 },
    { key: 'val_accuracy', value: 0.2 * step, step, timestamp: 1_790_000_000_000 + step * 1000 },
  ]);
  await store.logBatch(run, { metrics, params: { 'optimizer.lr': '0.001', 'model.name': 'vit' } });
  const png = path.join(root, 'confusion_matrix.png');
  fs.writeFileSync(
    png,
    svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20"/></svg>'),
  );
  await store.logArtifact(run, png, 'plots');
  await store.endRun(run, 'FINISHED', 1_790_000_010_000);
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
  // trial 3's run folder, where `tools search` writes it
  fs.mkdirSync(path.join(path.dirname(db), 'trial_3'));
  fs.writeFileSync(
    path.join(path.dirname(db), 'trial_3', 'metrics.json'),
    JSON.stringify([
      { epoch: 1, train_loss: 1 },
      { epoch: 2, train_loss: 0.5 },
    ]),
  );
  await writeMlflowRun(path.join(logDir, 'gravity-vit', 'mlruns'));
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
  it('lists the study, one point per finished trial with its value, updates when trials are added', async () => {
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
    expect(await page.$eval('#studies tbody tr td:nth-child(4)', (td) => td.textContent)).toBe('25');
    // the trials table links trial 3 to its run folder: a click shows that run's curves
    await page.click('#trials tr[data-trial="3"] a.trial-run');
    await page.waitForSelector('.chart[data-metric="loss"] svg');
    expect(await page.$eval('#study-section', (s) => (s as HTMLElement).hidden)).toBe(true);
    expect(await page.$$eval('#runs tr.selected', (trs) => trs.map((tr) => tr.getAttribute('data-run')))).toEqual([
      'fmnist/optuna_studies/lr-sweep/trial_3',
    ]);
    expect(errors).toEqual([]);
  });

  it('shows an MLflow store: the run listed under its experiment, its curves, params and artifact image', async () => {
    await page.goto(dashboard.url);
    await page.waitForFunction('window.dashboard && window.dashboard.ready');
    const row = await page.$$eval('#runs tbody tr[data-run*="mlruns"]', (trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td'))
          .slice(1)
          .map((td) => td.textContent),
      ),
    );
    expect(row).toEqual([
      [
        'multiview',
        'mlflow gravity-vit/mlruns',
        'vit seed 0',
        'finished',
        'val_accuracy 0.8000',
        new Date(1_790_000_000_000).toISOString().slice(0, 16).replace('T', ' '),
      ],
    ]);
    await page.click('#runs tbody tr[data-run*="mlruns"] td:nth-child(4)');
    await page.waitForSelector('.chart[data-metric="loss"] svg');
    // loss: train + val (raw and smoothed lines each), accuracy: val
    expect(await page.$$eval('.chart', (c) => c.map((x) => x.getAttribute('data-metric')).sort())).toEqual([
      'accuracy',
      'loss',
    ]);
    expect(
      await page.$$eval('.chart[data-metric="loss"] .role-legend-label text', (t) => t.map((x) => x.textContent)),
    ).toEqual(['train_loss', 'val_loss']);
    expect(await page.$$eval('.chart[data-metric="loss"] .mark-line path', (p) => p.length)).toBe(4);
    const acc = await page.$$eval('.chart[data-metric="accuracy"] path[aria-roledescription="point"]', (ps) =>
      ps.map((p) => Number(/accuracy: ([\d.]+)/.exec(p.getAttribute('aria-label')!)![1])),
    );
    expect(acc).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(await page.$eval('#config', (c) => c.textContent)).toContain('params.optimizer.lr0.001');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('#files img')).some(
        (i) =>
          (i as HTMLImageElement).naturalWidth === 20 &&
          i.getAttribute('alt') === 'artifacts/plots/confusion_matrix.png',
      ),
    );
  });

  it("opens `--mode search`'s HTML page from disk, network cut: one point per completed trial", async () => {
    const storage = await openStudyStorage(
      sqliteUrl(path.join(logDir, 'fmnist', 'optuna_studies', 'lr-sweep', 'study.db')),
    );
    const data = await readStudy(storage, 'lr-sweep');
    await storage.close();
    const [written] = writeStudyPlots(data, {
      outDir: path.join(root, 'plots'),
      types: ['optimization_history'],
      scale: 1,
    });
    const offline = await browser.newPage();
    await offline.setRequestInterception(true);
    const requested: string[] = [];
    offline.on('request', (req) => {
      requested.push(req.url());
      if (req.url().startsWith('file://') || req.url().startsWith('data:')) void req.continue();
      else void req.abort();
    });
    const errors: string[] = [];
    offline.on('pageerror', (e) => errors.push(String(e)));
    await offline.goto(`file://${written.html}`);
    await offline.waitForSelector('#chart svg');
    await offline.waitForFunction(() =>
      document.getElementById('png')!.getAttribute('href')!.startsWith('data:image/png'),
    );
    const complete = data.trials.filter((t) => t.state === 'COMPLETE');
    expect(await offline.$$eval('#chart path[aria-roledescription="point"]', (p) => p.length)).toBe(complete.length);
    expect(requested.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    await offline.close();
  });
});
