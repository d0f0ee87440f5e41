// `tools search --config <file>`: a hyper-parameter study of a framework config's `search:` section in Optuna's
// storage; each trial trains as `tools train` does, in <runs>/optuna_studies/<study>/trial_<number>/. `--workers n`
// starts n local worker processes of this command on the same study.
import {
  concludeSearch,
  exitWithParent,
  openSearchStudy,
  resolveSearchPlan,
  runSearchWorker,
  SCHEMA_REVISIONS,
  searchSummary,
  type BackendPreference,
  type SchemaRevision,
  type SearchPlan,
} from '@research/common';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Command } from 'commander';

const TOOLS = path.join(__dirname, '..', '..', 'bin', 'tools.js');

interface SearchOptions {
  config?: string;
  nTrials?: string;
  studyName?: string;
  storage?: string;
  resume?: boolean;
  workers?: string;
  workerIndex?: string;
  outputDir?: string;
  backend: string;
  progress: boolean;
  schemaRevision?: string;
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`--${flag}: expected an integer >= 1, got '${text}'`);
  return n;
}

function schemaRevision(text: string | undefined): SchemaRevision | undefined {
  if (text === undefined) return undefined;
  if (!(SCHEMA_REVISIONS as readonly string[]).includes(text))
    throw new Error(`--schema-revision: expected ${SCHEMA_REVISIONS.join(' or ')}, got '${text}'`);
  return text as SchemaRevision;
}

/** Pipes a child's output to ours, each line prefixed (`[worker 1] ...`). */
function prefixLines(stream: NodeJS.ReadableStream, prefix: string, write: (line: string) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split(/\r?\n|\r/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line !== '') write(`${prefix}${line}`);
  });
  stream.on('end', () => pending && write(`${prefix}${pending}`));
}

/** Starts worker i: this command without --workers, joining the study the parent created. */
function startWorker(plan: SearchPlan, o: SearchOptions, overrides: string[], index: number): Promise<number> {
  const args = [
    TOOLS,
    'search',
    '--config',
    plan.configFile,
    '--study-name',
    plan.studyName,
    '--storage',
    plan.storage,
    '--n-trials',
    String(plan.nTrials),
    '--resume',
    '--worker-index',
    String(index),
    '--backend',
    o.backend,
    ...(o.outputDir ? ['--output-dir', o.outputDir] : []),
    ...(o.progress ? [] : ['--no-progress']),
    ...overrides,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[worker ${index}] `;
  prefixLines(child.stdout, prefix, (line) => console.log(line));
  prefixLines(child.stderr, prefix, (line) => process.stderr.write(`${line}\n`));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export function register(program: Command): void {
  program
    .command('search')
    .description(
      "hyper-parameter search of a framework config's search: section (Optuna's storage): " +
        'trials in <runs>/optuna_studies/<study>/trial_<number>/, best_config.yaml beside them',
    )
    .argument('[overrides...]', 'config overrides for every trial, key=value (e.g. training.num_epochs=5)')
    .requiredOption('--config <file>', 'a framework config with a search: section (tools init-config --optuna)')
    .option('--n-trials <n>', "trials of the study, all workers together (default: the section's n_trials)")
    .option('--study-name <name>', "the study (default: the section's study_name)")
    .option(
      '--storage <url>',
      "sqlite:///path.db or postgresql://user@host:port/db (default: the section's, else " +
        'sqlite:///<runs>/optuna_studies/<study>/study.db)',
    )
    .option('--resume', 'continue an existing study (without it, an existing study name is an error)')
    .option('--workers <n>', 'start n local worker processes on the study (trials numbered 0..n_trials-1 across them)')
    .option('--worker-index <i>', "(set by --workers) this worker's number: the sampler's seed is seed + i")
    .option('--output-dir <dir>', '<runs>: the parent of optuna_studies/ (default: training.runs_dir)')
    .option('--backend <name>', 'tensor backend: auto, wasm, cpu, tfjs-node, tfjs-node-gpu', 'auto')
    .option(
      '--schema-revision <rev>',
      'Optuna schema of a new database: v3.2.0.a (Optuna >= 3.2) or v3.0.0.d (3.0, 3.1)',
    )
    .option('--no-progress', 'no progress lines')
    .action(async (overrides: string[], o: SearchOptions) => {
      const plan = resolveSearchPlan({
        configFile: o.config as string,
        overrides,
        nTrials: positiveInt('n-trials', o.nTrials),
        studyName: o.studyName,
        storage: o.storage,
        outputDir: o.outputDir,
      });
      const revision = schemaRevision(o.schemaRevision);
      const workers = positiveInt('workers', o.workers) ?? 1;
      const workerIndex = o.workerIndex === undefined ? 0 : Number(o.workerIndex);
      if (!(Number.isInteger(workerIndex) && workerIndex >= 0))
        throw new Error(`--worker-index: expected an integer >= 0, got '${o.workerIndex}'`);
      // deterministic: single-threaded wasm (as tools train), read by the backend when it starts.
      if (plan.config.deterministic && process.env.RESEARCH_WASM_THREADS === undefined) {
        process.env.RESEARCH_WASM_THREADS = '0';
        console.log('[search] deterministic: true -> single-threaded wasm (RESEARCH_WASM_THREADS=0)');
      }
      // A worker of --workers ends with the command that started it (its trial is then failed by heartbeats).
      if (o.workerIndex !== undefined) exitWithParent();
      if (workers === 1) {
        const outcome = await runSearchWorker(plan, {
          resume: o.resume,
          workerIndex,
          schemaRevision: revision,
          backend: o.backend as BackendPreference,
          progress: o.progress,
          command: `tools search ${process.argv.slice(3).join(' ')}`.trim(),
        });
        console.log(searchSummary(outcome, plan.section.metric));
        return;
      }
      // Create (or check) the study once, then let the workers join it.
      await (await openSearchStudy(plan, { resume: o.resume, schemaRevision: revision })).close();
      console.log(`[search] ${workers} workers on study ${plan.studyName} (${plan.storage}), ${plan.nTrials} trials`);
      const codes = await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(plan, o, overrides, i)));
      const study = await openSearchStudy(plan, { resume: true });
      try {
        console.log(searchSummary(await concludeSearch(plan, study), plan.section.metric));
      } finally {
        await study.close();
      }
      const failed = codes.map((code, i) => [i, code]).filter(([, code]) => code !== 0);
      if (failed.length > 0)
        throw new Error(`worker(s) ${failed.map(([i, code]) => `${i} (exit ${code})`).join(', ')} failed`);
    });
}
