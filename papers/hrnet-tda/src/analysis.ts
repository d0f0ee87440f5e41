// The topology report of a checkpoint: fixed train and validation probe samples (TOPO.SAMPLES, TOPO.SEED), every
// monitored layer's diagrams and train/val distances, written by writeTopologyReport.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assignModuleWeights, loadCheckpoint, runTimestamp, buildHrnet } from '@research/common';
import type { HrnetExperiment } from './config';
import { loadExperimentData, probeBatch } from './data';
import { monitoredLayers } from './topology/activations';
import { type TopologyMeasurement, measureTopology } from './topology/monitor';
import { writeTopologyReport } from './topology/report';

/** Copies only the classifier's weights (`model/model/<i>`) of a training checkpoint into `model`. */
export function loadClassifierWeights(model: tf.LayersModel, file: string): void {
  const ckpt = loadCheckpoint(file);
  try {
    const tensors = Object.fromEntries(Object.entries(ckpt.tensors).filter(([k]) => k.startsWith('model/model/')));
    assignModuleWeights({ models: { model } }, { ...ckpt, tensors }, file);
  } finally {
    tf.dispose(Object.values(ckpt.tensors));
  }
}

/** `<run>/analysis` for a checkpoint in `<run>/checkpoints`, else `analysis-<time>` beside the checkpoint. */
export function defaultReportDir(checkpoint: string): string {
  const dir = path.dirname(checkpoint);
  return path.basename(dir) === 'checkpoints'
    ? path.join(path.dirname(dir), 'analysis')
    : path.join(dir, `analysis-${runTimestamp()}`);
}

export interface AnalysisResult {
  dir: string;
  files: string[];
  measurement: TopologyMeasurement;
  data: string;
}

export async function analyzeCheckpoint(
  exp: HrnetExperiment,
  checkpoint: string,
  opts: { out?: string } = {},
): Promise<AnalysisResult> {
  const topo = exp.TOPO;
  const data = loadExperimentData(exp);
  const { model, stageOutputs } = buildHrnet(exp.MODEL, { init: 'zeros' });
  const train = await probeBatch(data.train, topo.SAMPLES, topo.SEED);
  const val = await probeBatch(data.val, topo.SAMPLES, topo.SEED + 1);
  let measurement: TopologyMeasurement;
  try {
    loadClassifierWeights(model, checkpoint);
    const reduction =
      topo.REDUCE === 'gap'
        ? { kind: 'gap' as const }
        : { kind: 'flatten' as const, dims: topo.FLATTEN_DIMS, seed: topo.SEED };
    measurement = measureTopology(model, monitoredLayers(stageOutputs), train.x, val.x, reduction);
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  }
  const dir = path.resolve(opts.out ?? defaultReportDir(checkpoint));
  const files = writeTopologyReport(dir, measurement, {
    checkpoint,
    experiment: exp.NAME,
    samples: Math.min(topo.SAMPLES, data.train.size, data.val.size),
    reduction:
      topo.REDUCE === 'gap'
        ? 'global average pooling per channel'
        : `${topo.FLATTEN_DIMS} seeded coordinates of the flattened map`,
  });
  return { dir, files, measurement, data: data.description };
}
