import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import type { Callback, FitResult, TrainBatchInfo, TrainerView } from './callback';
import {
  type Checkpoint,
  type EpochRecord,
  type TrainerState,
  assignModuleWeights,
  checkSchedule,
  loadCheckpoint,
} from './checkpoint';
import { batchSizeOf, evaluate, WeightedMeans } from './evaluate';
import { type ModuleParameters, type StepContext, type TrainModule, moduleParameters } from './module';
import { type LRSchedule, type TorchOptimizer, constantLR } from './optim';
import { float32Precision, type PrecisionPlugin } from './precision';
import { standardStrategy, type GradientStrategy, type StepGradients } from './strategy';
import { getGlobalRngState, seedEverything, setGlobalRngState } from './seed';

export interface TrainerOptions {
  maxEpochs: number;
  optimizer: TorchOptimizer;
  /** Sets optimizer.lr from optimizer.initialLr per step or per epoch. Default: constant. */
  schedule?: LRSchedule;
  /** Clip the gradients' global L2 norm to this value (torch.nn.utils.clip_grad_norm_). */
  gradClipNorm?: number;
  /** Average the gradients of this many batches before each optimizer update. Default 1. */
  accumulateGradBatches?: number;
  callbacks?: Callback[];
  /** Seeds Math.random (initializers, dropout) at fit start, see seedEverything. Ignored on resume (the RNG state is restored). */
  seed?: number;
  /** How often (in batches) loggers and progress lines report. Default 50. */
  logEveryNSteps?: number;
  /** Where callbacks write by default (checkpoints/, metrics.csv, tensorboard/). */
  runDir?: string;
  /** How a batch's gradients are computed (Lightning's Strategy): standard (default) or DP-SGD. */
  strategy?: GradientStrategy;
  /** How forward, backward and the update compute (Lightning's PrecisionPlugin): float32 (default) or mixed. */
  precision?: PrecisionPlugin;
}

export interface FitOptions {
  /** A checkpoint file written by ModelCheckpoint: restores weights, optimizer, schedule, epoch, step, history, RNG, callbacks. */
  resumeFrom?: string;
}

/**
 * The training loop (Lightning's Trainer): gradients from tf.variableGrads over the module's trainable weights,
 * accumulation over k batches (averaged), global-norm clipping, torch-semantics optimizers and LR schedules,
 * callbacks, checkpoint resume. Every tensor a step creates is disposed before the next one.
 */
export class Trainer implements TrainerView {
  readonly maxEpochs: number;
  readonly optimizer: TorchOptimizer;
  readonly schedule: LRSchedule;
  readonly gradClipNorm?: number;
  readonly accumulateGradBatches: number;
  readonly callbacks: Callback[];
  readonly seed?: number;
  readonly logEveryNSteps: number;
  readonly runDir?: string;
  readonly strategy: GradientStrategy;
  readonly precision: PrecisionPlugin;

  /** Epochs completed (the index of the next epoch to run). */
  epoch = 0;
  globalStep = 0;
  history: EpochRecord[] = [];
  private stopReason?: string;
  private params?: ModuleParameters;

  constructor(opts: TrainerOptions) {
    if (!(Number.isInteger(opts.maxEpochs) && opts.maxEpochs > 0)) {
      throw new Error(`Trainer: maxEpochs must be a positive integer, got ${opts.maxEpochs}`);
    }
    const k = opts.accumulateGradBatches ?? 1;
    if (!(Number.isInteger(k) && k > 0))
      throw new Error(`Trainer: accumulateGradBatches must be a positive integer, got ${k}`);
    if (opts.gradClipNorm !== undefined && !(opts.gradClipNorm > 0)) {
      throw new Error(`Trainer: gradClipNorm must be > 0, got ${opts.gradClipNorm}`);
    }
    const every = opts.logEveryNSteps ?? 50;
    if (!(Number.isInteger(every) && every > 0))
      throw new Error(`Trainer: logEveryNSteps must be a positive integer, got ${every}`);
    this.maxEpochs = opts.maxEpochs;
    this.optimizer = opts.optimizer;
    this.schedule = opts.schedule ?? constantLR();
    this.gradClipNorm = opts.gradClipNorm;
    this.accumulateGradBatches = k;
    this.callbacks = opts.callbacks ?? [];
    this.seed = opts.seed;
    this.logEveryNSteps = every;
    this.runDir = opts.runDir;
    this.strategy = opts.strategy ?? standardStrategy;
    this.precision = opts.precision ?? float32Precision;
  }

  /** Asks the loop to stop after the current batch (the pending update is not applied). */
  stop(reason: string): void {
    this.stopReason ??= reason;
  }

  get shouldStop(): boolean {
    return this.stopReason !== undefined;
  }

