// Every kernel we register for wasm against the cpu backend's kernel: forward values and gradients (tf.grads) on
// random inputs, over strides, paddings, dilations, odd/even sizes and batch sizes; each case twice, with the
// project's C kernels (native/kernels.c) and with the fallbacks that run when they are not loaded.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../init';
import { fusedGelu, fusedKernelsActive, fusedLayerNorm } from '../fused-ops';
import { nativeKernelsFor, nativeParallel, setNativeKernelsEnabled } from '../native/native-kernels';
import { convGradLimits } from './conv-backprop';
import { useNativeConv2D } from './conv2d';
import { ADDED_WASM_KERNELS, NATIVE_WASM_KERNELS, REPLACED_WASM_KERNELS } from './index';

type Pad = 'valid' | 'same' | tf.backend_util.ExplicitPadding;

/** Deterministic N(0,1)-ish values (sum of uniforms) so failures reproduce. */
function randomValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return Float32Array.from({ length: size }, () => next() + next() + next() - 1.5);
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);
}

/** Runs `build` on cpu then on wasm and expects equal outputs within float32 tolerance. */
async function expectSameOnBothBackends(build: () => tf.Tensor[], what: string): Promise<void> {
  const results: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    results.push(
      tf.tidy(build).map((t) => {
        const values = t.dataSync() as Float32Array;
        t.dispose();
        return values;
      }),
    );
  }
  const [expected, actual] = results;
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    expect(a.length).toBe(e.length);
    const scale = Math.max(1, ...Array.from(e, Math.abs));
    let worst = 0;
    for (let j = 0; j < e.length; j++) worst = Math.max(worst, Math.abs(a[j] - e[j]));
    if (worst > 2e-5 * scale * Math.sqrt(e.length + 10))
      throw new Error(`${what}, output ${i}: max |wasm - cpu| = ${worst} (scale ${scale})`);
  });
}

