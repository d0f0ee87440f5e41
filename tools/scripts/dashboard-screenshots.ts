// The README's screenshots of the dashboard and of a report, from the real runs of a log directory:
//   npx tsx tools/scripts/dashboard-screenshots.ts [--logdir assets/outputs] [--out docs/images]
//   npx tsx tools/scripts/dashboard-screenshots.ts --study-only [--logdir <dir with a search study>]
// Needs Chromium (/usr/bin/chromium or $CHROMIUM_PATH) and at least one run (two for the overlay); with a search
// study under the log directory it also writes dashboard-study.png (the first study's view).
import { findRuns, outputsDir, writeRunReport } from '@research/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startDashboard } from '../src/dashboard/server';
import { studiesRoute } from '../src/dashboard/studies';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const logDir = path.resolve(option('logdir', outputsDir()));
  const outDir = path.resolve(option('out', 'docs/images'));
  const studyOnly = process.argv.includes('--study-only');
  const runs = findRuns(logDir);
  if (runs.length === 0 && !studyOnly)
    throw new Error(`no run under ${logDir}: train one first (npx nx run triplet-vae:train)`);
  fs.mkdirSync(outDir, { recursive: true });
  const dashboard = await startDashboard({ logDir, port: 0, routes: [studiesRoute()] });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'screenshots-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1500, height: 1050 });
    await page.goto(dashboard.url);
    await page.waitForFunction('window.dashboard && window.dashboard.ready');
    if (await page.$('#studies tbody tr[data-study]')) {
      await page.click('#studies tbody tr[data-study]');
      await page.waitForSelector('.study-chart[data-plot="parallel_coordinate"] svg');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await page.screenshot({ path: path.join(outDir, 'dashboard-study.png') });
      console.log(`wrote ${path.join(outDir, 'dashboard-study.png')}`);
    }
    if (studyOnly) return;
    await page.click(`tr[data-run="${runs[0].id}"] td:nth-child(4)`);
    if (runs[1]) await page.click(`tr[data-run="${runs[1].id}"] input`);
    await page.waitForSelector('.chart svg');
    await page.type('#tag-filter', 'loss');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.screenshot({ path: path.join(outDir, 'dashboard.png') });

    const report = writeRunReport(path.join(logDir, ...runs[0].id.split('/')), { logDir });
    await page.setViewport({ width: 1300, height: 1000 });
    await page.goto(`file://${report}`);
    await page.screenshot({ path: path.join(outDir, 'report.png') });
    console.log(
      `wrote ${path.join(outDir, 'dashboard.png')} and ${path.join(outDir, 'report.png')} (report of ${runs[0].id})`,
    );
  } finally {
    await browser.close();
    await dashboard.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
