// TopologyMonitor: every N epochs, the train/val topological gap of each monitored layer, as epoch metrics
// (`topo/<layer>/<distance>`, `topo_gap`, `topo_score`) that ModelCheckpoint / EarlyStopping can monitor.
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  type Callback,
  type TrainerView,
  type TrainModule,
  plotPersistenceDiagram,
  savePlot,
  SummaryWriter,
} from '@research/common';
import { type MonitoredLayer, type Reduction, layerActivations } from './activations';
import { GAP_DISTANCE_KEYS, type LayerGap, layerGap, topologicalGap } from './gap';

/** The part of viz's SummaryWriter the monitor uses. */
export interface TopologyWriter {
  addScalar(tag: string, value: number, step: number): void;
}

export interface TopologyMonitorOptions {
  /** The classifier being trained (its layers are probed in inference mode). */
  model: tf.LayersModel;
  layers: MonitoredLayer[];
  /** Fixed probe inputs (evaluation transform); owned by the caller. */
  trainSample: tf.Tensor;
  valSample: tf.Tensor;
  /** Measure at epoch indices 0, N, 2N, ... (the 1st, N+1th, ... epoch) and at the last epoch. Default 1. */
  everyNEpochs?: number;
  reduction?: Reduction;
  /** topo_score = val_acc - scoreWeight * topo_gap. Default 1. */
  scoreWeight?: number;
  /** Scalars `topo/<layer>/<distance>` and `topo/gap` at the epoch number (from 1). Default: `<runDir>/tensorboard`. */
  writer?: TopologyWriter;
  /** PNG diagrams go to `<plotDir>/epoch_<NNN>/<layer>_{train,val}.png` (NNN from 001). Default: `<runDir>/topology`. */
  plotDir?: string;
  /** Layers plotted each time (default: the pooled features only; `analyze` plots all). */
  plotLayers?: string[];
}

export interface TopologyMeasurement {
  gaps: Map<string, LayerGap>;
  /** `topo/<layer>/<distance>` and `topo_gap`. */
  metrics: Record<string, number>;
}

/** Diagrams and distances of every monitored layer for the current weights. */
export function measureTopology(
  model: tf.LayersModel,
  layers: MonitoredLayer[],
  trainSample: tf.Tensor,
  valSample: tf.Tensor,
  reduction: Reduction,
): TopologyMeasurement {
  const train = layerActivations(model, layers, trainSample, reduction);
  const val = layerActivations(model, layers, valSample, reduction);
  const gaps = new Map<string, LayerGap>();
  const metrics: Record<string, number> = {};
  for (const { key } of layers) {
    const gap = layerGap(train.get(key)!, val.get(key)!);
    gaps.set(key, gap);
    for (const d of GAP_DISTANCE_KEYS) metrics[`topo/${key}/${d}`] = gap.distances[d];
  }
  metrics.topo_gap = topologicalGap([...gaps.values()].map((g) => g.distances));
  return { gaps, metrics };
}

/**
 * Adds the topology metrics to the validation metrics of each measured epoch (so they are in the epoch record that
 * MetricsLogger, TensorBoardLogger, ModelCheckpoint and EarlyStopping see), writes them to TensorBoard and plots
 * the diagrams. `topo_score` needs `val_acc` (the module's validation accuracy).
 */
export class TopologyMonitor implements Callback {
  readonly everyNEpochs: number;
  readonly reduction: Reduction;
  readonly scoreWeight: number;
  /** The last measurement (for inspection and tests). */
  last?: TopologyMeasurement & { epoch: number };
  private writer?: TopologyWriter;
  private ownWriter?: SummaryWriter;
  private plotDir?: string;

  constructor(private readonly opts: TopologyMonitorOptions) {
    this.everyNEpochs = opts.everyNEpochs ?? 1;
    if (!(Number.isInteger(this.everyNEpochs) && this.everyNEpochs > 0)) {
      throw new Error(`TopologyMonitor: everyNEpochs must be a positive integer, got ${this.everyNEpochs}`);
    }
    this.reduction = opts.reduction ?? { kind: 'gap' };
    this.scoreWeight = opts.scoreWeight ?? 1;
    this.writer = opts.writer;
    this.plotDir = opts.plotDir;
  }

  onFitStart(trainer: TrainerView): void {
    if (!trainer.runDir) return;
    if (!this.writer) this.writer = this.ownWriter = new SummaryWriter(path.join(trainer.runDir, 'tensorboard'));
    this.plotDir ??= path.join(trainer.runDir, 'topology');
  }

  onFitEnd(): void {
    this.ownWriter?.close();
  }

  shouldMeasure(epoch: number, maxEpochs: number): boolean {
    return epoch % this.everyNEpochs === 0 || epoch === maxEpochs - 1;
  }

  onValidationEnd(trainer: TrainerView, _module: TrainModule, metrics: Record<string, number>): void {
    const epoch = trainer.epoch;
    if (!this.shouldMeasure(epoch, trainer.maxEpochs)) return;
    const { model, layers, trainSample, valSample } = this.opts;
    const measurement = measureTopology(model, layers, trainSample, valSample, this.reduction);
    Object.assign(metrics, measurement.metrics);
    metrics.topo_score = (metrics.val_acc ?? NaN) - this.scoreWeight * measurement.metrics.topo_gap;
    const number = epoch + 1; // epochs count from 1 in files, as in the epoch records
    this.last = { ...measurement, epoch: number };
    const writer = this.writer;
    if (writer) {
      for (const [k, v] of Object.entries(measurement.metrics))
        writer.addScalar(k === 'topo_gap' ? 'topo/gap' : k, v, number);
    }
    if (this.plotDir) {
      const dir = path.join(this.plotDir, `epoch_${String(number).padStart(3, '0')}`);
      plotLayerDiagrams(measurement.gaps, this.opts.plotLayers ?? ['pooled'], dir, `epoch ${number}`);
    }
  }
}

/** Writes `<dir>/<layer>_train.png` and `<layer>_val.png` persistence diagrams for the given layers. */
export function plotLayerDiagrams(gaps: Map<string, LayerGap>, keys: string[], dir: string, caption: string): string[] {
  const files: string[] = [];
  for (const key of keys) {
    const gap = gaps.get(key);
    if (!gap) throw new Error(`plotLayerDiagrams: no layer '${key}' (have ${[...gaps.keys()].join(', ')})`);
    for (const [split, diagrams] of [
      ['train', gap.train],
      ['val', gap.val],
    ] as const) {
      files.push(
        ...savePlot(
          plotPersistenceDiagram(diagrams, { title: `${key} ${split} (${caption})` }),
          path.join(dir, `${key}_${split}.png`),
        ),
      );
    }
  }
  return files;
}
