// Functional builders for torchvision-equivalent graphs. Every layer that holds weights is named with the PyTorch
// module path of its torchvision counterpart (`layer1.0.conv1`, `features.3.block.1.0`), which is what the weight
// loader (torch-weights.ts) maps; weightless helpers get the same prefix with a `_suffix` so names stay unique.
import * as tf from '@tensorflow/tfjs';
import { torchDefaultInit } from '../layers';
import { TorchActivation } from './torch-layers';

type T = tf.SymbolicTensor;

/** BatchNorm2d settings in PyTorch's terms; tfjs's momentum is 1 - torch's. */
export interface BatchNormSpec {
  epsilon: number;
  torchMomentum: number;
}

/** nn.BatchNorm2d's defaults. */
export const TORCH_BATCH_NORM: BatchNormSpec = { epsilon: 1e-5, torchMomentum: 0.1 };

export type ActivationName = 'relu' | 'relu6' | 'silu' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'gelu';

export interface ConvArgs {
  filters: number;
  kernel: number;
  stride?: number;
  /** Zero padding on every side, as nn.Conv2d's `padding`; default (kernel - 1) / 2. */
  padding?: number;
  /** One filter per input channel (groups = channels). */
  depthwise?: boolean;
  bias?: boolean;
}

/**
 * nn.Conv2d with symmetric zero padding. tfjs's 'same' pads asymmetrically when the stride is 2 (more at the
 * bottom/right), so every strided or non-centred padding is an explicit ZeroPadding2D followed by a 'valid' conv.
 */
export function conv2d(x: T, name: string, args: ConvArgs): T {
  const { filters, kernel, stride = 1, depthwise = false, bias = false } = args;
  const padding = args.padding ?? Math.floor((kernel - 1) / 2);
  let input = x;
  let mode: 'same' | 'valid' = 'valid';
  if (stride === 1 && 2 * padding === kernel - 1) mode = 'same';
  else if (padding > 0) {
    input = tf.layers
      .zeroPadding2d({
        padding: [
          [padding, padding],
          [padding, padding],
        ],
        name: `${name}_pad`,
      })
      .apply(x) as T;
  }
  // He variance with fan_out as torchvision's CNNs, drawn uniformly: tfjs's (truncated) normal draws take ~1.5 s per
  // million values, the uniform ones a small fraction of that. For a depthwise kernel [k, k, C, 1] tfjs's fan_in is
  // k*k*C, which is torch's fan_out of the same filter.
  const kernelInitializer = tf.initializers.varianceScaling({
    scale: 2,
    mode: depthwise ? 'fanIn' : 'fanOut',
    distribution: 'uniform',
  });
  const common = {
    kernelSize: kernel,
    strides: stride,
    padding: mode,
    useBias: bias,
    name,
    biasInitializer: 'zeros' as const,
  };
  if (depthwise) {
    const channels = input.shape[3] as number;
    if (filters !== channels)
      throw new Error(`conv2d ${name}: a depthwise convolution keeps ${channels} channels, asked for ${filters}`);
    return tf.layers
      .depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: kernelInitializer })
      .apply(input) as T;
  }
  return tf.layers.conv2d({ ...common, filters, kernelInitializer }).apply(input) as T;
}

export function batchNorm(x: T, name: string, spec: BatchNormSpec): T {
  return tf.layers
    .batchNormalization({ axis: -1, epsilon: spec.epsilon, momentum: 1 - spec.torchMomentum, name })
    .apply(x) as T;
}

export function activation(x: T, kind: ActivationName, name: string): T {
  if (kind === 'hardswish' || kind === 'hardsigmoid') return new TorchActivation({ fn: kind, name }).apply(x) as T;
  // tfjs 'swish' is x * sigmoid(x) = SiLU; 'gelu' is the exact erf form, as nn.GELU().
  const tfName = kind === 'silu' ? 'swish' : kind;
  return tf.layers.activation({ activation: tfName, name }).apply(x) as T;
}

/** torchvision.ops.Conv2dNormActivation: conv at `<prefix>.0`, BatchNorm at `<prefix>.1`, then the activation. */
export function convNormAct(
  x: T,
  prefix: string,
  args: ConvArgs & { norm: BatchNormSpec; act: ActivationName | null },
): T {
  const y = batchNorm(conv2d(x, `${prefix}.0`, args), `${prefix}.1`, args.norm);
  return args.act ? activation(y, args.act, `${prefix}_act`) : y;
}

/**
 * torchvision.ops.SqueezeExcitation: global average pool, 1x1 conv `fc1` (bias), activation, 1x1 conv `fc2` (bias),
 * gate, then the input scaled channel-wise by the gate.
 */
export function squeezeExcitation(x: T, prefix: string, squeeze: number, act: ActivationName, gate: ActivationName): T {
  const channels = x.shape[3] as number;
  let s = tf.layers.globalAveragePooling2d({ name: `${prefix}_pool` }).apply(x) as T;
  s = tf.layers.reshape({ targetShape: [1, 1, channels], name: `${prefix}_reshape` }).apply(s) as T;
  s = activation(conv2d(s, `${prefix}.fc1`, { filters: squeeze, kernel: 1, bias: true }), act, `${prefix}_act`);
  s = activation(conv2d(s, `${prefix}.fc2`, { filters: channels, kernel: 1, bias: true }), gate, `${prefix}_gate`);
  return tf.layers.multiply({ name: `${prefix}_scale` }).apply([x, s]) as T;
}

/** nn.Linear on the last axis, PyTorch's default initialisation. */
export function linear(x: T, name: string, units: number): T {
  return tf.layers.dense({ units, name, ...torchDefaultInit(x.shape[x.shape.length - 1] as number) }).apply(x) as T;
}

export function add(a: T, b: T, name: string): T {
  return tf.layers.add({ name }).apply([a, b]) as T;
}

export function globalAveragePool(x: T, name: string): T {
  return tf.layers.globalAveragePooling2d({ name }).apply(x) as T;
}

export function dropout(x: T, rate: number, name: string): T {
  return rate > 0 ? (tf.layers.dropout({ rate, name }).apply(x) as T) : x;
}

/** torchvision's _make_divisible: rounds channels to a multiple of `divisor`, never more than 10% below `value`. */
export function makeDivisible(value: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor(value + divisor / 2) - (Math.floor(value + divisor / 2) % divisor));
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}

/** Input shape (channels last) and class count from model options, with an architecture's defaults. */
export function inputAndClasses(
  options: { inputShape?: number[]; numClasses?: number },
  model: string,
  defaults: { inputShape: number[]; numClasses: number } = { inputShape: [224, 224, 3], numClasses: 1000 },
  /** The smallest height and width whose feature maps stay non-empty (unpadded strided layers). */
  minSize = 1,
): { inputShape: number[]; numClasses: number } {
  const inputShape = options.inputShape ?? defaults.inputShape;
  const numClasses = options.numClasses ?? defaults.numClasses;
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `${model}: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new Error(`${model}: numClasses must be a positive integer, got ${numClasses}`);
  if (inputShape[0] < minSize || inputShape[1] < minSize) {
    throw new Error(
      `${model}: the input must be at least ${minSize}x${minSize} (its strided layers leave no pixel of a smaller one), got ${inputShape[0]}x${inputShape[1]}`,
    );
  }
  return { inputShape, numClasses };
}
