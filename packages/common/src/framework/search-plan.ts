// What a `tools search` run works on: the config's `search:` section with the command line's flags over it, where the
// study lives (`<runs>/optuna_studies/<study>/`, its SQLite database `study.db` unless a storage URL is given), and the
// study opened with the section's sampler, pruner and heartbeats.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config';
import { checkPathName } from '../run';
import {
  defaultStudyStorage,
  DuplicatedStudyError,
  parseStorageUrl,
  prunerByName,
  RetryFailedTrialCallback,
  samplerByName,
  Study,
  studyFolder,
  type CategoricalChoice,
  type ParamValue,
  type SchemaRevision,
  type Trial,
} from '../search';
import type { FrameworkConfig } from './config-schema';
import { loadFrameworkConfig } from './load-config';
import { searchSpaceEntries, type SearchDistribution, type SearchSection } from './search-section';

export interface SearchFlags {
  /** The framework config holding a `search:` section. */
  configFile: string;
  /** `key=value` overrides applied to the config of every trial (and to best_config.yaml). */
  overrides?: readonly string[];
  nTrials?: number;
  studyName?: string;
  storage?: string;
  /** Replaces training.runs_dir as `<runs>`. */
  outputDir?: string;
}

export interface SearchPlan {
  configFile: string;
  overrides: string[];
  /** The config with the overrides (the trials' base). */
  config: FrameworkConfig;
  section: SearchSection;
  studyName: string;
  storage: string;
  /** The study-wide budget: trials 0..nTrials-1 across all workers. */
  nTrials: number;
  /** `<runs>/optuna_studies/<study>/`: trial run folders, best_config.yaml and (by default) study.db. */
  studyDir: string;
  space: Array<[string, SearchDistribution]>;
}

export function resolveSearchPlan(flags: SearchFlags): SearchPlan {
  const overrides = [...(flags.overrides ?? [])];
  const config = loadFrameworkConfig(flags.configFile, overrides);
  const section = config.search;
  if (!section) {
    throw new ConfigError(
      `config ${flags.configFile} has no search: section (\`tools init-config <data_dir> --optuna\` writes one)`,
    );
  }
  if (flags.nTrials !== undefined && !(Number.isInteger(flags.nTrials) && flags.nTrials > 0))
    throw new Error(`--n-trials: expected an integer >= 1, got ${flags.nTrials}`);
  const studyName = flags.studyName ?? section.study_name;
  if (studyName.includes('/')) throw new Error(`study name '${studyName}' cannot contain '/'`);
  checkPathName(studyName, 'study name');
  const runsDir = flags.outputDir ?? config.training.runs_dir;
  return {
    configFile: path.resolve(flags.configFile),
    overrides,
    config,
    section,
    studyName,
    storage: flags.storage ?? section.storage ?? defaultStudyStorage(runsDir, studyName),
    nTrials: flags.nTrials ?? section.n_trials,
    studyDir: studyFolder(runsDir, studyName),
    space: searchSpaceEntries(section.search_space),
  };
}

/** The grid of each parameter for the grid sampler: categorical choices, or every int of a stepped range. */
function gridOf(space: Array<[string, SearchDistribution]>): Record<string, CategoricalChoice[]> {
  const grid: Record<string, CategoricalChoice[]> = {};
  for (const [key, d] of space) {
    if (d.type === 'categorical') grid[key] = d.choices;
    else if (d.type === 'int' && !d.log) {
      const step = d.step ?? 1;
      grid[key] = Array.from({ length: Math.floor((d.high - d.low) / step) + 1 }, (_, i) => d.low + i * step);
    } else {
      throw new ConfigError(
        `search.search_space.${key}: the grid sampler needs categorical choices or an int range without log ` +
          `(got ${d.type})`,
      );
    }
  }
  return grid;
}

