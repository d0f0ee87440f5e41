// `npx nx run triplet-vae:evaluate --checkpoint <run>/checkpoints/best.safetensors [key=value ...]`
// Prints and writes `<run>/evaluation_<checkpoint>.json`: test accuracy and loss terms, kNN accuracy (k from the
// config, the training split's embeddings as the index), reconstruction MSE.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend, loadConfig, type BackendPreference } from '@research/common';
import { loadCheckpoint, runConfigPath } from './checkpoint';
import { overrideRunConfig, tripletVaeSchema, type TripletVaeConfig } from './config';
import { parseArgs } from './cli';
import { loadRunData } from './data';
import { evaluateModel } from './evaluate-model';
import { writeJsonAtomic } from './run';

export interface EvaluateOptions {
  checkpoint: string;
  overrides?: string[];
  log?: (line: string) => void;
}

/** Evaluates a checkpoint; returns the figures and the JSON file they were written to. */
export async function evaluateCheckpoint(opts: EvaluateOptions): Promise<{ metrics: Record<string, number>; file: string }> {
  const log = opts.log ?? console.log;
  if (!fs.existsSync(opts.checkpoint)) throw new Error(`checkpoint ${opts.checkpoint} does not exist`);
  // The backend first (from the run's config), so the model's weights are created on it.
  const saved = loadConfig<TripletVaeConfig>(runConfigPath(opts.checkpoint), tripletVaeSchema);
  await initBackend(overrideRunConfig(saved, opts.overrides ?? []).backend as BackendPreference, { log });
  const { model, config, state } = loadCheckpoint(opts.checkpoint, { overrides: opts.overrides });
  const data = loadRunData(config);
  log(`checkpoint ${opts.checkpoint} (epoch ${state.epoch}); ${config.data.dataset} (${data.source}): ${data.train.length} train (kNN index) / ${data.test.length} test`);
  const { metrics } = await evaluateModel(model, config, data, { log });
  const name = path.basename(opts.checkpoint).replace(/\.safetensors$/, '');
  const file = path.join(path.dirname(path.dirname(path.resolve(opts.checkpoint))), `evaluation_${name}.json`);
  writeJsonAtomic(file, { checkpoint: path.resolve(opts.checkpoint), epochs_trained: state.epoch, dataset: config.data.dataset, data_source: data.source, mode: config.model.mode, ...metrics });
  return { metrics, file };
}

async function main(): Promise<void> {
  const { options, overrides } = parseArgs(process.argv.slice(2), ['checkpoint']);
  if (!options.checkpoint) throw new Error('evaluate needs --checkpoint <path to a .safetensors file of a triplet-vae run>');
  const { metrics, file } = await evaluateCheckpoint({ checkpoint: options.checkpoint, overrides });
  console.log(JSON.stringify(metrics, null, 1));
  console.log(`written to ${file}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
