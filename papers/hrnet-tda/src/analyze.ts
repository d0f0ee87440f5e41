// `nx run hrnet:analyze --cfg <experiment> --testModel <checkpoint> [--out dir] [--dataDir D] [KEY.PATH=value ...]`:
// the full topology report of a checkpoint (fixed train and validation probe samples, TOPO.* settings).
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { experimentFromCli, parseCli, runMain, str } from './cli';
import { loadExperimentData, probeBatch } from './data';
import { buildHrnet } from './model/hrnet';
import { loadClassifierWeights, timestamp } from './run';
import { monitoredLayers } from './topology/activations';
import { measureTopology } from './topology/monitor';
import { writeTopologyReport } from './topology/report';

const USAGE = 'analyze --cfg <experiment> --testModel <checkpoint.safetensors> [--out <dir>] [--dataDir <datasets dir>] [TOPO.SAMPLES=128 ...]';

/** `<run>/analysis` for a checkpoint in `<run>/checkpoints`, else `analysis-<time>` beside the checkpoint. */
function defaultReportDir(checkpoint: string): string {
  const dir = path.dirname(checkpoint);
  return path.basename(dir) === 'checkpoints' ? path.join(path.dirname(dir), 'analysis') : path.join(dir, `analysis-${timestamp()}`);
}

runMain(async () => {
  const { values, overrides } = parseCli(process.argv.slice(2), {
    cfg: { type: 'string' }, testModel: { type: 'string' }, out: { type: 'string' }, dataDir: { type: 'string' },
  }, USAGE);
  const { experiment, name } = experimentFromCli(values.cfg, overrides, USAGE);
  const checkpointArg = str(values.testModel) ?? (experiment.TEST.MODEL_FILE !== '' ? experiment.TEST.MODEL_FILE : undefined);
  if (checkpointArg === undefined) throw new Error(`--testModel (or TEST.MODEL_FILE) is required\nusage: ${USAGE}`);
  const checkpoint = path.resolve(checkpointArg);
  const topo = experiment.TOPO;
  const data = loadExperimentData(experiment, str(values.dataDir));
  const { model, stageOutputs } = buildHrnet(experiment.MODEL, { init: 'zeros' });
  loadClassifierWeights(model, checkpoint);
  const train = await probeBatch(data.train, topo.SAMPLES, topo.SEED);
  const val = await probeBatch(data.val, topo.SAMPLES, topo.SEED + 1);
  const layers = monitoredLayers(stageOutputs);
  const reduction = topo.REDUCE === 'gap' ? { kind: 'gap' as const } : { kind: 'flatten' as const, dims: topo.FLATTEN_DIMS, seed: topo.SEED };
  const measurement = measureTopology(model, layers, train.x, val.x, reduction);
  tf.dispose([train.x, train.y, val.x, val.y]);
  model.dispose();
  const dir = path.resolve(str(values.out) ?? defaultReportDir(checkpoint));
  const files = writeTopologyReport(dir, measurement, {
    checkpoint, experiment: name, samples: Math.min(topo.SAMPLES, data.val.size),
    reduction: topo.REDUCE === 'gap' ? 'global average pooling per channel' : `${topo.FLATTEN_DIMS} seeded coordinates of the flattened map`,
  });
  console.log(`[hrnet] ${data.description}`);
  console.log(`[hrnet] topology report: ${dir} (${files.length} files), topo_gap ${measurement.metrics.topo_gap.toFixed(4)}`);
});
