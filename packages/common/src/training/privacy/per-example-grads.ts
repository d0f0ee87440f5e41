// Per-example gradients of a whole batch in one forward and one backward pass (Opacus' GradSampleModule): the
// Dense, Conv2D and GroupNorm layers are tapped for the step, each recording its input and the gradient of the loss
// with respect to its output; a layer's per-example weight gradient is then a product of the two per example
// (Dense: input outer output-gradient; Conv2D: a depthwise correlation of input and output-gradient; GroupNorm:
// normalised input times output-gradient summed over positions). The tapped layers return zero weight gradients to the tape, so the
// batch's ordinary weight gradients are never computed.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../data';
import { GroupNorm } from '../../models/layers/group-norm';
import type { ModuleParameters, StepContext, TrainModule } from '../module';
import { type LayerCall, leafLayers, patchLayerCall, withPatchedLayers } from '../strategy/layer-hooks';
import { conv2dPerExampleGradients } from './conv-per-example';

/** The per-example gradients of one parameter, possibly in factored form; every method returns new tensors. */
export interface ParamGradients {
  /** Squared L2 norm of each example's gradient: [B]. */
  sqNorms(): tf.Tensor1D;
  /** sum_i weights[i] * gradient_i, shaped as the parameter. */
  weightedSum(weights: tf.Tensor1D): tf.Tensor;
  /** All examples' gradients: [B, ...parameter shape]. */
  materialize(): tf.Tensor;
  dispose(): void;
}

/** Gradients held as one [B, ...shape] tensor. */
class MaterializedGradients implements ParamGradients {
  constructor(readonly perExample: tf.Tensor) {}
  sqNorms(): tf.Tensor1D {
    return tf.tidy(() => this.perExample.reshape([this.perExample.shape[0], -1]).square().sum(1) as tf.Tensor1D);
  }
  weightedSum(weights: tf.Tensor1D): tf.Tensor {
    const [b, ...shape] = this.perExample.shape;
    return tf.tidy(() =>
      weights
        .reshape([1, b])
        .matMul(this.perExample.reshape([b, -1]))
        .reshape(shape),
    );
  }
  materialize(): tf.Tensor {
    return this.perExample.clone();
  }
  dispose(): void {
    this.perExample.dispose();
  }
}

/**
 * A Dense kernel's gradients x_i (outer) dy_i for rank-2 inputs, never materialised: ||g_i||^2 = ||x_i||^2 ||dy_i||^2
 * and sum_i w_i g_i = x^T (w * dy) (the "ghost" norm of Goodfellow 2015 / ghost clipping).
 */
class OuterProductGradients implements ParamGradients {
  constructor(
    readonly x: tf.Tensor2D,
    readonly dy: tf.Tensor2D,
  ) {}
  sqNorms(): tf.Tensor1D {
    return tf.tidy(() => this.x.square().sum(1).mul(this.dy.square().sum(1)) as tf.Tensor1D);
  }
  weightedSum(weights: tf.Tensor1D): tf.Tensor {
    return tf.tidy(() => this.x.matMul(this.dy.mul(weights.expandDims(1)), true, false));
  }
  materialize(): tf.Tensor {
    return tf.tidy(() => this.x.expandDims(2).mul(this.dy.expandDims(1)));
  }
  dispose(): void {
    tf.dispose([this.x, this.dy]);
  }
}

/**
 * A Conv2D kernel's gradients in the layout conv2dPerExampleGradients produces, [Cin, kh, kw, B, Cout]. Reductions
 * over the batch go through plain matrix products (fast on every backend) instead of sums over inner axes, which
 * tfjs runs as a transpose and a reduction.
 */
