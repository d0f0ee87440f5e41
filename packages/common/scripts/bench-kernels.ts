// Per-kernel microbenchmark of the project's C kernels (src/backend/native) against the kernels they replace, at the
// shapes of the reference models' training step (batch 64), run back to back in one process on the wasm backend:
//
//   npx nx run common:bench-kernels                  # every case, 2 threads for XNNPACK
//   npx nx run common:bench-kernels -- --reps 10 --filter Conv   # 7 rounds of 10 calls each way
//   RESEARCH_OWN_KERNELS=1 npx nx run common:bench-kernels      # the C kernels on one thread
//   RESEARCH_WASM_THREADS=0 npx nx run common:bench-kernels     # everything on one thread
import * as tf from '@tensorflow/tfjs';
import { fusedGelu, fusedKernelsActive, fusedLayerNorm, initBackend } from '../src/backend';
import { layerNormOp } from '../src/models/layers';
import { nativeKernelsFor, setNativeKernelsEnabled } from '../src/backend/native/native-kernels';

interface Case {
  name: string;
  kernel: string;
  inputs: () => Record<string, tf.Tensor>;
  attrs: Record<string, unknown>;
  /** An operation with its gradients instead of one kernel (a fused kernel against the kernels it replaces). */
  op?: (inputs: Record<string, tf.Tensor>) => tf.Tensor[];
}

const conv = (x: number[], f: number[], stride: number, pad: string): Case[] => [
  {
    name: `Conv2DBackpropFilter x${JSON.stringify(x)} f${JSON.stringify(f)} s${stride} ${pad}`,
    kernel: 'Conv2DBackpropFilter',
    inputs: () => {
      const info = tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        f as [number, number, number, number],
        stride,
        1,
        pad as 'same',
      );
      return { x: tf.randomNormal(x), dy: tf.randomNormal(info.outShape) };
    },
    attrs: { strides: stride, pad, dataFormat: 'NHWC', filterShape: f },
  },
  {
    name: `Conv2DBackpropInput x${JSON.stringify(x)} f${JSON.stringify(f)} s${stride} ${pad}`,
    kernel: 'Conv2DBackpropInput',
    inputs: () => {
      const info = tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        f as [number, number, number, number],
        stride,
        1,
        pad as 'same',
      );
      return { dy: tf.randomNormal(info.outShape), filter: tf.randomNormal(f) };
    },
    attrs: { strides: stride, pad, dataFormat: 'NHWC', inputShape: x },
  },
];

const maxPoolGrad = (x: number[]): Case => ({
  name: `MaxPoolGrad x${JSON.stringify(x)} 2x2 s2`,
  kernel: 'MaxPoolGrad',
  inputs: () => {
    const input = tf.randomNormal(x);
    return {
      input,
      output: tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid'),
      dy: tf.randomNormal([x[0], Math.floor(x[1] / 2), Math.floor(x[2] / 2), x[3]]),
    };
  },
  attrs: { filterSize: 2, strides: 2, pad: 'valid' },
});

const sum = (x: number[], axis: number[]): Case => ({
  name: `Sum x${JSON.stringify(x)} axis ${JSON.stringify(axis)}`,
  kernel: 'Sum',
  inputs: () => ({ x: tf.randomNormal(x) }),
  attrs: { axis, keepDims: false },
});

const matMul = (a: number[], b: number[], transposeA: boolean, transposeB: boolean): Case => ({
  name: `BatchMatMul a${JSON.stringify(a)} b${JSON.stringify(b)}${transposeA ? ' tA' : ''}${transposeB ? ' tB' : ''}`,
  kernel: 'BatchMatMul',
  inputs: () => ({ a: tf.randomNormal(a), b: tf.randomNormal(b) }),
  attrs: { transposeA, transposeB },
});

const binary = (kernel: string, a: number[], b: number[]): Case => ({
  name: `${kernel} a${JSON.stringify(a)} b${JSON.stringify(b)}`,
  kernel,
  inputs: () => ({ a: tf.randomNormal(a), b: tf.randomNormal(b).abs().add(0.5) }),
  attrs: {},
});

const unary = (kernel: string, x: number[]): Case => ({
  name: `${kernel} x${JSON.stringify(x)}`,
  kernel,
  inputs: () => ({ x: tf.randomNormal(x).abs() }),
  attrs: {},
});

