// The dashboard and the report as a person uses them: headless Chromium (Debian's) driven by puppeteer-core.
/// <reference lib="dom" />
import { readEvents, SummaryWriter, svgToPng, writeRunReport } from '@research/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startDashboard, type Dashboard } from './server';

/** What app.js exposes as window.dashboard (for these tests). */
interface Row {
  series: string;
  step: number;
  value: number;
  smoothed: number;
}
interface DashboardWindow {
  dashboard: {
    ready?: boolean;
    updates?: number;
    views: Record<string, { data(name: string): Row[]; scale(name: string): { type: string } }>;
  };
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let root: string;
let logDir: string;
let runA: string;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;

function writeRun(dir: string, seed: number, losses: number[]): void {
  const writer = new SummaryWriter(path.join(dir, 'tensorboard'));
  losses.forEach((v, step) => {
    writer.addScalar('epoch/train_loss', v, step);
    writer.addScalar('epoch/val_loss', v + 0.25, step);
    writer.addScalar('epoch/val_acc', 0.5 + step * 0.1, step);
  });
  for (let step = 0; step < 3; step++) {
    const pixels = new Uint8Array(8 * 8).map((_, i) => (i * 4 + step * 60) % 256);
    writer.addImage('reconstructions', { data: pixels, width: 8, height: 8, channels: 1 }, step);
  }
  writer.close();
  fs.writeFileSync(
    path.join(dir, 'config.yaml'),
    `seed: ${seed}\noptimizer:\n  lr: ${0.001 * (seed + 1)}\n  name: adamw\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'metrics.json'),
    JSON.stringify(losses.map((v, epoch) => ({ epoch, train_loss: v, val_loss: v + 0.25 }))),
  );
  fs.writeFileSync(
    path.join(dir, 'results.json'),
    JSON.stringify({ test_acc: 0.8 + seed / 100, best_epoch: losses.length - 1 }),
  );
  fs.writeFileSync(
    path.join(dir, 'confusion_matrix.png'),
    svgToPng(
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="#440154"/></svg>',
    ),
  );
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-browser-'));
  logDir = path.join(root, 'outputs');
  runA = path.join(logDir, 'paper-a', 'baseline', '2026-01-01T10-00-00Z');
  writeRun(runA, 0, [2.5, 1.75, 1.25, 1, 0.875]);
  writeRun(path.join(logDir, 'paper-a', 'baseline', '2026-01-02T10-00-00Z'), 1, [3, 2, 1.5, 1.25, 1.125]);
  writeRun(path.join(logDir, 'paper-b', 'other', '2026-01-03T10-00-00Z'), 2, [1, 0.5, 0.25, 0.125, 0.0625]);
  fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
  dashboard = await startDashboard({ logDir, port: 0, pollMs: 200 });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${path.join(root, 'chromium-profile')}`,
    ],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('lists every run, filters them, plots a run with the event file values, overlays two, diffs configs', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(dashboard.url);
    await page.waitForFunction('window.dashboard && window.dashboard.ready');
    const rows = () => page.$$eval('#runs tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-run')));
    expect((await rows()).sort()).toEqual([
      'paper-a/baseline/2026-01-01T10-00-00Z',
      'paper-a/baseline/2026-01-02T10-00-00Z',
      'paper-b/other/2026-01-03T10-00-00Z',
    ]);
    await page.type('#filter', 'paper-b');
    expect(await rows()).toEqual(['paper-b/other/2026-01-03T10-00-00Z']);
    await page.$eval('#filter', (input) => ((input as HTMLInputElement).value = ''));
    await page.type('#filter', ' ');

