// Building blocks for kernels composed of the wasm backend's own kernels. Calling kernelFuncs directly (not tf ops)
// keeps the engine's bookkeeping, tape and profiler out of the inner calls; intermediates are freed by `dispose`.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type Info = tf.TensorInfo;
/** What the engine passes to a kernelFunc (inputs named as in the kernel's definition). */
export interface KernelArgs {
  inputs: Record<string, Info>;
  backend: unknown;
  attrs: tf.NamedAttrMap;
}
export type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/** The wasm backend's own kernels that ours replace, kept so that ours can delegate to them. */
export const originalWasmKernels = new Map<string, tf.KernelConfig>();

/** Runs wasm kernels and remembers their outputs so they can be freed together; `keep` exempts the result. */
export class WasmOps {
  private readonly made: Info[] = [];

  constructor(readonly backend: BackendWasm) {}

  run(kernelName: string, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}): Info {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm backend has no kernel '${kernelName}'`);
    return this.runKernel(kernel, inputs, attrs);
  }

  /** Runs the wasm backend's own version of a kernel we replaced. */
  runOriginal(kernelName: string, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}): Info {
    const kernel = originalWasmKernels.get(kernelName);
    if (!kernel) throw new Error(`no original wasm kernel '${kernelName}' was recorded`);
    return this.runKernel(kernel, inputs, attrs);
  }

  private runKernel(kernel: tf.KernelConfig, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
    const out = kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: this.backend }) as Info;
    this.made.push(out);
    return out;
  }

  /** Frees every intermediate except `result`. */
  finish(result: Info): Info {
    // By identity, not dataId: a reshape shares its input's dataId and holds its own reference to it.
    for (const info of this.made) if (info !== result) this.backend.disposeData(info.dataId);
    this.made.length = 0;
    return result;
  }

  /** Frees one intermediate now (a loop's temporary), instead of at `finish`. */
  free(info: Info): void {
    const at = this.made.indexOf(info);
    if (at < 0) throw new Error('WasmOps.free: not an intermediate of this WasmOps');
    this.made.splice(at, 1);
    this.backend.disposeData(info.dataId);
  }

  /** A new float32 tensor of zeros. */
  zeros(shape: number[]): Info {
    const out = this.backend.makeOutput(shape, 'float32');
    this.backend.typedArrayFromHeap(out).fill(0);
    this.made.push(out);
    return out;
  }

  /** A new tensor with the given values (e.g. a constant filter). */
  constant(values: Float32Array, shape: number[]): Info {
    const out = this.backend.makeOutput(shape, 'float32');
    this.backend.typedArrayFromHeap(out).set(values);
    this.made.push(out);
    return out;
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run('Slice', { x }, { begin, size });
  }

  pad(x: Info, paddings: number[][]): Info {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  reverse(x: Info, dims: number[]): Info {
    return this.run('Reverse', { x }, { dims });
  }

  sum(x: Info, axis: number[], keepDims = false): Info {
    return this.run('Sum', { x }, { axis, keepDims });
  }

  /**
   * NHWC convolution with per-side paddings that may be negative (a negative padding crops the input). Stride and
   * dilation may both exceed 1 (XNNPACK allows it even though the tf.conv2d op does not).
   */
  conv2d(
    x: Info,
    filter: Info,
    strides: [number, number],
    dilations: [number, number],
    pads: [number, number, number, number],
    depthwise = false,
  ): Info {
    const [top, bottom, left, right] = pads;
    const [, h, w] = x.shape;
    const crop = [Math.max(0, -top), Math.max(0, -left)];
    const cropEnd = [Math.max(0, -bottom), Math.max(0, -right)];
    let input = x;
    if (crop[0] + crop[1] + cropEnd[0] + cropEnd[1] > 0) {
      input = this.slice(
        x,
        [0, crop[0], crop[1], 0],
        [x.shape[0], h - crop[0] - cropEnd[0], w - crop[1] - cropEnd[1], x.shape[3]],
      );
    }
    const pad: Pad4 = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ];
    const attrs = { strides, dilations, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    return this.run(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', { x: input, filter }, attrs);
  }

  /** Inserts (s-1) zeros between rows and columns: [B,H,W,C] -> [B,(H-1)*sh+1,(W-1)*sw+1,C]. */
  dilateSpatial(x: Info, [sh, sw]: [number, number]): Info {
    if (sh === 1 && sw === 1) return x;
    const [b, h, w, c] = x.shape;
    let y = x;
    if (sh > 1) {
      y = this.pad(this.reshape(y, [b * h, 1, w, c]), [
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, 0],
      ]);
      y = this.slice(this.reshape(y, [b, h * sh, w, c]), [0, 0, 0, 0], [b, (h - 1) * sh + 1, w, c]);
    }
    const hh = y.shape[1];
    if (sw > 1) {
      y = this.pad(this.reshape(y, [b * hh, w, 1, c]), [
        [0, 0],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      y = this.slice(this.reshape(y, [b, hh, w * sw, c]), [0, 0, 0, 0], [b, hh, (w - 1) * sw + 1, c]);
    }
    return y;
  }
}

export function asWasm(backend: unknown): BackendWasm {
  return backend as BackendWasm;
}