  async fit(module: TrainModule, train: BatchSource, val?: BatchSource, opts: FitOptions = {}): Promise<FitResult> {
    this.params = moduleParameters(module);
    this.strategy.setup(module, this.params, {
      accumulateGradBatches: this.accumulateGradBatches,
      gradClipNorm: this.gradClipNorm,
      precision: this.precision,
      resumeFrom: opts.resumeFrom,
      stop: (reason) => this.stop(reason),
    });
    this.precision.setup?.(module);
    this.stopReason = undefined;
    if (opts.resumeFrom) this.restore(module, opts.resumeFrom);
    else {
      this.epoch = 0;
      this.globalStep = 0;
      this.history = [];
      if (this.seed !== undefined) seedEverything(this.seed);
    }
    await module.onFitStart?.();
    await this.emit((c) => c.onFitStart?.(this, module));
    while (this.epoch < this.maxEpochs && !this.shouldStop) {
      const epoch = this.epoch;
      if (this.schedule.interval === 'epoch') this.optimizer.lr = this.schedule.lrAt(epoch, this.optimizer.initialLr);
      const lr = this.optimizer.lr;
      await module.onEpochStart?.(epoch);
      await this.emit((c) => c.onEpochStart?.(this, module, epoch));
      const trainMetrics = await this.trainEpoch(module, train, epoch);
      if (this.stopReason !== undefined && trainMetrics === null) break;
      const valMetrics = val ? await this.evaluate(module, val, 'val', epoch) : {};
      await this.emit((c) => c.onValidationEnd?.(this, module, valMetrics));
      const record = {
        epoch: epoch + 1,
        global_step: this.globalStep,
        lr,
        ...trainMetrics,
        ...valMetrics,
      } as EpochRecord;
      this.history.push(record);
      this.epoch = epoch + 1;
      await module.onEpochEnd?.(epoch);
      await this.emit((c) => c.onEpochEnd?.(this, module, record));
      await this.emit((c) => c.onEpochCommitted?.(this, module, record));
    }
    const result: FitResult = {
      history: this.history,
      globalStep: this.globalStep,
      epochs: this.epoch,
      stopReason: this.stopReason,
    };
    await this.emit((c) => c.onFitEnd?.(this, module, result));
    return result;
  }

  /** Mean validation outputs over `source`, keys prefixed `val_`. */
  validate(module: TrainModule, source: BatchSource): Promise<Record<string, number>> {
    return this.evaluate(module, source, 'val', this.epoch);
  }

  /** Mean test outputs (testStep, else validationStep) over `source`, keys prefixed `test_`. */
  test(module: TrainModule, source: BatchSource): Promise<Record<string, number>> {
    return this.evaluate(module, source, 'test', this.epoch);
  }

  /** Weights, optimizer state and trainer state; the caller disposes the tensors. */
  checkpoint(module: TrainModule): Checkpoint {
    const params = this.params ?? moduleParameters(module);
    const tensors: Record<string, tf.Tensor> = {};
    for (const p of params.all) tensors[`model/${p.name}`] = p.variable.clone();
    const opt = this.optimizer.stateDict();
    for (const [key, t] of Object.entries(opt.tensors)) tensors[`optimizer/${key}`] = t;
    const callbacks: Record<string, unknown> = {};
    for (const c of this.callbacks) if (c.stateKey && c.stateDict) callbacks[c.stateKey] = c.stateDict();
    const state: TrainerState = {
      epoch: this.epoch,
      globalStep: this.globalStep,
      history: this.history,
      rng: getGlobalRngState(),
      optimizer: { kind: opt.kind, lr: opt.lr, json: opt.json },
      schedule: this.schedule.describe(),
      callbacks,
      parameters: params.all.map((p, i) => ({ name: p.name, tfjsName: params.displayNames[i] })),
    };
    return { tensors, state };
  }

  private restore(module: TrainModule, file: string): void {
    const ckpt = loadCheckpoint(file);
    try {
      const { state } = ckpt;
      checkSchedule(ckpt, file, this.schedule.describe());
      assignModuleWeights(module, ckpt, file);
      const optTensors: Record<string, tf.Tensor> = {};
      for (const [key, t] of Object.entries(ckpt.tensors))
        if (key.startsWith('optimizer/')) optTensors[key.slice(10)] = t;
      this.optimizer.loadStateDict({ ...state.optimizer, tensors: optTensors });
      this.epoch = state.epoch;
      this.globalStep = state.globalStep;
      this.history = [...state.history];
      setGlobalRngState(state.rng);
      for (const c of this.callbacks) {
        if (c.stateKey && c.loadStateDict && state.callbacks[c.stateKey] !== undefined)
          c.loadStateDict(state.callbacks[c.stateKey]);
      }
    } finally {
      Object.values(ckpt.tensors).forEach((t) => t.dispose());
    }
  }