/** Forward and backward of an operation (random upstream gradient), as in a training step. */
const withGrads = (name: string, shapes: Record<string, number[]>, f: (...xs: tf.Tensor[]) => tf.Tensor): Case => ({
  name,
  kernel: '',
  inputs: () => Object.fromEntries(Object.entries(shapes).map(([k, shape]) => [k, tf.randomNormal(shape)])),
  attrs: {},
  op: (inputs) => {
    const xs = Object.values(inputs);
    const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), 0.5)))(xs);
    return [value, ...grads];
  },
});

const conv2d = (x: number[], f: number[], stride: number, pad: string): Case => ({
  name: `Conv2D x${JSON.stringify(x)} f${JSON.stringify(f)} s${stride} ${pad}`,
  kernel: 'Conv2D',
  inputs: () => ({ x: tf.randomNormal(x), filter: tf.randomNormal(f) }),
  attrs: { strides: stride, pad, dataFormat: 'NHWC', dilations: 1 },
});

const CASES: Case[] = [
  conv2d([64, 28, 28, 1], [3, 3, 1, 32], 1, 'valid'),
  conv2d([64, 13, 13, 32], [3, 3, 32, 64], 1, 'valid'),
  conv2d([64, 28, 28, 1], [7, 7, 1, 64], 7, 'valid'),
  conv2d([64, 32, 32, 1], [3, 3, 1, 64], 2, 'same'),
  conv2d([64, 16, 16, 64], [3, 3, 64, 64], 1, 'same'),
  conv2d([64, 16, 16, 16], [3, 3, 16, 16], 1, 'same'),
  conv2d([64, 8, 8, 128], [1, 1, 128, 64], 1, 'same'),
  conv2d([64, 4, 4, 512], [3, 3, 512, 1024], 2, 'same'),
  maxPoolGrad([64, 26, 26, 32]),
  maxPoolGrad([64, 11, 11, 64]),
  ...conv([64, 28, 28, 1], [3, 3, 1, 32], 1, 'valid'),
  ...conv([64, 13, 13, 32], [3, 3, 32, 64], 1, 'valid'),
  ...conv([64, 28, 28, 1], [7, 7, 1, 64], 7, 'valid'),
  ...conv([64, 4, 4, 512], [3, 3, 512, 1024], 2, 'same'),
  ...conv([64, 16, 16, 128], [3, 3, 128, 256], 2, 'same'),
  ...conv([64, 2, 2, 1024], [1, 1, 1024, 2048], 1, 'same'),
  sum([64, 26, 26, 32], [0, 1, 2]),
  sum([64, 11, 11, 64], [0, 1, 2]),
  sum([64, 128], [0]),
  sum([64, 17, 64], [0, 1]),
  {
    name: 'Mean x[64,16,16,128] axis [0,1,2]',
    kernel: 'Mean',
    inputs: () => ({ x: tf.randomNormal([64, 16, 16, 128]) }),
    attrs: { axis: [0, 1, 2], keepDims: true },
  },
  matMul([64, 4, 17, 16], [64, 4, 17, 16], false, true),
  matMul([64, 4, 17, 17], [64, 4, 17, 16], false, false),
  matMul([64, 4, 17, 17], [64, 4, 17, 16], true, false),
  matMul([1088, 64], [64, 64], false, false),
  matMul([1088, 64], [64, 192], false, false),
  matMul([1088, 64], [1088, 192], true, false),
  matMul([1088, 192], [64, 192], false, true),
  matMul([1, 1088, 64], [1, 1088, 128], true, false),
  matMul([1, 1088, 128], [1, 64, 128], false, true),
  matMul([64, 1600], [1600, 128], false, false),
  matMul([64, 1600], [64, 128], true, false),
  matMul([64, 128], [1600, 128], false, true),
  binary('Multiply', [64, 17, 64], [64]),
  binary('Multiply', [64, 17, 64], [64, 17, 1]),
  binary('Sub', [64, 17, 64], [64, 17, 1]),
  binary('RealDiv', [64, 17, 64], [64, 17, 1]),
  binary('Add', [64, 17, 128], [128]),
  binary('Add', [64, 26, 26, 32], [32]),
  binary('Add', [64, 128], [128]),
  binary('Multiply', [64, 128], []),
  binary('RealDiv', [3, 3, 32, 64], []),
  binary('Sub', [], [1600, 128]),
  unary('Square', [64, 192]),
  unary('Square', [64, 17, 64]),
  unary('Sqrt', [1600, 128]),
  unary('Neg', [64, 17, 17]),
  unary('Relu', [64, 26, 26, 32]),
  unary('Relu', [64, 128]),
  {
    name: 'Softmax x[64,4,17,17]',
    kernel: 'Softmax',
    inputs: () => ({ logits: tf.randomNormal([64, 4, 17, 17]) }),
    attrs: { dim: 3 },
  },
  {
    name: 'SplitV x[1088,192] into 3 along 1',
    kernel: 'SplitV',
    inputs: () => ({ x: tf.randomNormal([1088, 192]) }),
    attrs: { numOrSizeSplits: 3, axis: 1 },
  },
  {
    name: 'Concat 3 x[1088,64] along 1',
    kernel: 'Concat',
    // Concat takes its inputs as an array.
    inputs: () => [0, 1, 2].map(() => tf.randomNormal([1088, 64])) as unknown as Record<string, tf.Tensor>,
    attrs: { axis: 1 },
  },
  withGrads('softmax + gradient x[64,4,17,17]', { x: [64, 4, 17, 17] }, (x) => tf.softmax(x)),
  withGrads('layer norm + gradients x[64,17,64]', { x: [64, 17, 64], g: [64], b: [64] }, (x, g, b) =>
    fusedKernelsActive() ? fusedLayerNorm(x, g, b, 1e-5) : layerNormOp(x, g, b, 1e-5),
  ),
  withGrads('GELU + gradient x[64,17,128]', { x: [64, 17, 128] }, (x) =>
    fusedKernelsActive() ? fusedGelu(x) : tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))),
  ),
];