class ConvKernelGradients implements ParamGradients {
  private readonly shape: number[];
  constructor(readonly raw: tf.Tensor) {
    this.shape = raw.shape;
  }
  private get rows(): tf.Tensor2D {
    const [cin, kh, kw, b, cout] = this.shape;
    return this.raw.reshape([cin * kh * kw, b * cout]);
  }
  sqNorms(): tf.Tensor1D {
    const [cin, kh, kw, b, cout] = this.shape;
    return tf.tidy(
      () =>
        tf
          .ones([1, cin * kh * kw])
          .matMul(this.rows.square())
          .reshape([b, cout])
          .sum(1) as tf.Tensor1D,
    );
  }
  weightedSum(weights: tf.Tensor1D): tf.Tensor {
    const [cin, kh, kw, b, cout] = this.shape;
    return tf.tidy(() => {
      const spread = weights
        .reshape([b, 1, 1])
        .mul(tf.eye(cout).expandDims(0))
        .reshape([b * cout, cout]); // w (x) I
      return this.rows.matMul(spread).reshape([cin, kh, kw, cout]).transpose([1, 2, 0, 3]);
    });
  }
  materialize(): tf.Tensor {
    return this.raw.transpose([3, 1, 2, 0, 4]);
  }
  dispose(): void {
    this.raw.dispose();
  }
}

/** What a tapped layer recorded during one backward pass: its input (or normalised input) and output gradient. */
interface Recording {
  input: tf.Tensor;
  dy: tf.Tensor;
}

interface DenseInternals {
  kernel: tf.LayerVariable;
  bias?: tf.LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor };
}

interface ConvInternals extends DenseInternals {
  kernelSize: number[];
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
}

/** Layer classes with a per-example gradient rule. */
export const PER_EXAMPLE_LAYERS = ['Dense', 'Conv2D', 'GroupNorm'] as const;

/** Why a Conv2D cannot be tapped, or undefined. */
export function conv2dLimitation(layer: tf.layers.Layer): string | undefined {
  const c = layer as unknown as ConvInternals;
  if (c.dataFormat !== 'channelsLast') return `dataFormat '${c.dataFormat}' (per-example gradients need channelsLast)`;
  if (c.dilationRate.some((d) => d !== 1))
    return `dilationRate [${c.dilationRate}] (per-example gradients need dilation 1)`;
  return undefined;
}

/**
 * `forward(x, ...weights)` as one op whose gradient records (input, dy) and returns `inputGrad(dy)` for x and zeros
 * for the weights.
 */
function tappedOp(
  x: tf.Tensor,
  weights: tf.Tensor[],
  forward: (x: tf.Tensor, ...w: tf.Tensor[]) => tf.Tensor,
  inputGrad: (dy: tf.Tensor) => tf.Tensor,
  record: (r: Recording) => void,
): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, weights.length + 1) as tf.Tensor[];
    const save = args[weights.length + 1] as tf.GradSaveFunc;
    save([inputs[0]]);
    return {
      value: forward(inputs[0], ...inputs.slice(1)),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        record({ input: tf.keep(saved[0].clone()), dy: tf.keep(g.clone()) });
        return [inputGrad(g), ...weights.map((w) => tf.zeros(w.shape))];
      },
    };
  });
  return op(x, ...weights);
}

