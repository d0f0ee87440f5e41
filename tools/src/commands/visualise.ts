// `tools visualise --mode launch|report|search`: TensorBoard (when installed) or the project's dashboard over run
// folders, a self-contained report.html for one run, and a search study's plots.
import { isRunDir, outputsDir, STUDY_PLOT_TYPES, writeRunReport } from '@research/common';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { startDashboard, type Dashboard } from '../dashboard/server';
import { studiesRoute } from '../dashboard/studies';
import { plotStudy } from './visualise-search';

export interface VisualiseOptions {
  mode: string;
  runDir?: string;
  logdir?: string;
  port?: string;
  host?: string;
  dashboard?: boolean;
  studyName?: string;
  storage?: string;
  plotType?: string[];
  params?: string[];
  outputDir?: string;
}

/** The `tensorboard` executable on PATH, or undefined. */
export function tensorboardOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, process.platform === 'win32' ? 'tensorboard.exe' : 'tensorboard');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function parsePort(value: string | undefined): number {
  const port = Number(value ?? '6006');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: expected an integer 0..65535, got '${value}'`);
  return port;
}

function existingDir(dir: string, flag: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${flag} ${dir}: no such folder`);
  return path.resolve(dir);
}

/** What `--mode launch` started: TensorBoard as a child process, or the built-in dashboard. */
export type Launched =
  | { kind: 'tensorboard'; child: ChildProcess; url: string }
  | { kind: 'dashboard'; dashboard: Dashboard; url: string };

/** `--mode launch`: TensorBoard when it is on PATH and --dashboard is not given, else the dashboard. */
export async function launch(o: VisualiseOptions): Promise<Launched> {
  const logDir = existingDir(o.runDir ?? o.logdir ?? outputsDir(), o.runDir ? '--run_dir' : '--logdir');
  const port = parsePort(o.port);
  const host = o.host ?? '127.0.0.1';
  const tensorboard = o.dashboard ? undefined : tensorboardOnPath();
  if (tensorboard) {
    const child = spawn(tensorboard, ['--logdir', logDir, '--port', String(port), '--host', host], {
      stdio: 'inherit',
    });
    return { kind: 'tensorboard', child, url: `http://${host}:${port}/` };
  }
  const routes = [studiesRoute({ storages: o.storage ? [o.storage] : [] })];
  const dashboard = await startDashboard({ logDir, port, host, routes });
  return { kind: 'dashboard', dashboard, url: dashboard.url };
}

/** `--mode report`: writes report.html into the run folder; returns its path. */
export function report(o: VisualiseOptions): string {
  if (!o.runDir) throw new Error('--mode report needs --run_dir <run folder>');
  const runDir = existingDir(o.runDir, '--run_dir');
  if (!isRunDir(runDir))
    throw new Error(
      `--run_dir ${runDir}: not a run folder (no config.yaml, metrics.json, results.json or tensorboard/)`,
    );
  return writeRunReport(runDir);
}

export async function runVisualise(o: VisualiseOptions): Promise<void> {
  if (o.mode === 'report') {
    console.log(`report: ${report(o)}`);
    return;
  }
  if (o.mode === 'search') {
    const { outDir, written } = await plotStudy(o);
    for (const w of written) {
      if (w.skipped) console.log(`${w.type}: not drawn (${w.skipped})`);
      else console.log(`${w.type}: ${path.relative(outDir, w.png!)}, ${path.relative(outDir, w.html!)}`);
    }
    console.log(`plots of study '${o.studyName}' in ${outDir}`);
    return;
  }
  if (o.mode !== 'launch') throw new Error(`--mode: expected launch, report or search, got '${o.mode}'`);
  const launched = await launch(o);
  if (launched.kind === 'tensorboard') {
    console.log(`tensorboard on ${launched.url}`);
    const code = await new Promise<number | null>((resolve) => launched.child.on('exit', resolve));
    if (code !== 0) throw new Error(`tensorboard exited with code ${code}`);
    return;
  }
  console.log(`dashboard on ${launched.url}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => void launched.dashboard.close().then(resolve)));
}

export function register(program: Command): void {
  program
    .command('visualise')
    .description(
      'Curves, images and configs of runs: TensorBoard or the built-in dashboard (launch), a report.html (report), ' +
        "or a search study's plots (search)",
    )
    .requiredOption('--mode <mode>', 'launch | report | search')
    .option('--run_dir <dir>', 'one run folder (report: required)')
    .option('--logdir <dir>', 'the folder of all runs (launch, default <assets>/outputs)')
    .option('--port <n>', 'port (launch, default 6006; 0 = any free port)')
    .option('--host <host>', 'address to bind (launch, default 127.0.0.1: this machine only)')
    .option('--dashboard', 'the built-in dashboard even when tensorboard is installed')
    .option('--study-name <name>', 'search: the study to plot')
    .option(
      '--storage <url>',
      'search: sqlite:///path.db or postgresql://... (default: optuna_studies/<name>/study.db); ' +
        'launch: a storage whose studies the dashboard shows too',
    )
    .option('--plot-type <types...>', `search: ${STUDY_PLOT_TYPES.join(' | ')} (default all)`)
    .option('--params <names...>', 'search: the parameters of contour, slice, parallel_coordinate, importances')
    .option('--output-dir <dir>', 'search: where the PNG and HTML files go (default <study folder>/plots)')
    .action(async ({ run_dir, ...o }: Omit<VisualiseOptions, 'runDir'> & { run_dir?: string }) => {
      await runVisualise({ ...o, runDir: run_dir });
    });
}
