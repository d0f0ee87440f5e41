// One training run, the same for every app: config -> backend -> data and module -> run folder -> fit -> test of the
// best weights -> results.json -> the closing list of what was written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeBackend, initBackend } from '../backend';
import { composeConfigDetailed, loadConfig, nearestKey, provenanceOf, saveConfig, type ConfigSchema } from '../config';
import { outputsDir, removeStaleTempFiles, writeJsonAtomic } from '../io';
import {
  checkResumable,
  createOptimizer,
  createSchedule,
  EarlyStopping,
  evaluate,
  loadModuleWeights,
  MetricsLogger,
  ModelCheckpoint,
  NanGuard,
  ProgressBar,
  seedEverything,
  TensorBoardLogger,
  Trainer,
  type Callback,
  type EpochRecord,
  type LRSchedule,
} from '../training';
import type { AppDefinition, Experiment, TrainerSettings } from './app';
import { appReplicaRef } from './app-replica';
import { closingSummary, writeClassifierReport, writeCurves } from './artifacts';
import { locateRun } from './checkpoints';
import { endAttempt, gitCommit, readRunInfo, writeRunInfo, type RunInfo } from './run-info';
import { getPath, type ConfigTree } from '../config/tree';
import { SummaryWriter, writeRunReport } from '../viz';
import { checkPathName, checkWritable, createNamedRunDir, createRunDir } from './run-dir';
import { purgeEventsAfter } from './resume-events';

export interface TrainRunOptions {
  /** A root config (or an alias the app resolves). Default: the app's defaultConfig. */
  config?: string;
  overrides?: readonly string[];
  epochs?: number;
  seed?: number;
  /** A run folder or one of its checkpoints: training continues in that folder from that checkpoint. */
  resume?: string;
  /** Parent of `<experiment>/<timestamp>/`. Default assets/outputs/<project>. */
  outputRoot?: string;
  /** Progress lines or bar (default true: on stderr). */
  progress?: boolean;
  log?: (line: string) => void;
  /** Recorded in run.json. Default: this process's argv. */
  command?: string;
}

export interface RunResult<C> {
  runDir: string;
  config: C;
  history: EpochRecord[];
  /** What results.json holds. */
  results: Record<string, unknown>;
}

