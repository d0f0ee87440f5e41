// `evaluate`: a checkpoint of a run, evaluated with that run's config (plus overrides) on the test split.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeBackend, initBackend } from '../backend';
import { loadConfig, type ConfigSchema } from '../config';
import { writeJsonAtomic } from '../io';
import { evaluate, loadModuleWeights, seedEverything } from '../training';
import type { AppDefinition } from './app';
import { writeClassifierReport } from './artifacts';
import { locateRun } from './checkpoints';
import { readRunInfo } from './run-info';

export interface EvaluateRunOptions {
  /** A run folder (its best checkpoint) or a checkpoint file inside `<run>/checkpoints/`. */
  target: string;
  /** Changes to the run's saved config (`data.root=...`); said aloud when they change the data. */
  overrides?: readonly string[];
  log?: (line: string) => void;
}

export interface EvaluateResult {
  outDir: string;
  results: Record<string, unknown>;
}

/** Evaluates a run's checkpoint; writes `<run>/evaluation_<checkpoint>/results.json` (+ classifier report, app figures). */
export async function evaluateRun<C extends object>(
  app: AppDefinition<C>,
  opts: EvaluateRunOptions,
): Promise<EvaluateResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const location = locateRun(opts.target, 'best');
  const config = loadConfig<C>(location.configFile, app.schema as ConfigSchema<C>, opts.overrides ?? []);
  const settings = app.trainer(config);
  const backend = await initBackend(settings.backend, { log });
  seedEverything(settings.seed);
  const experiment = await app.setup(config, { stage: 'evaluate', log });
  try {
    const trainedOn = readRunInfo(location.runDir)?.data;
    if (trainedOn !== undefined && trainedOn !== experiment.data) {
      log(`[${app.project}] note: the run trained on "${trainedOn}"; this evaluation uses "${experiment.data}"`);
    }
    const state = loadModuleWeights(experiment.module, location.checkpoint);
    log(
      `[${app.project}] ${path.relative(process.cwd(), location.checkpoint) || location.checkpoint} (after epoch ${state.epoch}), config ${location.configFile}`,
    );
    const metrics = await evaluate(experiment.module, experiment.test, { stage: 'test' });
    log(
      `[${app.project}] test: ${Object.entries(metrics)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(' ')}`,
    );
    const outDir = path.join(
      location.runDir,
      `evaluation_${path.basename(location.checkpoint).replace(/\.safetensors$/, '')}`,
    );
    fs.mkdirSync(outDir, { recursive: true });
    if (experiment.classifier) await writeClassifierReport(outDir, experiment.classifier, experiment.test);
    const bestEpoch = (state.callbacks.ModelCheckpoint as { bestEpoch?: number | null } | undefined)?.bestEpoch ?? null;
    const extra = experiment.afterTest
      ? await experiment.afterTest({ outDir, stage: 'evaluate', metrics, history: state.history, bestEpoch, log })
      : {};
    const results = {
      project: app.project,
      checkpoint: location.checkpoint,
      epochs_trained: state.epoch,
      overrides: opts.overrides ?? [],
      data: experiment.data,
      backend: describeBackend(backend),
      parameters: experiment.parameters ?? null,
      ...metrics,
      ...extra,
    };
    writeJsonAtomic(path.join(outDir, 'results.json'), results);
    log(`[${app.project}] wrote ${outDir}/`);
    return { outDir, results };
  } finally {
    experiment.dispose?.();
  }
}