/** Gradients of sum(f(inputs) * r) for a fixed random r: a random upstream gradient. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): tf.Tensor[] {
  const y = tf.tidy(() => f(...inputs));
  const r = randomTensor(y.shape, seed);
  y.dispose();
  return [f(...inputs), ...tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs)];
}

const explicitPad: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];
const pads: Pad[] = ['valid', 'same', explicitPad];

beforeAll(async () => {
  // Two threads for the C kernels: the pool is tested too (on a machine with two or more cores).
  const info = await initBackend('wasm', { log: () => undefined, env: { RESEARCH_OWN_KERNELS: '2' } });
  // The C kernels must have loaded: otherwise both passes below would test the fallbacks.
  expect(info.ownKernels).toEqual([...NATIVE_WASM_KERNELS]);
  expect(info.ownKernelThreads).toBe(info.threads >= 2 ? 2 : 1);
  await nativeKernelsFor(tf.backend())!.poolReady();
});

describe('kernel registration', () => {
  it('registers every added and replaced kernel for wasm', () => {
    for (const [name, func] of Object.entries({ ...ADDED_WASM_KERNELS, ...REPLACED_WASM_KERNELS })) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc).toBe(func);
    }
  });
});

// The C kernels split even the smallest case over their thread pool (on a machine with 2 or more cores).
describe.each([
  ['own C kernels', true],
  ['fallbacks', false],
])('with %s', (_, native) => {
  const minWork = nativeParallel.minWork;
  beforeAll(() => {
    setNativeKernelsEnabled(native);
    nativeParallel.minWork = 0;
  });
  afterAll(() => {
    setNativeKernelsEnabled(true);
    nativeParallel.minWork = minWork;
  });

  describe('memory', () => {
    it('kernels free every intermediate: no wasm buffer outlives a tidy, outputs hold one reference', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number; refCount(dataId: object): number };
      expect(tf.getBackend()).toBe('wasm');
      const x = randomTensor([2, 8, 8, 3], 40);
      const w = randomTensor([3, 3, 3, 4], 41);
      const a = randomTensor([2, 5, 7], 42);
      const b = randomTensor([7, 3], 43);
      const before = backend.numDataIds();
      tf.tidy(() => {
        const y = tf.matMul(a, b);
        expect(backend.refCount(y.dataId)).toBe(1);
        const z = tf.matMul(a, b, false, false).add(1);
        gradsOf((p, q) => tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'), [x, w], 44);
        gradsOf(
          (p, q) => tf.depthwiseConv2d(p as tf.Tensor4D, q as tf.Tensor4D, 1, 'valid'),
          [x, tf.slice(w, [0, 0, 0, 0], [3, 3, 3, 1])],
          45,
        );
        gradsOf((p) => tf.maxPool(p as tf.Tensor4D, 2, 2, 'valid'), [x], 46);
        gradsOf((p) => tf.avgPool(p as tf.Tensor4D, 3, 2, 'same'), [x], 47);
        gradsOf(
          (p, q) => tf.matMul(p, q, true, false),
          [tf.reshape(a, [10, 7]), tf.reshape(tf.slice(a, [0, 0, 0], [2, 5, 3]), [10, 3])],
          48,
        );
        tf.einsum('bij,jk->bik', a, b);
        tf.unsortedSegmentSum(b, tf.tensor1d([0, 1, 1, 0, 2, 2, 1], 'int32'), 3);
        return z;
      }).dispose();
      expect(backend.numDataIds()).toBe(before);
    });
  });

  describe('training loop', () => {
    it('keeps tensors, bytes and wasm buffers flat over Adam steps of a model that runs every C kernel', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 8, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 5 }),
        ],
      });
      const x = randomTensor([6, 10, 10, 2], 50);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
      const optimizer = tf.train.adam(1e-3);
      const step = () => {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor) as tf.Scalar);
      };
      tf.tidy(step); // creates the optimizer's slots
      const before = { ...tf.memory(), dataIds: backend.numDataIds() };
      for (let i = 0; i < 10; i++) tf.tidy(step);
      const after = { ...tf.memory(), dataIds: backend.numDataIds() };
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
      expect(after.dataIds).toBe(before.dataIds);
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
    });
  });

  describe('Identity', () => {
    it('shares its input buffer; each tensor stays readable after the other is disposed, and the buffer is then freed', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number; refCount(dataId: object): number };
      const before = backend.numDataIds();
      const x = tf.tensor([1, 2, 3]);
      const y = tf.clone(x);
      expect(y.dataId).toBe(x.dataId);
      expect(backend.refCount(x.dataId)).toBe(2);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
      const z = tf.clone(y);
      y.dispose();
      expect(Array.from(z.dataSync())).toEqual([1, 2, 3]);
      z.dispose();
      expect(backend.numDataIds()).toBe(before);
    });
  });

  describe('Conv2D gradients (Conv2DBackpropFilter, Conv2DBackpropInput)', () => {
    const cases: Array<[number, number, number, number, number, number, Pad]> = [];
    for (const stride of [1, 2])
      for (const pad of pads)
        for (const [batch, size] of [
          [1, 7],
          [3, 8],
        ])
          cases.push([batch, size, 3, stride, 3, 4, pad]);
    cases.push([2, 9, 1, 1, 2, 5, 'same'], [2, 10, 4, 2, 3, 2, 'same'], [2, 28, 7, 7, 1, 6, 'valid']);
    // Many input channels, few output channels: the batch/channel-swapped filter gradient; a filter larger than dy at
    // stride 1: the col2im input gradient.
    cases.push([2, 6, 3, 2, 16, 8, 'valid'], [1, 3, 3, 1, 16, 8, 'same'], [2, 5, 1, 1, 20, 4, 'valid']);
    // More output pixels than one GEMM k-block (256), and 13 output channels (an 8-wide block and a 5-wide edge).
    cases.push([2, 20, 3, 1, 3, 13, 'same']);
    // Patchifying convolutions (stride = kernel: the forward pass runs the C im2col product), with padding and edges.
    cases.push([1, 7, 2, 2, 3, 9, 'same'], [2, 16, 4, 4, 5, 13, 'valid'], [1, 9, 3, 3, 2, 4, explicitPad]);

    it.each(cases)(
      'batch %i size %i kernel %i stride %i ci %i co %i pad %j',
      async (batch, size, k, stride, ci, co, pad) => {
        const x = randomValues(batch * size * (size + 1) * ci, 1);
        const w = randomValues(k * k * ci * co, 2);
        await expectSameOnBothBackends(
          () => {
            const inputs = [tf.tensor4d(x, [batch, size, size + 1, ci]), tf.tensor4d(w, [k, k, ci, co])];
            return gradsOf((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), inputs, 3);
          },
          `conv2d ${JSON.stringify({ batch, size, k, stride, pad })}`,
        );
      },
    );

    it('the forward pass takes the C product exactly for patchifying convolutions', () => {
      const info = (k: number, stride: number, dilation = 1) =>
        tf.backend_util.computeConv2DInfo([1, 28, 28, 1], [k, k, 1, 8], stride, dilation, 'valid');
      expect(useNativeConv2D(info(7, 7))).toBe(true);
      expect(useNativeConv2D(info(3, 1))).toBe(false);
      expect(useNativeConv2D(info(3, 2))).toBe(false);
      expect(useNativeConv2D(info(2, 1, 2))).toBe(false);
    });

    it.each([
      [1, 'same'],
      [2, 'valid'],
      [2, 'same'],
    ] as Array<[number, 'same' | 'valid']>)('conv2dTranspose stride %i pad %s', async (stride, pad) => {
      const dy = randomValues(2 * 5 * 6 * 4, 4);
      const w = randomValues(3 * 3 * 3 * 4, 5);
      const inH = pad === 'same' ? 5 * stride : (5 - 1) * stride + 3;
      const inW = pad === 'same' ? 6 * stride : (6 - 1) * stride + 3;
      await expectSameOnBothBackends(() => {
        const inputs = [tf.tensor4d(dy, [2, 5, 6, 4]), tf.tensor4d(w, [3, 3, 3, 4])];
        return gradsOf(
          (a, b) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, inH, inW, 3], stride, pad),
          inputs,
          6,
        );
      }, `conv2dTranspose stride ${stride} pad ${pad}`);
    });

    it('gradients built a few images (C kernels: 3 output pixels) at a time equal the one-pass result', async () => {
      const x = randomValues(5 * 9 * 9 * 3, 7);
      const w = randomValues(3 * 3 * 3 * 4, 8);
      const saved = { ...convGradLimits };
      convGradLimits.maxFloats = 2 * 4 * 4 * 27; // two images of 4x4 output rows x 27-float windows per slice
      convGradLimits.nativeBlockFloats = 3 * 27; // blocks of 4 output pixels (the minimum), 80 pixels in all
      try {
        await expectSameOnBothBackends(() => {
          const inputs = [tf.tensor4d(x, [5, 9, 9, 3]), tf.tensor4d(w, [3, 3, 3, 4])];
          return gradsOf((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid'), inputs, 9);
        }, 'conv2d stride 2 in slices of 2 images');
      } finally {
        Object.assign(convGradLimits, saved);
      }
    });
    it('wide windows (larger filter-gradient blocks) and large filters (the XNNPACK formulations) match cpu', async () => {
      const x = randomValues(2 * 6 * 6 * 12, 10);
      const w = randomValues(3 * 3 * 12 * 5, 11);
      const saved = { ...convGradLimits };
      try {
        for (const limits of [
          // window 108 counts as wide: blocks of 5 output pixels instead of 4 (4 blocks of the 18)
          { nativeBlockFloats: 108, nativeWideWindow: 100, nativeWideBlockFloats: 108 * 5 },
          { nativeMaxFilter: 3 * 3 * 12 * 5 }, // this filter is "large": C kernels not used for its gradients
        ]) {
          Object.assign(convGradLimits, saved, limits);
          await expectSameOnBothBackends(
            () => {
              const inputs = [tf.tensor4d(x, [2, 6, 6, 12]), tf.tensor4d(w, [3, 3, 12, 5])];
              return gradsOf((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), inputs, 12);
            },
            `conv2d with ${JSON.stringify(limits)}`,
          );
        }
      } finally {
        Object.assign(convGradLimits, saved);
      }
    });
  });

  describe('DepthwiseConv2dNative gradients', () => {
    const cases: Array<[number, number, number, number, number, Pad]> = [];
    for (const stride of [1, 2])
      for (const pad of pads)
        for (const [batch, size] of [
          [1, 7],
          [2, 8],
        ])
          cases.push([batch, size, stride, 3, 2, pad]);
    cases.push([2, 9, 1, 4, 1, 'same']);

    it.each(cases)(
      'batch %i size %i stride %i channels %i multiplier %i pad %j',
      async (batch, size, stride, c, m, pad) => {
        const x = randomValues(batch * size * size * c, 7);
        const w = randomValues(3 * 3 * c * m, 8);
        await expectSameOnBothBackends(
          () => {
            const inputs = [tf.tensor4d(x, [batch, size, size, c]), tf.tensor4d(w, [3, 3, c, m])];
            return gradsOf((a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), inputs, 9);
          },
          `depthwise ${JSON.stringify({ batch, size, stride, pad })}`,
        );
      },
    );

    // tf.grads refuses dilations > 1, but the kernels take them: call them directly. The cpu kernels ignore dilations,
    // so the reference is the undilated kernel on the zero-dilated filter (the same convolution): dx equal, and dW
    // equal to the dilated filter's gradient at the taps.
    const runDepthwiseGrads = (
      x: Float32Array,
      dy: Float32Array,
      w: Float32Array,
      filterShape: number[],
      dilation: number,
      pad: Pad,
    ) => {
      const shape: [number, number, number, number] = [2, 9, 8, 3];
      const info = tf.backend_util.computeConv2DInfo(
        shape,
        filterShape as [number, number, number, number],
        1,
        dilation,
        pad,
        undefined,
        true,
      );
      const attrs = { strides: [1, 1], dilations: [dilation, dilation], pad };
      const dyT = tf.tensor4d(dy, info.outShape);
      const dx = tf
        .engine()
        .runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyT, filter: tf.tensor(w, filterShape) }, {
          ...attrs,
          inputShape: shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor4d(x, shape), dy: dyT }, {
        ...attrs,
        filterShape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [dx.dataSync(), dw.dataSync()];
    };
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

    it.each([['valid'], ['same'], [explicitPad]] as Array<[Pad]>)(
      'dilation 2 equals the undilated kernels on the dilated filter, pad %j',
      (pad) => {
        const outShape = tf.backend_util.computeConv2DInfo(
          [2, 9, 8, 3],
          [3, 3, 3, 2],
          1,
          2,
          pad,
          undefined,
          true,
        ).outShape;
        const x = randomValues(2 * 9 * 8 * 3, 10);
        const dy = randomValues(tf.util.sizeFromShape(outShape), 11);
        const w = randomValues(3 * 3 * 3 * 2, 12);
        const tap = (i: number, j: number, k: number) => (2 * i * 5 + 2 * j) * 6 + k; // index in the [5,5,3,2] filter
        const wDilated = new Float32Array(5 * 5 * 3 * 2);
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) for (let k = 0; k < 6; k++) wDilated[tap(i, j, k)] = w[(i * 3 + j) * 6 + k];
        tf.tidy(() => {
          expect(tf.getBackend()).toBe('wasm');
          const [dx, dw] = runDepthwiseGrads(x, dy, w, [3, 3, 3, 2], 2, pad);
          const [dxRef, dwDilated] = runDepthwiseGrads(x, dy, wDilated, [5, 5, 3, 2], 1, pad);
          const dwRef = new Float32Array(dw.length);
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++)
              for (let k = 0; k < 6; k++) dwRef[(i * 3 + j) * 6 + k] = dwDilated[tap(i, j, k)];
          expect(maxDiff(dx, dxRef)).toBeLessThan(1e-4);
          expect(maxDiff(dw, dwRef)).toBeLessThan(1e-4);
          expect(Math.max(...Array.from(dxRef, Math.abs), ...Array.from(dwRef, Math.abs))).toBeGreaterThan(0.1);
        });
      },
    );
  });

  describe('pooling gradients (MaxPoolGrad, AvgPoolGrad)', () => {
    const cases: Array<[number, number, number, number, 'valid' | 'same', number]> = [];
    for (const [k, stride] of [
      [2, 2],
      [3, 1],
      [3, 2],
    ])
      for (const pad of ['valid', 'same'] as const)
        for (const [batch, size] of [
          [1, 7],
          [2, 8],
        ])
          cases.push([batch, size, k, stride, pad, 3]);
    // Channels in SIMD groups of four plus a remainder.
    cases.push([2, 8, 2, 2, 'valid', 6], [1, 7, 3, 2, 'same', 8]);

    it.each(cases)(
      'batch %i size %i window %i stride %i pad %s channels %i',
      async (batch, size, k, stride, pad, channels) => {
        const x = randomValues(batch * size * (size + 1) * channels, 13);
        await expectSameOnBothBackends(
          () => {
            const input = [tf.tensor4d(x, [batch, size, size + 1, channels])];
            return [
              ...gradsOf((a) => tf.maxPool(a as tf.Tensor4D, k, stride, pad), input, 14),
              ...gradsOf((a) => tf.avgPool(a as tf.Tensor4D, k, stride, pad), input, 15).slice(1),
            ];
          },
          `pool ${JSON.stringify({ batch, size, k, stride, pad })}`,
        );
      },
    );

    it('MaxPoolGrad sends a tied window gradient to its first maximum only', async () => {
      await expectSameOnBothBackends(() => {
        const x = tf.relu(randomTensor([2, 6, 6, 4], 16)); // many zero ties
        return tf.grads((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), randomTensor([2, 3, 3, 4], 17))),
        )([x]);
      }, 'maxPool ties');
    });
  });

  describe('BatchMatMul', () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [];
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        cases.push([tA ? [7, 5] : [5, 7], tB ? [3, 7] : [7, 3], tA, tB]); // single matrices
        cases.push([tA ? [2, 4, 7, 5] : [2, 4, 5, 7], tB ? [3, 7] : [7, 3], tA, tB]); // batched a, shared b
        cases.push([tA ? [3, 7, 5] : [3, 5, 7], tB ? [3, 4, 7] : [3, 7, 4], tA, tB]); // batched both
        // Batched both with 9 x 13 results (GEMM row and column edges) and k = 300 (two k-blocks).
        cases.push([tA ? [2, 300, 9] : [2, 9, 300], tB ? [2, 13, 300] : [2, 300, 13], tA, tB]);
      }
    // A single left matrix against a batch (broadcast), also with the batch dimensions of different ranks.
    cases.push(
      [[1, 5, 7], [3, 7, 4], false, false],
      [[5, 7], [2, 3, 4, 7], false, true],
      [[7, 5], [3, 7, 4], true, false],
    );
    it.each(cases)('a %j b %j transposeA %s transposeB %s, with gradients', async (aShape, bShape, tA, tB) => {
      const a = randomValues(tf.util.sizeFromShape(aShape), 31);
      const b = randomValues(tf.util.sizeFromShape(bShape), 32);
      // tfjs's matMul gradient cannot reduce a broadcast operand, so broadcasts are compared on values only.
      const sharedB = bShape.length !== aShape.length || aShape[0] !== bShape[0];
      await expectSameOnBothBackends(() => {
        const inputs = [tf.tensor(a, aShape), tf.tensor(b, bShape)];
        return sharedB
          ? [tf.matMul(inputs[0], inputs[1], tA, tB)]
          : gradsOf((x, y) => tf.matMul(x, y, tA, tB), inputs, 33);
      }, `matMul ${aShape} ${bShape} ${tA} ${tB}`);
    });
  });

  describe('Sum, Mean', () => {
    // Leading axes (the C column sum; 33 columns: two 16-wide blocks and a remainder; 200 rows: several 64-row
    // blocks) and other axes (the wasm backend's Sum).
    const cases: Array<[number[], number[], boolean]> = [
      [[2, 5, 7, 6], [0, 1, 2], false],
      [[200, 33], [0], false],
      [[4, 3, 5], [1, 0], true],
      [[4, 3, 5], [-3], false],
      [[4, 3, 5], [1, 2], false],
      [[4, 3, 5], [0, 2], true],
      [[4, 3, 5], [0, 1, 2], false],
    ];
    it.each(cases)('x %j axis %j keepDims %s, with gradients', async (shape, axis, keepDims) => {
      const x = randomValues(tf.util.sizeFromShape(shape), 34);
      await expectSameOnBothBackends(
        () => gradsOf((t) => tf.sum(t, axis, keepDims), [tf.tensor(x, shape)], 35),
        `sum ${shape} ${axis}`,
      );
      await expectSameOnBothBackends(
        () => gradsOf((t) => tf.mean(t, axis, keepDims), [tf.tensor(x, shape)], 36),
        `mean ${shape} ${axis}`,
      );
    });

    it('batch-norm moments of an NHWC tensor (mean over batch and space) with gradients', async () => {
      const x = randomValues(3 * 4 * 5 * 6, 37).map((v, i) => v + (i % 6));
      await expectSameOnBothBackends(() => {
        const { mean, variance } = tf.moments(tf.tensor(x, [3, 4, 5, 6]), [0, 1, 2]);
        return [
          mean,
          variance,
          ...tf.grads((t) => tf.sum(tf.moments(t, [0, 1, 2]).variance))([tf.tensor(x, [3, 4, 5, 6])]),
        ];
      }, 'moments');
    });
  });

  describe('Add, Sub, Multiply, RealDiv', () => {
    // Broadcasts of every kind (trailing, leading, middle, both sides, scalars, rank 5, 1,100 elements per row for the
    // SIMD tail), and equal shapes (the wasm backend's kernels).
    const shapes: Array<[number[], number[]]> = [
      [[2, 3, 5], [5]],
      [
        [2, 3, 5],
        [2, 3, 1],
      ],
      [
        [2, 1, 5],
        [1, 3, 1],
      ],
      [[], [4, 5]],
      [
        [4, 1],
        [1, 5],
      ],
      [
        [2, 1, 3, 1, 5],
        [3, 4, 1],
      ],
      [[3, 1100], [1100]],
      [
        [2, 3],
        [2, 3],
      ],
      [[7], []],
    ];
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['add', tf.add],
      ['sub', tf.sub],
      ['mul', tf.mul],
      ['div', tf.div],
    ];
    it.each(shapes)('a %j b %j, each op with gradients', async (aShape, bShape) => {
      const a = randomValues(tf.util.sizeFromShape(aShape), 36);
      const b = randomValues(tf.util.sizeFromShape(bShape), 37).map((v) => v + Math.sign(v) * 0.5); // no division by ~0
      for (const [name, op] of ops) {
        await expectSameOnBothBackends(
          () => gradsOf(op, [tf.tensor(a, aShape), tf.tensor(b, bShape)], 38),
          `${name} ${aShape} ${bShape}`,
        );
      }
    });

    it('int32 operands keep their dtype and values', async () => {
      await expectSameOnBothBackends(
        () => [
          tf.cast(
            tf.mul(
              tf.tensor2d(
                [
                  [1, 2],
                  [3, 4],
                ],
                [2, 2],
                'int32',
              ),
              tf.tensor1d([5, -6], 'int32'),
            ),
            'float32',
          ),
        ],
        'int32 mul',
      );
      expect(tf.add(tf.tensor1d([1], 'int32'), tf.tensor2d([[2], [3]], [2, 1], 'int32')).dtype).toBe('int32');
    });
  });

  describe('Square, Sqrt, Neg, Relu', () => {
    const ops: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
      ['square', tf.square],
      ['sqrt', tf.sqrt],
      ['neg', tf.neg],
      ['relu', tf.relu],
    ];
    // 1,103 elements: SIMD groups, a scalar tail, and two parts of the pool when the C kernels split every call.
    it.each([[[5]], [[3, 7]], [[1103]], [[2, 3, 4]]])('shape %j, each op with gradients', async (shape) => {
      const x = randomValues(tf.util.sizeFromShape(shape), 39);
      for (const [name, op] of ops) {
        const values = name === 'sqrt' ? x.map((v) => Math.abs(v) + 0.1) : x;
        await expectSameOnBothBackends(() => gradsOf(op, [tf.tensor(values, shape)], 40), `${name} ${shape}`);
      }
    });

    it('relu keeps NaN and maps negatives to 0, as the cpu backend does', () => {
      const y = tf.relu(tf.tensor1d([NaN, -2, 3, -1e-30]));
      expect(Array.from(y.dataSync())).toEqual([NaN, 0, 3, 0]);
    });
  });

  describe('Softmax, LayerNorm, GELU (fused transformer kernels)', () => {
    // The composed tfjs formulas: what runs on cpu and in the fallbacks, differentiated by tfjs's autodiff.
    const layerNormReference = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const axis = x.rank - 1;
      const centred = tf.sub(x, tf.mean(x, axis, true));
      const variance = tf.mean(tf.square(centred), axis, true);
      return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, 1e-5))), g), b);
    };
    const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      fusedKernelsActive() ? fusedLayerNorm(x, g, b, 1e-5) : layerNormReference(x, g, b);
    const gelu = (x: tf.Tensor) =>
      fusedKernelsActive() ? fusedGelu(x) : tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))));

    it('the fused kernels run exactly when the C kernels are on', async () => {
      const x = randomTensor([2, 3, 8], 60);
      const g = randomTensor([8], 61);
      const info = await tf.profile(() =>
        tf.tidy(() => gradsOf((p, q, r) => gelu(tf.softmax(layerNorm(p, q, r))), [x, g, tf.zerosLike(g)], 62)),
      );
      const names = new Set(info.kernels.map((k) => k.name));
      for (const name of ['ResearchLayerNorm', 'ResearchLayerNormGrad', 'ResearchGelu', 'ResearchGeluGrad'])
        expect(names.has(name)).toBe(native);
      expect(names.has('ResearchSoftmaxGrad')).toBe(native);
      tf.dispose([x, g]);
    });

    // The attention scores of vit-tiny ([B, heads, 17, 17]), a row shorter than one SIMD group, a scalar tail.
    it.each([[[2, 4, 17, 17]], [[3, 2]], [[5, 7]], [[4, 33]]])('softmax %j with gradients', async (shape) => {
      const x = randomValues(tf.util.sizeFromShape(shape), 63).map((v) => 8 * v);
      await expectSameOnBothBackends(
        () => gradsOf((p) => tf.softmax(p), [tf.tensor(x, shape)], 64),
        `softmax ${shape}`,
      );
    });

    it('softmax of large logits stays finite, as on cpu', async () => {
      await expectSameOnBothBackends(() => [tf.softmax(tf.tensor2d([[1000, 999, -1000, 0, 80, -80]]))], 'softmax');
    });

    // vit-tiny's [B, 17, 64] tokens and shapes with a scalar tail and a short row.
    it.each([[[2, 17, 64]], [[3, 5, 7]], [[6, 3]]])(
      'layer norm %j: values and x, gamma, beta gradients',
      async (shape) => {
        const dim = shape[shape.length - 1];
        const x = randomValues(tf.util.sizeFromShape(shape), 65).map((v, i) => 3 * v + (i % 5));
        const g = randomValues(dim, 66);
        const b = randomValues(dim, 67);
        await expectSameOnBothBackends(
          () => gradsOf(layerNorm, [tf.tensor(x, shape), tf.tensor1d(g), tf.tensor1d(b)], 68),
          `layer norm ${shape}`,
        );
      },
    );

    // vit-tiny's MLP activations and a length with a scalar tail; values from -10 to 10.
    it.each([[[2, 17, 128]], [[1103]]])('GELU %j with gradients', async (shape) => {
      const x = randomValues(tf.util.sizeFromShape(shape), 69).map((v) => 6.7 * v);
      await expectSameOnBothBackends(() => gradsOf(gelu, [tf.tensor(x, shape)], 70), `gelu ${shape}`);
    });
  });

  describe('SplitV, Concat', () => {
    // The attention's q/k/v split ([B*N, 3D] along the last axis), uneven sizes along a middle and the first axis.
    it.each([
      [[34, 12], 3, 1],
      [[4, 6, 5], [2, -1, 3], 1],
      [[5, 3, 2], [1, 4], 0],
      [[2, 3, 7], [3, 0, 4], 2],
    ] as Array<[number[], number | number[], number]>)(
      'split %j into %j along %i, with gradients',
      async (shape, splits, axis) => {
        const x = randomValues(tf.util.sizeFromShape(shape), 71);
        await expectSameOnBothBackends(
          () =>
            gradsOf(
              (t) =>
                tf.concat(
                  tf.split(t, splits, axis).map((p, i) => tf.mul(p, i + 1)),
                  axis,
                ),
              [tf.tensor(x, shape)],
              72,
            ),
          `split ${shape}`,
        );
      },
    );

    it.each([0, 1, 2, -1])('concat of three tensors along axis %i, with gradients', async (axis) => {
      const shapes = [0, 1, 2].map((i) => [2, 3, 4].map((d, a) => (a === (axis + 3) % 3 ? d + i : d)));
      const values = shapes.map((shape, i) => randomValues(tf.util.sizeFromShape(shape), 73 + i));
      await expectSameOnBothBackends(
        () =>
          gradsOf(
            (...ts) => tf.concat(ts, axis),
            shapes.map((shape, i) => tf.tensor(values[i], shape)),
            76,
          ),
        `concat axis ${axis}`,
      );
    });

    it('int32 and empty pieces keep the cpu results', async () => {
      await expectSameOnBothBackends(
        () => [
          tf.cast(
            tf.concat([tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.tensor2d([[3, 4]], [1, 2], 'int32')], 0),
            'float32',
          ),
          tf.concat([tf.zeros([2, 0]), tf.ones([2, 3])], 1),
          ...tf.split(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [0, 3], 1),
        ],
        'int32 and empty',
      );
    });
  });

  describe('UnsortedSegmentSum and Einsum', () => {
    it('unsortedSegmentSum matches cpu, dropping out-of-range ids', async () => {
      const x = randomValues(7 * 5, 18);
      await expectSameOnBothBackends(
        () => [tf.unsortedSegmentSum(tf.tensor2d(x, [7, 5]), tf.tensor1d([0, 2, 2, 3, 0, -1, 3], 'int32'), 4)],
        'segment sum',
      );
    });

    it('gather gradients (UnsortedSegmentSum) match cpu', async () => {
      const table = randomValues(6 * 4, 19);
      await expectSameOnBothBackends(() => {
        const indices = tf.tensor1d([5, 0, 5, 2, 2, 2], 'int32');
        return gradsOf((t) => tf.gather(t, indices), [tf.tensor2d(table, [6, 4])], 20);
      }, 'gather gradient');
    });

    // tfjs defines no Einsum gradient, so only values are compared.
    it.each(['ij,jk->ik', 'bij,bjk->bik', 'ij->ji', 'ij,ij->i', 'i,j->ij', 'bhqd,bhkd->bhqk'])(
      'einsum %s',
      async (equation) => {
        const terms = equation.split('->')[0].split(',');
        const sizes: Record<string, number> = { i: 3, j: 4, k: 5, b: 2, h: 2, q: 3, d: 4 };
        const values = terms.map((term, n) =>
          randomValues(
            term.split('').reduce((p, ch) => p * sizes[ch], 1),
            21 + n,
          ),
        );
        await expectSameOnBothBackends(() => {
          const inputs = terms.map((term, n) =>
            tf.tensor(
              values[n],
              term.split('').map((ch) => sizes[ch]),
            ),
          );
          return [tf.einsum(equation, ...inputs)];
        }, `einsum ${equation}`);
      },
    );
  });
});
