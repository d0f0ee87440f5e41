// One `tools search` worker: trials of the plan's study, each trained through the framework app exactly as `tools
// train` trains (its own run folder `<runs>/optuna_studies/<study>/trial_<number>/`), the metric reported after every
// epoch, pruned at once when the pruner says so, failed (and the search goes on) when training throws; then the best
// trial's config as best_config.yaml.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendPreference } from '../backend';
import { writeFileAtomic } from '../io';
import { trainRun } from '../run';
import {
  defaultStudyStorage,
  TrialPruned,
  type FrozenTrial,
  type ParamValue,
  type Study,
  type Trial,
  type TrialState,
} from '../search';
import type { Callback, EpochRecord } from '../training';
import { frameworkApp } from './app';
import { renderFrameworkConfig } from './config-template';
import { loadFrameworkConfig } from './load-config';
import { frameworkSchema } from './config-schema';
import { openSearchStudy, paramOverrides, suggestParams, type OpenStudyOptions, type SearchPlan } from './search-plan';

export interface SearchWorkerOptions extends OpenStudyOptions {
  backend?: BackendPreference;
  /** Progress lines of each trial's training (default true). */
  progress?: boolean;
  log?: (line: string) => void;
  /** The command recorded in each trial's run.json. */
  command?: string;
}

const DEFAULT_RUNS_DIR = frameworkSchema.training.runs_dir.default as string;

/** A problem of the search itself (its metric), not of one trial: the search stops. */
export class SearchAbortedError extends Error {}

/** A trial's training threw: the trial is FAIL and the search goes on. */
class TrialFailedError extends Error {}

export interface SearchOutcome {
  studyName: string;
  storage: string;
  studyDir: string;
  counts: Record<TrialState, number>;
  best?: { number: number; value: number; params: Record<string, ParamValue>; runDir?: string };
  /** best_config.yaml, when a trial completed. */
  bestConfig?: string;
}