/** Integers the standard options accept: --epochs in [1, 1e6], --seed in [0, 2^32). */
export function checkIntOption(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

export function defaultConfigNames(configDir: string): string[] {
  return fs
    .readdirSync(configDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

function resolveConfigName<C extends object>(app: AppDefinition<C>, name: string | undefined): string {
  const wanted = name ?? app.defaultConfig;
  if (app.configs) return app.configs.resolve(wanted);
  const names = defaultConfigNames(app.configDir);
  if (!names.includes(wanted))
    throw new Error(
      `unknown config '${wanted}' for ${app.project}: expected one of ${names.join(', ')} (files in ${app.configDir})`,
    );
  return wanted;
}

/** The options that write config keys (--epochs, --seed) as overrides, after the user's own. */
export function optionOverrides<C extends object>(
  app: AppDefinition<C>,
  opts: { epochs?: number; seed?: number },
): string[] {
  checkIntOption('epochs', opts.epochs, 1, 1_000_000);
  checkIntOption('seed', opts.seed, 0, 2 ** 32 - 1);
  const out: string[] = [];
  if (opts.epochs !== undefined) out.push(`${app.keys.epochs}=${opts.epochs}`);
  if (opts.seed !== undefined) out.push(`${app.keys.seed}=${opts.seed}`);
  return out;
}

/** The composed config of a new run, or the saved config of a resumed one with the overrides applied. */
export function runConfig<C extends object>(
  app: AppDefinition<C>,
  opts: TrainRunOptions,
): { config: C; configName: string; overrides: string[]; resumeFrom?: ReturnType<typeof locateRun> } {
  const overrides = [...(opts.overrides ?? []), ...optionOverrides(app, opts)];
  if (opts.resume) {
    const location = locateRun(opts.resume, 'last');
    const config = loadConfig<C>(location.configFile, app.schema as ConfigSchema<C>, overrides);
    return { config, configName: readRunInfo(location.runDir)?.config ?? '(saved)', overrides, resumeFrom: location };
  }
  const configName = resolveConfigName(app, opts.config);
  // A config file outside the app's folder composes on its own (no groups of the app's folder apply to it).
  const [configDir, name] = path.isAbsolute(configName)
    ? [path.dirname(configName), path.basename(configName).replace(/\.ya?ml$/, '')]
    : [app.configDir, configName];
  const { config } = composeConfigDetailed<C>({ configDir, configName: name, overrides, schema: app.schema });
  return { config, configName, overrides };
}

/** Keys added with `+key=value` that the app's schema does not declare: recorded, but almost always a typo. */
function warnAddedKeys<C extends object>(app: AppDefinition<C>, config: C, log: (line: string) => void): void {
  const schema = typeof app.schema === 'function' ? app.schema(provenanceOf(config).choices) : app.schema;
  for (const key of provenanceOf(config).addedKeys) {
    const hint = nearestKey(schema as ConfigSchema<ConfigTree>, key);
    log(
      `warning: '${key}' is not a key of ${app.project}'s config: it is saved in config.yaml but nothing reads it` +
        (hint ? ` (did you mean '${hint}'?)` : ''),
    );
  }
}

function standardCallbacks(
  settings: TrainerSettings,
  progress: boolean,
): { callbacks: Callback[]; checkpoint: ModelCheckpoint } {
  const checkpoint = new ModelCheckpoint({ monitor: settings.checkpoint.monitor, mode: settings.checkpoint.mode });
  const callbacks: Callback[] = [checkpoint, new TensorBoardLogger(), new MetricsLogger(), new NanGuard()];
  if (settings.earlyStopping && settings.earlyStopping.patience > 0)
    callbacks.push(new EarlyStopping(settings.earlyStopping));
  if (progress) callbacks.push(new ProgressBar({ epochMetrics: settings.progressMetrics }));
  return { callbacks, checkpoint };
}

function experimentName<C extends object>(app: AppDefinition<C>, config: C): string {
  const key = app.keys.experimentName;
  if (key === undefined) throw new Error(`${app.project}: the app gives neither keys.experimentName nor runFolder`);
  return checkPathName(String(getPath(config as unknown as ConfigTree, key.split('.')).value), key);
}

/** The run's name and its new folder's parent: the app's own naming (`runFolder`) or `<outputs>/<project>/<experiment>`. */
function runPlace<C extends object>(
  app: AppDefinition<C>,
  config: C,
  overrides: readonly string[],
  outputRoot?: string,
): { name: string; parent: string } {
  if (app.runFolder) {
    const { parent, name } = app.runFolder(config, overrides);
    return { name: checkPathName(name, 'run folder name'), parent: outputRoot ?? parent };
  }
  const name = experimentName(app, config);
  return { name, parent: path.join(outputRoot ?? outputsDir(app.project), name) };
}

/** Trains an app's experiment end to end; returns what results.json holds. */
export async function trainRun<C extends object>(
  app: AppDefinition<C>,
  opts: TrainRunOptions = {},
): Promise<RunResult<C>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { config, configName, overrides, resumeFrom } = runConfig(app, opts);
  // A resumed run keeps its folder; its name is the folder's when the app names runs itself.
  const place = resumeFrom
    ? { name: app.runFolder ? path.basename(resumeFrom.runDir) : experimentName(app, config), parent: '' }
    : runPlace(app, config, overrides, opts.outputRoot);
  const name = place.name;
  warnAddedKeys(app, config, log);
  const settings = app.trainer(config);
  const backend = await initBackend(settings.backend, { log });

  seedEverything(settings.seed); // before the model is built, so the initial weights follow the seed
  const replica = app.factory ? appReplicaRef(app.factory, config) : undefined;
  const experiment: Experiment = await app.setup(config, { stage: 'fit', log, replica });
  if (!experiment.train) throw new Error(`${app.project}: setup returned no training data`);
  const schedule = createSchedule(settings.schedule ?? { name: 'constant' });
  // A refused resume writes nothing: check the checkpoint against this module and schedule before any file changes.
  const resumedState = resumeFrom
    ? checkResumable(experiment.module, resumeFrom.checkpoint, schedule.describe())
    : undefined;

  const runDir = resumeFrom
    ? resumeFrom.runDir
    : app.runFolder
      ? createNamedRunDir(place.parent, name)
      : createRunDir(place.parent);
  checkWritable(runDir);
  for (const file of removeStaleTempFiles(runDir))
    log(`[${app.project}] removed ${file}: a temporary file of a killed writer`);
  if (resumedState) {
    for (const { file, dropped } of purgeEventsAfter(runDir, resumedState))
      log(`[${app.project}] ${file}: dropped ${dropped} TensorBoard values written after the checkpoint`);
  }
  saveConfig(runDir, config);
  const now = new Date().toISOString();
  const command = opts.command ?? process.argv.slice(1).join(' ');
  const previous = resumeFrom ? readRunInfo(runDir) : undefined;
  const info: RunInfo = {
    project: app.project,
    experiment: name,
    config: configName,
    command,
    cwd: process.cwd(),
    git_commit: gitCommit(),
    backend,
    data: experiment.data,
    started: previous?.started ?? now,
    attempts: [
      ...(previous?.attempts ?? []),
      { started: now, status: 'running', ...(resumeFrom ? { resumed_from: resumeFrom.checkpoint } : {}) },
    ],
    status: 'running',
  };
  writeRunInfo(runDir, info);
  log(`[${app.project}] run folder ${runDir}`);
  log(`[${app.project}] data: ${experiment.data}`);
  if (experiment.parameters !== undefined)
    log(`[${app.project}] model: ${experiment.parameters.toLocaleString('en-US')} parameters`);

  try {
    const results = await fitAndTest(app, settings, experiment, runDir, {
      ...opts,
      log,
      schedule,
      resumeFrom: resumeFrom?.checkpoint,
      backend: describeBackend(backend),
      configName,
      name,
    });
    writeJsonAtomic(path.join(runDir, 'results.json'), results.json);
    endAttempt(runDir, info, 'finished');
    writeRunReport(runDir);
    log(closingSummary(runDir));
    return { runDir, config, history: results.history, results: results.json };
  } catch (err) {
    try {
      endAttempt(runDir, info, 'failed', (err as Error).message);
    } catch {
      // The run folder cannot take run.json either (full disk): the error that stopped the run is the one to report.
    }
    throw err;
  } finally {
    experiment.dispose?.();
  }
}

async function fitAndTest<C extends object>(
  app: AppDefinition<C>,
  settings: TrainerSettings,
  experiment: Experiment,
  runDir: string,
  opts: TrainRunOptions & {
    log: (line: string) => void;
    schedule: LRSchedule;
    resumeFrom?: string;
    backend: string;
    configName: string;
    name: string;
  },
): Promise<{ json: Record<string, unknown>; history: EpochRecord[] }> {
  const { callbacks, checkpoint } = standardCallbacks(settings, opts.progress !== false);
  let epochsRun = 0; // in this process (a resumed fit starts later)
  const trainer = new Trainer({
    maxEpochs: settings.epochs,
    optimizer: createOptimizer(settings.optimizer),
    schedule: opts.schedule,
    gradClipNorm: settings.gradClipNorm,
    accumulateGradBatches: settings.accumulateGradBatches,
    seed: settings.seed,
    logEveryNSteps: settings.logEveryNSteps,
    runDir,
    strategy: experiment.strategy,
    precision: experiment.precision,
    callbacks: [...(experiment.callbacks ?? []), ...callbacks, { onEpochEnd: () => void epochsRun++ }],
  });
  const started = performance.now();
  const fit = await trainer.fit(
    experiment.module,
    experiment.train as NonNullable<Experiment['train']>,
    experiment.val,
    { resumeFrom: opts.resumeFrom },
  );
  const fitSeconds = (performance.now() - started) / 1000;
  const perEpoch = experiment.trainExamplesPerEpoch ?? experiment.train?.size ?? 0;
  const examplesPerSecond = fitSeconds > 0 ? (perEpoch * epochsRun) / fitSeconds : 0;
  opts.log(
    `[${app.project}] fit: ${fit.epochs} epochs in ${fitSeconds.toFixed(1)} s (${examplesPerSecond.toFixed(0)} examples/s incl. validation)${fit.stopReason ? `; ${fit.stopReason}` : ''}`,
  );

  const best = fs.existsSync(checkpoint.bestPath(trainer))
    ? checkpoint.bestPath(trainer)
    : checkpoint.lastPath(trainer);
  loadModuleWeights(experiment.module, best);
  const metrics = await evaluate(experiment.module, experiment.test, {
    stage: 'test',
    epoch: fit.epochs,
    globalStep: fit.globalStep,
  });
  opts.log(
    `[${app.project}] test (${path.basename(best)}): ${Object.entries(metrics)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(' ')}`,
  );
  // The test figures in TensorBoard too, at the last epoch: scalars, and a classifier's confusion matrix and report.
  const writer = new SummaryWriter(path.join(runDir, 'tensorboard'));
  try {
    for (const [key, value] of Object.entries(metrics))
      writer.addScalar(key.replace(/^test_/, 'test/'), value, fit.epochs);
    if (experiment.classifier) {
      await writeClassifierReport(runDir, experiment.classifier, experiment.test, { writer, step: fit.epochs });
    }
  } finally {
    writer.close();
  }
  writeCurves(runDir, fit.history, `${app.project} ${opts.name}`);
  const extra = experiment.afterTest
    ? await experiment.afterTest({
        outDir: runDir,
        stage: 'fit',
        metrics,
        history: fit.history,
        bestEpoch: checkpoint.bestEpoch,
        log: opts.log,
      })
    : {};
  const json: Record<string, unknown> = {
    project: app.project,
    experiment: opts.name,
    config: opts.configName,
    run_dir: runDir,
    data: experiment.data,
    backend: opts.backend,
    parameters: experiment.parameters ?? null,
    epochs: fit.epochs,
    best_epoch: checkpoint.bestEpoch,
    monitor: settings.checkpoint.monitor,
    best_checkpoint: path.relative(runDir, best),
    stop_reason: fit.stopReason ?? null,
    fit_seconds: Number(fitSeconds.toFixed(1)),
    train_examples_per_second: Number(examplesPerSecond.toFixed(1)),
    ...metrics,
    ...extra,
  };
  return { json, history: fit.history };
}
