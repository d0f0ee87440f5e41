// `nx run hrnet:summary --cfg <experiment>`: prints the layer table and parameter counts of an experiment's network.
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment, resolveExperimentPath } from './config';
import { buildHrnet } from './model/hrnet';
import { formatSummary } from './model/summary';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cfg: { type: 'string' } }, allowPositionals: false });
  if (values.cfg === undefined) throw new Error('usage: summary --cfg <experiment name or yaml path>');
  const file = resolveExperimentPath(values.cfg);
  const experiment = loadExperiment(file);
  tf.enableProdMode();
  // Only shapes and counts are needed: the cpu backend and zero-filled weights build even W64 in well under a second.
  await tf.setBackend('cpu');
  const { model } = buildHrnet(experiment.MODEL, { init: 'zeros' });
  const [width, height] = experiment.MODEL.IMAGE_SIZE;
  console.log(`Experiment: ${file}`);
  console.log(`Input: ${height}x${width}x${experiment.MODEL.IN_CHANNELS}, classes: ${experiment.MODEL.NUM_CLASSES}`);
  console.log(formatSummary(model));
  model.dispose();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
