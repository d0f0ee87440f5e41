// `tools visualise --mode launch|report`: TensorBoard (when installed) or the project's dashboard over run folders,
// and a self-contained report.html for one run.
import { isRunDir, writeRunReport } from '@research/common';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { startDashboard } from '../dashboard/server';

export interface VisualiseOptions {
  mode: string;
  runDir?: string;
  logdir?: string;
  port?: string;
  host?: string;
  dashboard?: boolean;
}

/** True when a `tensorboard` executable is on PATH. */
export function tensorboardOnPath(): boolean {
  return spawnSync('tensorboard', ['--version_tb'], { stdio: 'ignore' }).error === undefined;
}

function parsePort(value: string | undefined): number {
  const port = Number(value ?? '6006');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected an integer 0..65535, got '${value}'`);
  return port;
}

function existingDir(dir: string, flag: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${flag} ${dir}: no such folder`);
  return path.resolve(dir);
}

export async function runVisualise(o: VisualiseOptions): Promise<void> {
  if (o.mode === 'report') {
    if (!o.runDir) throw new Error('--mode report needs --run_dir <run folder>');
    const runDir = existingDir(o.runDir, '--run_dir');
    if (!isRunDir(runDir)) throw new Error(`--run_dir ${runDir}: not a run folder (no config.yaml, metrics.json, results.json or tensorboard/)`);
    console.log(`report: ${writeRunReport(runDir)}`);
    return;
  }
  if (o.mode !== 'launch') throw new Error(`--mode: expected launch or report, got '${o.mode}' (search studies: see the search command)`);
  const logDir = existingDir(o.runDir ?? o.logdir ?? path.join('assets', 'outputs'), o.runDir ? '--run_dir' : '--logdir');
  const port = parsePort(o.port);
  const host = o.host ?? '127.0.0.1';
  if (!o.dashboard && tensorboardOnPath()) {
    console.log(`tensorboard --logdir ${logDir} --port ${port} --host ${host}`);
    const child = spawn('tensorboard', ['--logdir', logDir, '--port', String(port), '--host', host], { stdio: 'inherit' });
    await new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tensorboard exited with ${code}`)))));
    return;
  }
  // A single run folder is shown as the log directory's one run: serve its parent, list only it.
  const dashboard = await startDashboard({ logDir, port, host });
  console.log(`dashboard on ${dashboard.url} (log directory ${logDir}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => dashboard.close().then(resolve)));
}

export function register(program: Command): void {
  program
    .command('visualise')
    .description('Curves, images and configs of runs: TensorBoard or the built-in dashboard (launch), or a report.html (report)')
    .requiredOption('--mode <mode>', 'launch | report')
    .option('--run_dir <dir>', 'one run folder (report: required)')
    .option('--logdir <dir>', 'the folder of all runs (launch, default assets/outputs)')
    .option('--port <n>', 'port (launch, default 6006; 0 = any free port)')
    .option('--host <host>', 'address to bind (launch, default 127.0.0.1: this machine only)')
    .option('--dashboard', 'the built-in dashboard even when tensorboard is installed')
    .action(async (o: { mode: string; run_dir?: string; logdir?: string; port?: string; host?: string; dashboard?: boolean }) => {
      await runVisualise({ mode: o.mode, runDir: o.run_dir, logdir: o.logdir, port: o.port, host: o.host, dashboard: o.dashboard });
    });
}