interface Timing {
  /** Wall-clock ms per call. */
  wall: number;
  /** CPU ms per call, summed over the process's threads (less sensitive to other processes than wall time). */
  cpu: number;
}

/** Mean wall and CPU ms of one call over `reps` calls. */
function timeKernel(c: Case, inputs: Record<string, tf.Tensor>, reps: number): Timing {
  const { op } = c;
  const run = op
    ? () => tf.dispose(op(inputs))
    : () => tf.dispose(tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[]);
  run();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < reps; i++) run();
  const wall = (performance.now() - start) / reps;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 / reps };
}

/**
 * Before (C kernels off) and after (on), in alternating rounds; each figure is the fastest round's, which on a
 * shared machine is the least disturbed by other processes.
 */
function compare(c: Case, inputs: Record<string, tf.Tensor>, reps: number, rounds = 7): [Timing, Timing] {
  const best = (a: Timing, b: Timing): Timing => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) });
  let before = { wall: Infinity, cpu: Infinity };
  let after = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < rounds; r++) {
    setNativeKernelsEnabled(false);
    before = best(before, timeKernel(c, inputs, reps));
    setNativeKernelsEnabled(true);
    after = best(after, timeKernel(c, inputs, reps));
  }
  return [before, after];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const reps = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 10;
  const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : '';
  const info = await initBackend('wasm', { log: (line) => console.log(line) });
  if (!info.ownKernels?.length) throw new Error('bench-kernels: the project C kernels did not load');
  await nativeKernelsFor(tf.backend())!.poolReady();
  console.log('kernel case'.padEnd(64), 'wall ms: before    after  speed-up', ' | cpu ms: before    after');
  for (const c of CASES.filter((k) => k.name.includes(filter))) {
    const inputs = c.inputs();
    const [before, after] = compare(c, inputs, reps);
    const ms = (t: number) => t.toFixed(2).padStart(8);
    const speedUp = `${(before.wall / after.wall).toFixed(2)}x`.padStart(9);
    console.log(
      c.name.padEnd(64),
      ' '.repeat(6),
      ms(before.wall),
      ms(after.wall),
      speedUp,
      ' |',
      ' '.repeat(6),
      ms(before.cpu),
      ms(after.cpu),
    );
    tf.dispose(Object.values(inputs));
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