    // Click one run: one chart per metric (loss: train + val, acc: val).
    await page.click('tr[data-run="paper-a/baseline/2026-01-01T10-00-00Z"] td:nth-child(4)');
    await page.waitForSelector('.chart[data-metric="loss"] svg');
    expect(await page.$$eval('.chart', (charts) => charts.map((c) => c.getAttribute('data-metric')).sort())).toEqual([
      'acc',
      'loss',
    ]);
    const legend = await page.$$eval('.chart[data-metric="loss"] .role-legend-label text', (t) =>
      t.map((x) => x.textContent),
    );
    expect(legend).toEqual(['epoch/train_loss', 'epoch/val_loss']);
    // Two series, each drawn raw (faint) and smoothed: four lines.
    expect(await page.$$eval('.chart[data-metric="loss"] .mark-line path', (p) => p.length)).toBe(4);
    // The plotted points (aria-labels of the SVG marks) are the event file's values.
    const plotted = await page.$$eval('.chart[data-metric="loss"] path[aria-roledescription="point"]', (ps) =>
      ps.map((p) => p.getAttribute('aria-label')),
    );
    const events = readEvents(path.join(runA, 'tensorboard')).scalars['epoch/train_loss'];
    const trainPoints = plotted
      .filter((label) => label!.includes('series: epoch/train_loss'))
      .map((label) => Number(/loss: ([\d.]+)/.exec(label!)![1]));
    expect(trainPoints).toEqual(events.map((p) => p.value));
    // The smoothed curve is TensorBoard's debiased EMA of those values.
    const smoothed = await page.evaluate(() =>
      (window as unknown as DashboardWindow).dashboard.views.loss
        .data('points')
        .filter((r: Row) => r.series === 'epoch/train_loss')
        .map((r: Row) => r.smoothed),
    );
    let last = 0;
    const expected = events.map((p, i) => ((last = last * 0.6 + 0.4 * p.value), last / (1 - 0.6 ** (i + 1))));
    smoothed.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i], 10));
    // Images by step: the slider moves through the three steps.
    await page.waitForSelector('.image-tag[data-tag="reconstructions"] img');
    expect(await page.$eval('.image-tag span', (s) => s.textContent)).toContain('step 2 (3/3)');
    await page.$eval('.image-tag input', (input) => {
      (input as HTMLInputElement).value = '0';
      input.dispatchEvent(new Event('input'));
    });
    expect(await page.$eval('.image-tag span', (s) => s.textContent)).toContain('step 0 (1/3)');
    expect(await page.$eval('.image-tag img', (img) => (img as HTMLImageElement).src)).toContain('index=0');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('#files img')).every((i) => (i as HTMLImageElement).naturalWidth > 0),
    );

    // Tick a second run: overlaid series (2 runs x 2 splits) and the config difference of the two.
    await page.click('tr[data-run="paper-a/baseline/2026-01-02T10-00-00Z"] input');
    await page.waitForSelector('#config-diff');
    await page.waitForFunction(
      () => document.querySelectorAll('.chart[data-metric="loss"] .role-legend-label text').length === 4,
    );
    const diffKeys = await page.$$eval('#config-diff tr td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(diffKeys).toEqual(['optimizer.lr', 'seed']);

    // Log axis: the y scale becomes logarithmic.
    await page.click('#logy');
    await page.waitForFunction(
      () => (window as unknown as DashboardWindow).dashboard.views.loss?.scale('y').type === 'log',
    );
    await page.screenshot({ path: path.join(root, 'dashboard.png') });
    expect(fs.statSync(path.join(root, 'dashboard.png')).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });

  it('updates a run that is still training without reloading', async () => {
    const before = await page.evaluate(() => (window as unknown as DashboardWindow).dashboard.updates ?? 0);
    const writer = new SummaryWriter(path.join(runA, 'tensorboard'), { filenameSuffix: '.more' });
    writer.addScalar('epoch/train_loss', 0.5, 5);
    writer.close();
    await page.waitForFunction(
      (n) => ((window as unknown as DashboardWindow).dashboard.updates ?? 0) > n,
      { timeout: 10_000 },
      before,
    );
    await page.waitForFunction(() =>
      (window as unknown as DashboardWindow).dashboard.views.loss
        ?.data('points')
        .some((r: Row) => r.step === 5 && r.value === 0.5),
    );
  });

  it('refuses traversal from the browser too', async () => {
    for (const target of ['files/..%2f..%2fsecret.txt', 'files/%2e%2e/secret.txt', 'api/run?id=..%2F..']) {
      // Chromium itself resolves '%2e%2e' to '..' before sending: those arrive as /secret.txt (404).
      const res = await page.goto(dashboard.url + target);
      expect([400, 404]).toContain(res!.status());
      expect(await page.content()).not.toContain('TOP-SECRET-CONTENT');
    }
  });

  it('opens report.html from disk with the network cut and renders curves, metrics, images and config', async () => {
    const report = writeRunReport(runA, { logDir });
    const offline = await browser.newPage();
    await offline.setRequestInterception(true);
    const requested: string[] = [];
    offline.on('request', (req) => {
      requested.push(req.url());
      if (req.url().startsWith('file://') || req.url().startsWith('data:')) void req.continue();
      else void req.abort();
    });
    await offline.goto(`file://${report}`);
    expect(requested.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    expect(await offline.$$eval('#curves path[aria-roledescription="line mark"]', (p) => p.length)).toBe(2); // train/val loss
    expect(await offline.$eval('#metrics', (t) => t.textContent)).toContain('test_acc');
    expect(await offline.$eval('#config', (p) => p.textContent)).toContain('adamw');
    const images = await offline.$$eval('img', (imgs) =>
      imgs.map((i) => [(i as HTMLImageElement).naturalWidth, i.getAttribute('src')!.slice(0, 22)]),
    );
    expect(images.length).toBeGreaterThanOrEqual(3); // confusion matrix, PNG artefact, reconstructions
    for (const [width, src] of images) {
      expect(width).toBeGreaterThan(0);
      expect(src).toBe('data:image/png;base64,');
    }
    await offline.screenshot({ path: path.join(root, 'report.png') });
    await offline.close();
  });
});