/** The best value of the metric over a run's epochs (the epoch Optuna's usual objective would return). */
function bestEpochValue(history: readonly EpochRecord[], metric: string, maximize: boolean): number {
  const values = history.map((r) => r[metric]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  if (values.length === 0) return NaN;
  return maximize ? Math.max(...values) : Math.min(...values);
}

/** Reports the metric after each epoch and stops the fit when the pruner says so (Optuna's Lightning callback). */
function reportingCallback(plan: SearchPlan, trial: Trial, onPrune: (reason: string) => void): Callback {
  const metric = plan.section.metric;
  return {
    async onFitStart(trainer) {
      if (trainer.runDir) await trial.setUserAttr('run_dir', trainer.runDir);
    },
    async onEpochEnd(trainer, _module, record) {
      const value = record[metric];
      if (typeof value !== 'number') {
        throw new SearchAbortedError(
          `search.metric '${metric}' is not recorded by an epoch (an epoch records ${Object.keys(record).join(', ')})`,
        );
      }
      await trial.report(value, record.epoch);
      if (await trial.shouldPrune()) {
        const reason = `pruned by the ${plan.section.pruner} pruner after epoch ${record.epoch} (${metric} ${value})`;
        onPrune(reason);
        trainer.stop(reason);
      }
    },
  };
}

async function trainTrial(plan: SearchPlan, trial: Trial, opts: SearchWorkerOptions, log: (l: string) => void) {
  const params = await suggestParams(trial, plan.space);
  log(
    `trial ${trial.number}: ${Object.entries(params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')}`,
  );
  let pruned: string | undefined;
  const callback = reportingCallback(plan, trial, (reason) => (pruned = reason));
  const base = frameworkApp({ configFile: plan.configFile, backend: opts.backend });
  const app = {
    ...base,
    runFolder: () => ({ parent: plan.studyDir, name: `trial_${trial.number}` }),
    async setup(...args: Parameters<typeof base.setup>) {
      const experiment = await base.setup(...args);
      return { ...experiment, callbacks: [...(experiment.callbacks ?? []), callback] };
    },
  };
  const prefixed = (text: string) => text.split('\n').forEach((line) => log(`[trial ${trial.number}] ${line}`));
  let result;
  try {
    result = await trainRun(app, {
      config: plan.configFile,
      overrides: [...plan.overrides, ...paramOverrides(params)],
      progress: opts.progress,
      log: prefixed,
      command: `${opts.command ?? 'tools search'} (trial ${trial.number} of study ${plan.studyName})`,
    });
  } catch (e) {
    if (e instanceof SearchAbortedError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    log(`trial ${trial.number} failed: ${message}`);
    await trial.setUserAttr('fail_reason', message);
    throw new TrialFailedError(message, { cause: e });
  }
  const tested = Object.entries(result.results).filter(([k, v]) => k.startsWith('test_') && typeof v === 'number');
  for (const [key, value] of tested) await trial.setUserAttr(key, value);
  if (pruned) {
    log(`trial ${trial.number} ${pruned}`);
    throw new TrialPruned(pruned);
  }
  const value = bestEpochValue(result.history, plan.section.metric, plan.section.direction === 'maximize');
  log(`trial ${trial.number} finished: best ${plan.section.metric} ${value}`);
  return value;
}

/**
 * Runs trials until the study holds `plan.nTrials` (shared by every worker on the storage), then writes
 * best_config.yaml; returns what the study holds.
 */
export async function runSearchWorker(plan: SearchPlan, opts: SearchWorkerOptions = {}): Promise<SearchOutcome> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const say = (line: string) => log(`[search] ${line}`);
  const study = await openSearchStudy(plan, opts);
  try {
    say(
      `study ${plan.studyName} (${plan.section.direction} ${plan.section.metric}, ${plan.section.sampler} sampler, ` +
        `${plan.section.pruner} pruner): ${plan.nTrials} trials in ${plan.storage}`,
    );
    await study.optimize((trial) => trainTrial(plan, trial, opts, say), {
      studyTrials: plan.nTrials,
      catch: [TrialFailedError],
    });
    return await concludeSearch(plan, study);
  } finally {
    await study.close();
  }
}

/** Counts the study's trials by state, and writes best_config.yaml for its best trial. */
export async function concludeSearch(plan: SearchPlan, study: Study): Promise<SearchOutcome> {
  const trials = await study.getTrials();
  const counts: Record<TrialState, number> = { COMPLETE: 0, PRUNED: 0, FAIL: 0, RUNNING: 0, WAITING: 0 };
  for (const t of trials) counts[t.state]++;
  const outcome: SearchOutcome = { studyName: plan.studyName, storage: plan.storage, studyDir: plan.studyDir, counts };
  if (counts.COMPLETE === 0) return outcome;
  const best: FrozenTrial = await study.bestTrial();
  const runDir = best.userAttrs.run_dir;
  outcome.best = {
    number: best.number,
    value: (best.values as number[])[0],
    params: best.params,
    runDir: typeof runDir === 'string' ? runDir : undefined,
  };
  outcome.bestConfig = writeBestConfig(plan, best);
  return outcome;
}

/**
 * `<study folder>/best_config.yaml`: the config (with the command line's overrides) and the best trial's parameters,
 * without the search section, so that `tools train --config best_config.yaml` trains the best trial's setting.
 */
export function writeBestConfig(plan: SearchPlan, best: FrozenTrial): string {
  const config = loadFrameworkConfig(plan.configFile, [...plan.overrides, ...paramOverrides(best.params)]);
  config.search = null;
  const file = path.join(plan.studyDir, 'best_config.yaml');
  fs.mkdirSync(plan.studyDir, { recursive: true });
  const text = renderFrameworkConfig(config, [
    `The best trial (${best.number}, ${plan.section.metric} ${(best.values as number[])[0]}) of study ` +
      `${plan.studyName} (${plan.storage}), from ${plan.configFile}.`,
    `Train it: tools train --config ${file}`,
  ]);
  writeFileAtomic(file, text);
  return file;
}

/** The closing lines: the best trial, what was written and how to look at it. */
export function searchSummary(outcome: SearchOutcome, metric: string): string {
  const { counts } = outcome;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const lines = [
    `study ${outcome.studyName}: ${total} trials (${counts.COMPLETE} complete, ${counts.PRUNED} pruned, ` +
      `${counts.FAIL} failed${counts.RUNNING ? `, ${counts.RUNNING} running` : ''}` +
      `${counts.WAITING ? `, ${counts.WAITING} waiting` : ''})`,
  ];
  if (outcome.best) {
    lines.push(`best trial ${outcome.best.number}: ${metric} ${outcome.best.value}`);
    for (const [key, value] of Object.entries(outcome.best.params)) lines.push(`  ${key} = ${String(value)}`);
  } else {
    lines.push('no trial completed: no best_config.yaml');
  }
  lines.push(`wrote ${outcome.studyDir}:`);
  if (outcome.bestConfig) lines.push(`  best_config.yaml  the config of the best trial, without the search section`);
  lines.push(`  trial_<number>/   each trial's run folder (config.yaml, metrics, tensorboard/, report.html)`);
  lines.push(`  study: ${outcome.storage} (Optuna's schema: optuna.load_study and optuna-dashboard open it)`);
  lines.push('look at it:');
  // visualise finds a study under the default runs folder by its name alone; elsewhere it needs the storage.
  const where =
    outcome.storage === defaultStudyStorage(DEFAULT_RUNS_DIR, outcome.studyName) ? '' : ` --storage ${outcome.storage}`;
  lines.push(`  plots      npx tools visualise --mode search --study-name ${outcome.studyName}${where}`);
  lines.push(`  curves     npx tools visualise --mode launch --dashboard --run_dir ${outcome.studyDir}`);
  if (outcome.bestConfig) lines.push(`  train it   npx tools train --config ${outcome.bestConfig}`);
  if (outcome.best?.runDir) lines.push(`  best run   ${path.join(outcome.best.runDir, 'report.html')}`);
  return lines.join('\n');
}