export interface OpenStudyOptions {
  /** Continue an existing study (else an existing one is an error). */
  resume?: boolean;
  /** Worker i of `--workers` seeds its sampler with seed + i (else every worker would sample the same points). */
  workerIndex?: number;
  /** Optuna schema revision of a NEW database ('v3.0.0.d' for Optuna 3.0/3.1 readers). */
  schemaRevision?: SchemaRevision;
}

/** Creates (or with `resume` loads) the plan's study with the section's sampler, pruner and heartbeats. */
export async function openSearchStudy(plan: SearchPlan, opts: OpenStudyOptions = {}): Promise<Study> {
  const { section } = plan;
  const seed = section.seed === null || section.seed === undefined ? undefined : section.seed + (opts.workerIndex ?? 0);
  const sampler = samplerByName(section.sampler, {
    args: section.sampler_options ?? {},
    seed,
    grid: section.sampler === 'grid' ? gridOf(plan.space) : undefined,
    where: 'search.sampler_options',
  });
  const pruner = prunerByName(section.pruner, {
    args: section.pruner_options ?? {},
    maxResource: plan.config.training.num_epochs, // epochs are the resource Hyperband shares out
    where: 'search.pruner_options',
  });
  const heartbeat =
    section.heartbeat_interval === null || section.heartbeat_interval === undefined
      ? undefined
      : {
          heartbeatInterval: section.heartbeat_interval,
          gracePeriod: section.grace_period ?? undefined,
          failedTrialCallback:
            section.failed_trial_max_retry === null || section.failed_trial_max_retry === undefined
              ? undefined
              : new RetryFailedTrialCallback(section.failed_trial_max_retry).callback,
        };
  const target = parseStorageUrl(plan.storage);
  if (target.dialect === 'sqlite') fs.mkdirSync(path.dirname(path.resolve(target.path)), { recursive: true });
  const common = { studyName: plan.studyName, storage: plan.storage, sampler, pruner, heartbeat };
  let study: Study;
  if (opts.resume) {
    try {
      study = await Study.load({ ...common, schemaRevision: opts.schemaRevision });
    } catch (e) {
      if (!/not found|does not exist|no study/i.test((e as Error).message)) throw e;
      throw new Error(
        `--resume: no study '${plan.studyName}' in ${plan.storage} to continue (leave out --resume to create it)`,
        { cause: e },
      );
    }
    if (study.direction !== section.direction.toUpperCase()) {
      await study.close();
      throw new Error(
        `study '${plan.studyName}' in ${plan.storage} is to ${study.direction.toLowerCase()}, ` +
          `but search.direction is ${section.direction}`,
      );
    }
  } else {
    try {
      study = await Study.create({ ...common, direction: section.direction, schemaRevision: opts.schemaRevision });
    } catch (e) {
      if (!(e instanceof DuplicatedStudyError)) throw e;
      throw new Error(
        `study '${plan.studyName}' already exists in ${plan.storage}: pass --resume to continue it ` +
          '(or --study-name for a new study)',
        { cause: e },
      );
    }
    // Optuna >= 3.2 shows the objective's name (study.set_metric_names).
    await study.storage.setStudySystemAttr(study.studyId, 'study:metric_names', [section.metric]);
  }
  return study;
}

/** Samples the trial's parameters, named by their dotted config keys. */
export async function suggestParams(
  trial: Trial,
  space: Array<[string, SearchDistribution]>,
): Promise<Record<string, ParamValue>> {
  const params: Record<string, ParamValue> = {};
  for (const [key, d] of space) {
    if (d.type === 'categorical') params[key] = await trial.suggestCategorical(key, d.choices);
    else if (d.type === 'int') params[key] = await trial.suggestInt(key, d.low, d.high, { step: d.step, log: d.log });
    else params[key] = await trial.suggestFloat(key, d.low, d.high, { log: d.type === 'loguniform' });
  }
  return params;
}

/** Parameters as `key=value` overrides (numbers in their shortest exact form, strings as they are). */
export function paramOverrides(params: Record<string, ParamValue>): string[] {
  return Object.entries(params).map(([key, value]) => `${key}=${String(value)}`);
}