interface Tap {
  layer: tf.layers.Layer;
  kind: (typeof PER_EXAMPLE_LAYERS)[number];
  /** Parameter names of [kernel or gamma, bias or beta] (undefined: no such weight or not trainable). */
  names: (string | undefined)[];
  recordings: Recording[];
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** The tapped replacement of a layer's call. */
function tapCall(tap: Tap): (original: LayerCall) => LayerCall {
  const record = (r: Recording) => tap.recordings.push(r);
  if (tap.kind === 'GroupNorm') {
    const layer = tap.layer as GroupNorm;
    return () => (inputs) => {
      const xhat = layer.normalize(single(inputs));
      const gamma = layer.gamma.read();
      return tappedOp(
        xhat,
        [gamma, layer.beta.read()],
        (h, g, b) => h.mul(g).add(b),
        (dy) => dy.mul(gamma),
        record,
      );
    };
  }
  const internals = tap.layer as unknown as ConvInternals;
  const kernel = () => internals.kernel.read();
  const weights = () => (internals.bias ? [kernel(), internals.bias.read()] : [kernel()]);
  if (tap.kind === 'Dense') {
    return () => (inputs) => {
      const x = single(inputs);
      const k = kernel();
      const [inDim, units] = k.shape as [number, number];
      const z = tappedOp(
        x,
        weights(),
        (input, kk, b) => {
          const flat = input.reshape([-1, inDim]).matMul(kk);
          return (b ? flat.add(b) : flat).reshape([...input.shape.slice(0, -1), units]);
        },
        (dy) => dy.reshape([-1, units]).matMul(k, false, true).reshape(x.shape),
        record,
      );
      return internals.activation.apply(z);
    };
  }
  const strides = internals.strides as [number, number];
  const padding = internals.padding as 'valid' | 'same';
  return () => (inputs) => {
    const x = single(inputs) as tf.Tensor4D;
    const k = kernel() as tf.Tensor4D;
    const z = tappedOp(
      x,
      weights(),
      (input, kk, b) => {
        const conv = tf.conv2d(input as tf.Tensor4D, kk as tf.Tensor4D, strides, padding);
        return b ? conv.add(b) : conv;
      },
      (dy) => tf.conv2dTranspose(dy as tf.Tensor4D, k, x.shape, strides, padding),
      record,
    );
    return internals.activation.apply(z);
  };
}

/** A per-call part: a [B, ...] tensor, a Dense kernel's factors, or a Conv2D kernel in its [Cin, kh, kw, B, Cout] layout. */
type TapPart = tf.Tensor | { x: tf.Tensor2D; dy: tf.Tensor2D } | { conv: tf.Tensor };

/** Per-example gradients of one tap's weights from its recordings (summed over the layer's calls). */
function tapGradients(tap: Tap, scale: number): (ParamGradients | undefined)[] {
  const parts: TapPart[][] = tf.tidy(() =>
    tap.recordings.map(({ input, dy: rawDy }): TapPart[] => {
      const dy = scale === 1 ? rawDy : rawDy.mul(scale);
      const b = input.shape[0];
      const channels = dy.shape[dy.rank - 1] as number;
      const dyRows = dy.reshape([b, -1, channels]) as tf.Tensor3D;
      const biasGrad = dyRows.sum(1);
      if (tap.kind === 'GroupNorm') return [input.mul(dy).reshape([b, -1, channels]).sum(1), biasGrad];
      if (tap.kind === 'Dense') {
        const x = input.reshape([b, -1, input.shape[input.rank - 1] as number]) as tf.Tensor3D;
        if (x.shape[1] === 1 && tap.recordings.length === 1) {
          return [{ x: x.reshape([b, -1]) as tf.Tensor2D, dy: dyRows.reshape([b, -1]) as tf.Tensor2D }, biasGrad];
        }
        return [tf.matMul(x, dyRows, true, false), biasGrad];
      }
      const c = tap.layer as unknown as ConvInternals;
      const geometry = {
        kernelSize: c.kernelSize as [number, number],
        strides: c.strides as [number, number],
        padding: c.padding as 'valid' | 'same',
      };
      const kernelGrads = conv2dPerExampleGradients(input as tf.Tensor4D, dy as tf.Tensor4D, geometry);
      return [tap.recordings.length === 1 ? { conv: kernelGrads } : kernelGrads.transpose([3, 1, 2, 0, 4]), biasGrad];
    }),
  );
  return tap.names.map((name, w) => {
    const mine = parts.map((p) => p[w]);
    if (name === undefined) {
      tf.dispose(mine.map((m) => (m instanceof tf.Tensor ? m : Object.values(m))));
      return undefined;
    }
    const first = mine[0];
    if (!(first instanceof tf.Tensor))
      return 'conv' in first ? new ConvKernelGradients(first.conv) : new OuterProductGradients(first.x, first.dy);
    if (mine.length === 1) return new MaterializedGradients(first);
    const summed = tf.addN(mine as tf.Tensor[]);
    tf.dispose(mine as tf.Tensor[]);
    return new MaterializedGradients(summed);
  });
}

export interface PerExampleStep {
  loss: number;
  logs: Record<string, number>;
  /** By trainable parameter name; the caller disposes each. */
  grads: Record<string, ParamGradients>;
}

export interface PerExampleOptions {
  /** How the module's loss reduces over the batch: 'mean' (default; gradients are multiplied by B) or 'sum'. */
  lossReduction?: 'mean' | 'sum';
}

/** The taps of a module's models; throws for trainable weights it cannot compute per-example gradients of. */
function planTaps(module: TrainModule, params: ModuleParameters): Tap[] {
  const nameOf = new Map(params.trainable.map((p) => [p.variable as tf.Tensor, p.name]));
  const taps: Tap[] = [];
  for (const model of Object.values(module.models ?? {})) {
    for (const layer of leafLayers(model)) {
      const kind = PER_EXAMPLE_LAYERS.find((k) => k === layer.getClassName());
      const trainable = layer.trainable ? layer.trainableWeights : [];
      if (!kind) {
        if (trainable.length > 0) {
          throw new Error(
            `per-example gradients: layer '${layer.name}' (${layer.getClassName()}) has trainable weights but no per-example ` +
              `gradient rule (supported: ${PER_EXAMPLE_LAYERS.join(', ')}); freeze it (layer.trainable = false) or replace it`,
          );
        }
        continue;
      }
      if (kind === 'Conv2D') {
        const limitation = conv2dLimitation(layer);
        if (limitation) throw new Error(`per-example gradients: layer '${layer.name}' (Conv2D) has ${limitation}`);
      }
      const vars =
        kind === 'GroupNorm'
          ? [(layer as GroupNorm).gamma, (layer as GroupNorm).beta]
          : [(layer as unknown as DenseInternals).kernel, (layer as unknown as DenseInternals).bias ?? undefined];
      const names = vars.map((v) => (v && layer.trainable ? nameOf.get(v.read()) : undefined));
      if (names.some((n) => n !== undefined)) taps.push({ layer, kind, names, recordings: [] });
    }
  }
  const covered = new Set(taps.flatMap((t) => t.names));
  const orphan = params.trainable.find((p) => !covered.has(p.name));
  if (orphan) {
    throw new Error(
      `per-example gradients: trainable weight '${orphan.name}' (${orphan.variable.name}) does not belong to a ` +
        `${PER_EXAMPLE_LAYERS.join('/')} layer of the module's models; freeze it or move it into such a layer`,
    );
  }
  return taps;
}

/** Checks that every trainable weight of `module` has a per-example gradient rule (throws otherwise). */
export function checkPerExampleSupport(module: TrainModule, params: ModuleParameters): void {
  planTaps(module, params);
}

/**
 * One forward and backward pass of `module.trainingStep` on the whole batch, returning every example's gradient
 * of its own loss (the module's loss is a mean over the batch unless `lossReduction: 'sum'`).
 */
export function perExampleGradients(
  module: TrainModule,
  params: ModuleParameters,
  batch: Batch,
  ctx: StepContext,
  opts: PerExampleOptions = {},
): PerExampleStep {
  const taps = planTaps(module, params);
  let logTensors: Record<string, tf.Scalar> = {};
  const vars = params.trainable.map((p) => p.variable);
  const patches = taps.map((tap) => () => patchLayerCall(tap.layer, tapCall(tap)));
  const { value, grads } = withPatchedLayers(patches, () =>
    tf.variableGrads(() => {
      const out = module.trainingStep(batch, ctx);
      logTensors = out.logs ?? {};
      for (const t of Object.values(logTensors)) tf.keep(t);
      return out.loss;
    }, vars),
  );
  tf.dispose(grads); // zeros: the tapped layers hand their weights no batch gradient
  const result: Record<string, ParamGradients> = {};
  try {
    for (const tap of taps) {
      if (tap.recordings.length === 0) continue; // a layer this step did not use has zero gradients
      const scale = (opts.lossReduction ?? 'mean') === 'mean' ? tap.recordings[0].input.shape[0] : 1; // B x d(mean)/dy = d(loss_i)/dy
      tapGradients(tap, scale).forEach((g, w) => {
        const name = tap.names[w];
        if (g && name !== undefined) result[name] = g;
      });
    }
  } finally {
    for (const tap of taps) tf.dispose(tap.recordings.flatMap((r) => [r.input, r.dy]));
  }
  const loss = value.dataSync()[0];
  const logs: Record<string, number> = {};
  for (const [k, t] of Object.entries(logTensors)) logs[k] = t.dataSync()[0];
  tf.dispose([value, logTensors]);
  return { loss, logs, grads: result };
}
