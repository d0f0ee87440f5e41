// Loads the project's own wasm kernels (kernels.c, built by build.sh) onto the running tfjs-wasm module.
//
// The kernels are a side module whose only import is a memory: they are instantiated with the tfjs-wasm module's own
// WebAssembly.Memory, so they read and write tensors where tfjs keeps them (pointer = the tensor's memoryOffset)
// with no copy in or out. A second module rather than a rebuilt tfjs-wasm: the npm package's binary stays as
// published, and ours is 9 KB of C that builds in two seconds.
import type {} from './webassembly'; // the WebAssembly declarations this file uses (no lib.dom here)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { NativePool } from './native-pool';

/** The kernels of kernels.c that take (part, parts) last: `NativeKernels.run` splits them over the pool. */
export const PARALLEL_KERNELS = [
  'max_pool_grad',
  'gemm',
  'conv2d_backprop_filter',
  'add_parts',
  'conv2d_backprop_input',
  'binary_op',
  'unary_op',
  'softmax_rows',
  'softmax_grad_rows',
  'layer_norm_rows',
  'gelu',
  'adam_update',
  'conv2d_forward',
] as const;
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** The functions kernels.c exports (pointers are byte offsets into the tfjs-wasm heap). */
export type KernelExports = Record<ParallelKernel, (...args: number[]) => void> & {
  column_sum(x: number, out: number, rows: number, cols: number): void;
  transpose_2d(x: number, out: number, rows: number, cols: number): void;
  layer_norm_grad_rows(...args: number[]): void;
  copy_block(src: number, srcRow: number, dst: number, dstRow: number, rows: number, cols: number): void;
};

/** What the Emscripten glue of tfjs-wasm exposes on its module object. */
interface TfjsWasmModule {
  wasmMemory?: WebAssembly.Memory; // threaded build
  asm?: { memory?: WebAssembly.Memory }; // single-threaded builds
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

const SHAPE_INTS = 32;

/** Work below which a kernel runs on one thread: waking the pool costs about as much as 2^18 multiply-adds. */
export const nativeParallel = { minWork: 1 << 18 };

/** The kernels bound to one tfjs-wasm backend, with the scratch memory they share. */
export class NativeKernels {
  private scratchPointer = 0;
  private scratchFloats = 0;
  private readonly shapePointer: number;

  constructor(
    readonly fn: KernelExports,
    private readonly backend: BackendWasm,
    /** Which binary runs: 'kernels.wasm' or 'kernels-shared.wasm'. */
    readonly file: string,
    private readonly pool?: NativePool,
  ) {
    this.shapePointer = this.module()._malloc(SHAPE_INTS * 4);
  }

  /** Resolves once the pool's workers have started (at once without a pool); rejects after `timeoutMs`. */
  async poolReady(timeoutMs = 10_000): Promise<void> {
    const start = Date.now();
    while (this.pool && !this.pool.ready) {
      if (Date.now() - start > timeoutMs)
        throw new Error(`native kernels: the thread pool did not start within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** How many parts `run` splits a kernel into (its scratch buffers need one share per part). */
  get parts(): number {
    return this.pool?.threads ?? 1;
  }

  /**
   * Runs `name(...args, part, parts)`: on every thread of the pool when there is one and `work` (multiply-adds or
   * elements) is positive and reaches `nativeParallel.minWork`, else whole on this thread.
   */
  run(name: ParallelKernel, args: number[], work: number): void {
    if (this.pool && work > 0 && work >= nativeParallel.minWork) this.pool.run(name, args);
    else this.fn[name](...args, 0, 1);
  }

  private module(): TfjsWasmModule {
    return this.backend.wasm as unknown as TfjsWasmModule;
  }

  /** The heap address of a tensor's values. */
  pointer(info: tf.TensorInfo): number {
    return this.backend.dataIdMap.get(info.dataId).memoryOffset;
  }

  /**
   * A scratch buffer of at least `floats` floats, reused by every call (it grows, never shrinks; callers bound what
   * they ask for). Ask before taking heap views: growing it may grow the heap.
   */
  scratch(floats: number): number {
    if (floats > this.scratchFloats) {
      if (this.scratchPointer) this.module()._free(this.scratchPointer);
      this.scratchFloats = Math.max(floats, 1024);
      this.scratchPointer = this.module()._malloc(this.scratchFloats * 4);
      if (!this.scratchPointer)
        throw new Error(`native kernels: could not allocate ${this.scratchFloats * 4} bytes of scratch`);
    }
    return this.scratchPointer;
  }

  /** Writes up to 32 ints (a shape struct) to a fixed heap block and returns its address. */
  ints(values: number[]): number {
    if (values.length > SHAPE_INTS)
      throw new Error(`native kernels: ${values.length} ints exceed the ${SHAPE_INTS}-int block`);
    new Int32Array(tfjsMemory(this.module()).buffer, this.shapePointer, values.length).set(values);
    return this.shapePointer;
  }
}

function tfjsMemory(module: TfjsWasmModule): WebAssembly.Memory {
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory))
    throw new Error('native kernels: the tfjs-wasm module exposes no WebAssembly.Memory');
  return memory;
}

const EXPECTED: Array<keyof KernelExports> = [
  ...PARALLEL_KERNELS,
  'column_sum',
  'transpose_2d',
  'layer_norm_grad_rows',
];

/** Per backend: the kernels loaded from each directory for each thread count, and the ones in use. */
const loaded = new WeakMap<object, Map<string, NativeKernels>>();
const current = new WeakMap<object, NativeKernels>();
let enabled = true;

/**
 * Instantiates the kernels on a started wasm backend's memory, with a pool of `threads` threads when that memory is
 * shared (tfjs's threaded binary) and threads > 1; throws if that is not possible.
 */
export function loadNativeKernels(backend: BackendWasm, threads = 1, dir = __dirname): NativeKernels {
  const byDir = loaded.get(backend) ?? new Map<string, NativeKernels>();
  loaded.set(backend, byDir);
  const key = `${dir}|${threads}`;
  const existing = byDir.get(key);
  if (existing) {
    current.set(backend, existing);
    return existing;
  }
  const memory = tfjsMemory(backend.wasm as unknown as TfjsWasmModule);
  const file = memory.buffer instanceof SharedArrayBuffer ? 'kernels-shared.wasm' : 'kernels.wasm';
  const wasmModule = new WebAssembly.Module(fs.readFileSync(path.join(dir, file)));
  const instance = new WebAssembly.Instance(wasmModule, { env: { memory } });
  const fn = instance.exports as unknown as KernelExports;
  for (const name of EXPECTED)
    if (typeof fn[name] !== 'function') throw new Error(`native kernels: ${file} does not export ${name}`);
  const pool =
    file === 'kernels-shared.wasm' && threads > 1
      ? new NativePool(wasmModule, memory, fn, [...PARALLEL_KERNELS], threads)
      : undefined;
  const kernels = new NativeKernels(fn, backend, file, pool);
  byDir.set(key, kernels);
  current.set(backend, kernels);
  return kernels;
}

/** The kernels loaded for this backend, or undefined (not loaded, or turned off): callers then use their fallback. */
export function nativeKernelsFor(backend: unknown): NativeKernels | undefined {
  return enabled ? current.get(backend as object) : undefined;
}

/** Turns the native kernels off and on (benchmarks compare both in one process); returns the previous state. */
export function setNativeKernelsEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}
