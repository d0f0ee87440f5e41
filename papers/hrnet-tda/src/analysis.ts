// The topology report of a checkpoint: fixed train and validation probe samples (TOPO.SAMPLES, TOPO.SEED), every
// monitored layer's diagrams and train/val distances, written by writeTopologyReport.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { HrnetExperiment } from './config';
import { loadExperimentData, probeBatch } from './data';
import { buildHrnet } from './model/hrnet';
import { loadClassifierWeights, timestamp } from './run';
import { monitoredLayers } from './topology/activations';
import { type TopologyMeasurement, measureTopology } from './topology/monitor';
import { writeTopologyReport } from './topology/report';

/** `<run>/analysis` for a checkpoint in `<run>/checkpoints`, else `analysis-<time>` beside the checkpoint. */
export function defaultReportDir(checkpoint: string): string {
  const dir = path.dirname(checkpoint);
  return path.basename(dir) === 'checkpoints' ? path.join(path.dirname(dir), 'analysis') : path.join(dir, `analysis-${timestamp()}`);
}

export interface AnalysisResult {
  dir: string;
  files: string[];
  measurement: TopologyMeasurement;
  data: string;
}

export async function analyzeCheckpoint(exp: HrnetExperiment, name: string, checkpoint: string, opts: { out?: string; dataDir?: string } = {}): Promise<AnalysisResult> {
  const topo = exp.TOPO;
  const data = loadExperimentData(exp, opts.dataDir);
  const { model, stageOutputs } = buildHrnet(exp.MODEL, { init: 'zeros' });
  const train = await probeBatch(data.train, topo.SAMPLES, topo.SEED);
  const val = await probeBatch(data.val, topo.SAMPLES, topo.SEED + 1);
  let measurement: TopologyMeasurement;
  try {
    loadClassifierWeights(model, checkpoint);
    const reduction = topo.REDUCE === 'gap' ? { kind: 'gap' as const } : { kind: 'flatten' as const, dims: topo.FLATTEN_DIMS, seed: topo.SEED };
    measurement = measureTopology(model, monitoredLayers(stageOutputs), train.x, val.x, reduction);
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  }
  const dir = path.resolve(opts.out ?? defaultReportDir(checkpoint));
  const files = writeTopologyReport(dir, measurement, {
    checkpoint, experiment: name, samples: Math.min(topo.SAMPLES, data.train.size, data.val.size),
    reduction: topo.REDUCE === 'gap' ? 'global average pooling per channel' : `${topo.FLATTEN_DIMS} seeded coordinates of the flattened map`,
  });
  return { dir, files, measurement, data: data.description };
}
