import * as tf from '@tensorflow/tfjs';

/**
 * Building blocks mirroring PyTorch's Conv2d / BatchNorm2d / ReLU as used by the official cls_hrnet.py, in NHWC.
 * Layer names follow the PyTorch module paths (`stage2.0.fuse_layers.1.0.0`) so a state_dict maps onto them.
 */

export type Sym = tf.SymbolicTensor;

/** How weights start: as the official `init_weights` does, or all zeros (cheap, for counting or before a load). */
export type WeightInit = 'official' | 'zeros';

type Initializer = ReturnType<typeof tf.initializers.zeros>;

export interface InitOptions {
  init: WeightInit;
  /** Seed for the random initialisers; each layer draws from `seed + its index`. */
  seed?: number;
}

/** Hands out per-layer seeds so a seeded build is reproducible. */
export class Initialisers {
  private next = 0;
  constructor(private readonly options: InitOptions) {}

  private seed(): number | undefined {
    return this.options.seed === undefined ? undefined : this.options.seed + this.next++;
  }

  /** kaiming_normal_(mode='fan_out', nonlinearity='relu'): N(0, 2 / (k*k*out)), untruncated. */
  convKernel(kernel: number, filters: number): Initializer {
    if (this.options.init === 'zeros') return tf.initializers.zeros();
    return tf.initializers.randomNormal({
      mean: 0,
      stddev: Math.sqrt(2 / (kernel * kernel * filters)),
      seed: this.seed(),
    });
  }

  /** PyTorch's default for Conv2d/Linear biases and Linear weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  fanInUniform(fanIn: number): Initializer {
    if (this.options.init === 'zeros') return tf.initializers.zeros();
    const bound = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed() });
  }
}

export interface ConvSpec {
  filters: number;
  kernel: 1 | 3;
  stride?: number;
  /** The official network has bias=False everywhere except the head's downsampling and final convolutions. */
  bias?: boolean;
}

/**
 * nn.Conv2d(k, stride, padding=k//2). A strided 3x3 convolution pads explicitly: TF's 'same' would pad only the
 * bottom/right for even sizes, while PyTorch pads one pixel on every side.
 */
export function conv(x: Sym, name: string, spec: ConvSpec, inits: Initialisers): Sym {
  const stride = spec.stride ?? 1;
  const inChannels = x.shape[x.shape.length - 1] as number;
  let input = x;
  let padding: 'same' | 'valid' = 'same';
  if (stride > 1 && spec.kernel > 1) {
    input = tf.layers.zeroPadding2d({ padding: (spec.kernel - 1) / 2, name: `${name}.pad` }).apply(x) as Sym;
    padding = 'valid';
  }
  return tf.layers
    .conv2d({
      name,
      filters: spec.filters,
      kernelSize: spec.kernel,
      strides: stride,
      padding,
      useBias: spec.bias ?? false,
      kernelInitializer: inits.convKernel(spec.kernel, spec.filters),
      biasInitializer: spec.bias ? inits.fanInUniform(inChannels * spec.kernel * spec.kernel) : undefined,
    })
    .apply(input) as Sym;
}

/** nn.BatchNorm2d(momentum=0.1, eps=1e-5): tfjs keeps `momentum` of the old moving average, so 1 - 0.1. */
export function batchNorm(x: Sym, name: string): Sym {
  return tf.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 }).apply(x) as Sym;
}

export function relu(x: Sym, name: string): Sym {
  return tf.layers.reLU({ name }).apply(x) as Sym;
}

export function add(xs: Sym[], name: string): Sym {
  return tf.layers.add({ name }).apply(xs) as Sym;
}

/** conv -> BN (-> ReLU): the nn.Sequential(Conv2d, BatchNorm2d[, ReLU]) pattern, children named .0 .1 .2. */
export function convBn(x: Sym, prefix: string, spec: ConvSpec, inits: Initialisers, withRelu: boolean): Sym {
  const y = batchNorm(conv(x, `${prefix}.0`, spec, inits), `${prefix}.1`);
  return withRelu ? relu(y, `${prefix}.2`) : y;
}
