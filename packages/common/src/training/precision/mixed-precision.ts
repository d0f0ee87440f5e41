// Mixed precision with PyTorch AMP semantics: float32 master weights, forward and backward in float16 or bfloat16,
// a dynamic loss scale (GradScaler). Backends without half arithmetic (wasm, cpu) round every layer's inputs,
// outputs, weights and gradients to the half format, so overflow, skipped steps and the scale history are what a GPU
// run would see; that emulation is slower than float32, never faster.
import * as tf from '@tensorflow/tfjs';
import type { Callback } from '../callback';
import type { ModuleParameters, TrainModule } from '../module';
import { leafLayers, patchLayerCall, withPatchedLayers } from '../strategy/layer-hooks';
import { GradScaler, type GradScalerOptions } from './grad-scaler';
import { type HalfDtype, HALF_DTYPES, castToHalf, roundHalfTensor } from './half-round';
import type { PrecisionPlugin } from './plugin';

/** Layers whose input is integer indices (an integer-only op: a gather or a one-hot). */
const INTEGER_INPUT_LAYERS = ['Embedding', 'CategoryEncoding'];

export interface MixedPrecisionOptions {
  dtype: HalfDtype;
  /** Dynamic loss scaling: default on for float16 (torch's GradScaler defaults), off for bfloat16 (as Lightning). */
  scaler?: GradScalerOptions | false;
}

export class MixedPrecision implements PrecisionPlugin {
  readonly dtype: HalfDtype;
  readonly scaler?: GradScaler;

  constructor(o: MixedPrecisionOptions) {
    if (!HALF_DTYPES.includes(o.dtype))
      throw new Error(`MixedPrecision: amp_dtype must be one of ${HALF_DTYPES.join(', ')}, got '${o.dtype}'`);
    this.dtype = o.dtype;
    const scaler = o.scaler ?? (o.dtype === 'float16' ? {} : false);
    if (scaler !== false) this.scaler = new GradScaler(scaler);
  }

  /**
   * Refuses integer-only ops fed float values: an Embedding (or CategoryEncoding) whose indices arrive as float32
   * would see them rounded to the half format (float16 is exact only up to 2048, bfloat16 up to 256), i.e. look up the
   * wrong rows. Int32 indices are never cast (torch's autocast leaves integer tensors alone too).
   */
  setup(module: TrainModule): void {
    const problems: string[] = [];
    for (const [key, model] of Object.entries(module.models ?? {})) {
      for (const layer of leafLayers(model)) {
        if (!INTEGER_INPUT_LAYERS.includes(layer.getClassName())) continue;
        const inputs = layer.inboundNodes.flatMap((node) => node.inputTensors);
        if (inputs.some((t) => t.dtype !== 'int32')) {
          problems.push(
            `model '${key}', layer '${layer.name}' (${layer.getClassName()}) takes integer indices but is fed ` +
              `${inputs.map((t) => t.dtype).join('/')}: ${this.dtype} mixed precision would round indices above ` +
              `${this.dtype === 'float16' ? 2048 : 256}. Fix: make its input int32 (tf.input({dtype: 'int32'})), ` +
              'which mixed precision never casts, or train with trainer_type standard',
          );
        }
      }
    }
    if (problems.length > 0) throw new Error(`mixed precision cannot train this module:\n - ${problems.join('\n - ')}`);
  }

  get name(): string {
    return `${this.dtype}-mixed`;
  }

  describe(backend: string): string {
    const scaling = this.scaler ? `dynamic loss scale from ${this.scaler.scale}` : 'no loss scaling';
    const emulated = backend === 'wasm' || backend === 'cpu' || backend === 'tensorflow';
    return emulated
      ? `precision: ${this.name} (${scaling}), emulated on the ${backend} backend by rounding to ${this.dtype}: ` +
          'the numerics of a GPU run, not faster (slower: the backend has no half arithmetic)'
      : `precision: ${this.name} (${scaling}), values rounded to ${this.dtype} on the ${backend} backend`;
  }

  /**
   * Weights used in the forward pass are the half-rounded master weights (restored afterwards); every layer's inputs
   * and outputs are cast to half, and so are the gradients flowing back through those casts.
   */
  forwardContext<T>(module: TrainModule, params: ModuleParameters, fn: () => T): T {
    const cast = (t: tf.Tensor | tf.Tensor[]) =>
      Array.isArray(t) ? t.map((x) => castToHalf(x, this.dtype)) : castToHalf(t, this.dtype);
    const patches = Object.values(module.models ?? {})
      .flatMap(leafLayers)
      .map(
        (layer) => () => patchLayerCall(layer, (original) => (inputs, kwargs) => cast(original(cast(inputs), kwargs))),
      );
    const masters = params.trainable
      .filter((p) => p.variable.dtype === 'float32')
      .map((p) => {
        const master = p.variable.clone();
        const rounded = roundHalfTensor(master, this.dtype);
        p.variable.assign(rounded);
        rounded.dispose();
        return { variable: p.variable, master };
      });
    try {
      return withPatchedLayers(patches, fn);
    } finally {
      for (const { variable, master } of masters) {
        variable.assign(master);
        master.dispose();
      }
    }
  }

  /**
   * A callback that writes the loss scale and the steps skipped so far (`amp_scale`, `amp_skipped_steps`) into each
   * epoch's record and keeps the scaler's state in checkpoints. Without a scaler it does nothing.
   */
  callback(): Callback {
    const scaler = this.scaler;
    if (!scaler) return {};
    return {
      stateKey: 'amp_grad_scaler',
      onEpochEnd: (_trainer, _module, record) => {
        record.amp_scale = scaler.scale;
        record.amp_skipped_steps = scaler.skippedSteps;
      },
      stateDict: () => scaler.stateDict(),
      loadStateDict: (state) => scaler.loadStateDict(state),
    };
  }

  scaleLoss(loss: tf.Scalar): tf.Scalar {
    return this.scaler ? this.scaler.scaleLoss(loss) : loss;
  }

  afterBackward(grads: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(grads)) out[k] = roundHalfTensor(g, this.dtype);
    tf.dispose(grads);
    return out;
  }

  beforeOptimizerStep(grads: Record<string, tf.Tensor>): { grads: Record<string, tf.Tensor>; skip: boolean } {
    if (!this.scaler) return { grads, skip: false };
    const { grads: unscaled, foundInf } = this.scaler.unscale(grads);
    tf.dispose(grads);
    this.scaler.update(foundInf);
    return { grads: unscaled, skip: foundInf };
  }
}