  private async emit(call: (c: Callback) => void | Promise<void>): Promise<void> {
    for (const c of this.callbacks) await call(c);
  }

  /** One epoch of training; returns the epoch means (`train_loss`, `train_<log>`), or null if stopped mid-epoch. */
  private async trainEpoch(
    module: TrainModule,
    source: BatchSource,
    epoch: number,
  ): Promise<Record<string, number> | null> {
    const params = this.params as ModuleParameters;
    const means = new WeightedMeans();
    let accumulated: Record<string, tf.Tensor> | null = null;
    let inGroup = 0;
    let batchIndex = 0;
    for await (const batch of source.batches(epoch)) {
      if (this.schedule.interval === 'step')
        this.optimizer.lr = this.schedule.lrAt(this.globalStep, this.optimizer.initialLr);
      const ctx: StepContext = { epoch, batchIndex, globalStep: this.globalStep, stage: 'train' };
      const batchSize = batchSizeOf(batch);
      let step: StepGradients;
      try {
        step = this.strategy.computeGradients(module, params, batch, ctx, this.precision);
      } finally {
        tf.dispose(batch);
      }
      const info: TrainBatchInfo = {
        epoch,
        batchIndex,
        batchesPerEpoch: source.batchesPerEpoch,
        globalStep: this.globalStep,
        batchSize,
        loss: step.loss,
        logs: step.logs,
        lr: this.optimizer.lr,
        stepped: false,
      };
      await this.emit((c) => c.onAfterBackward?.(this, module, info));
      if (this.shouldStop) {
        tf.dispose([step.grads, accumulated ?? {}]);
        return null;
      }
      accumulated = accumulate(accumulated, step.grads);
      inGroup++;
      if (inGroup === this.accumulateGradBatches || batchIndex + 1 === source.batchesPerEpoch) {
        info.gradNorm = this.applyGradients(params, accumulated, inGroup);
        accumulated = null;
        inGroup = 0;
        info.stepped = true;
        info.globalStep = this.globalStep;
      }
      means.add('loss', step.loss * batchSize, batchSize);
      for (const [k, v] of Object.entries(step.logs)) means.add(k, v * batchSize, batchSize);
      await this.emit((c) => c.onTrainBatchEnd?.(this, module, info));
      batchIndex++;
      if (this.shouldStop) break;
    }
    if (accumulated) this.applyGradients(params, accumulated, inGroup); // batchesPerEpoch over-counted the batches
    return means.means('train_');
  }

  /** Averages accumulated gradients over `count` batches, clips, steps the optimizer; returns the pre-clip global norm when clipping. */
  private applyGradients(
    params: ModuleParameters,
    summed: Record<string, tf.Tensor>,
    count: number,
  ): number | undefined {
    const averaged = tf.tidy(() => {
      const out: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(summed)) out[k] = count === 1 ? g.clone() : g.div(count);
      return out;
    });
    tf.dispose(summed);
    // The precision plugin unscales and checks the gradients; a float16 overflow skips the update (still a step).
    const { grads, skip } = this.precision.beforeOptimizerStep(averaged);
    if (skip) {
      tf.dispose(grads);
      this.globalStep++;
      return undefined;
    }
    let norm: number | undefined;
    let applied = grads;
    if (this.gradClipNorm !== undefined) {
      norm = tf.tidy(
        () =>
          tf
            .addN(Object.values(grads).map((g) => g.square().sum()))
            .sqrt()
            .dataSync()[0],
      );
      // torch's clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is < 1.
      const scale = this.gradClipNorm / (norm + 1e-6);
      if (scale < 1) applied = tf.tidy(() => mapValues(grads, (g) => g.mul(scale)));
    }
    this.optimizer.step(params.trainable, applied);
    tf.dispose([grads, applied]);
    this.globalStep++;
    return norm;
  }

  private evaluate(
    module: TrainModule,
    source: BatchSource,
    stage: 'val' | 'test',
    epoch: number,
  ): Promise<Record<string, number>> {
    return evaluate(module, source, { stage, epoch, globalStep: this.globalStep });
  }
}

function accumulate(
  sum: Record<string, tf.Tensor> | null,
  grads: Record<string, tf.Tensor>,
): Record<string, tf.Tensor> {
  if (!sum) return grads;
  const out = tf.tidy(() => mapValues(grads, (g, k) => (sum[k] ? sum[k].add(g) : g.clone())));
  for (const k of Object.keys(sum)) if (!(k in out)) out[k] = sum[k];
  tf.dispose([
    grads,
    Object.entries(sum)
      .filter(([k]) => out[k] !== sum[k])
      .map(([, t]) => t),
  ]);
  return out;
}

function mapValues<T>(obj: Record<string, T>, fn: (v: T, k: string) => tf.Tensor): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = fn(v, k);
  return out;
}
