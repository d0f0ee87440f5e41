import * as tf from '@tensorflow/tfjs';
import golden from '../golden/precision_half.json';
import type { EpochRecord } from '../checkpoint';
import type { TrainModule } from '../module';
import { moduleParameters } from '../module';
import { SGD } from '../optim';
import { standardGradients } from '../strategy';
import { GradScaler } from './grad-scaler';
import { castToHalf, roundHalfArray, roundToBfloat16, roundToFloat16 } from './half-round';
import { MixedPrecision } from './mixed-precision';

const decode = (v: number | string): number =>
  v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : (v as number);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('half rounding', () => {
  const x = golden.x.map(decode);
  it.each([
    ['float16', roundToFloat16, golden.float16],
    ['bfloat16', roundToBfloat16, golden.bfloat16],
  ] as const)(
    '%s equals the reference bit for bit (ties to even, overflow, subnormals, signed zero)',
    (dtype, round, want) => {
      const got = x.map((v) => round(Math.fround(v)));
      const mismatches = got
        .map((g, i) => (Object.is(g, decode(want[i])) ? null : `${x[i]} -> ${g}, want ${want[i]}`))
        .filter(Boolean);
      expect(mismatches).toEqual([]);
      const viaArray = Array.from(roundHalfArray(Float32Array.from(x), dtype));
      expect(
        viaArray
          .map((g, i) => (Object.is(g, decode(want[i])) ? null : `${x[i]} -> ${g} (array), want ${want[i]}`))
          .filter(Boolean),
      ).toEqual([]);
    },
  );

  it('rounds tensors and the gradient flowing back through a cast', () => {
    const input = tf.tensor1d([1 + 2 ** -12, 70000, 3 * 2 ** -25]);
    const [value, grad] = tf.tidy(() => {
      const f = (t: tf.Tensor) =>
        castToHalf(t, 'float16')
          .mul(tf.tensor1d([1, 0, 1]))
          .sum();
      const g = tf.grad(f)(input.mul(tf.tensor1d([1, 1, 1])));
      return [castToHalf(input, 'float16').arraySync() as number[], g.arraySync() as number[]];
    });
    expect(value).toEqual([1, Infinity, 2 ** -23]);
    expect(grad).toEqual([1, 0, 1]);
    expect(Array.from(roundHalfArray([1 + 2 ** -8, 65520], 'bfloat16'))).toEqual([1, 65536]);
    input.dispose();
  });
});

describe('GradScaler (torch.cuda.amp.GradScaler)', () => {
  it("has torch's defaults", () => {
    const s = new GradScaler();
    expect([s.scale, s.growthFactor, s.backoffFactor, s.growthInterval]).toEqual([65536, 2, 0.5, 2000]);
  });

  it('follows the hand-computed trajectory of a sequence of clean and inf steps', () => {
    const s = new GradScaler({ initScale: 8, growthInterval: 3 });
    const infs = [false, false, false, true, false, true, true, false, false, false];
    for (const inf of infs) s.update(inf);
    expect(s.history).toEqual([8, 8, 16, 8, 8, 4, 2, 2, 2, 4]);
    expect(s.skippedSteps).toBe(3);
    expect(s.growthTracker).toBe(0);
    const copy = new GradScaler();
    copy.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect(copy.stateDict()).toEqual({ scale: 4, growthTracker: 0, skippedSteps: 3 });
  });

  it('unscales by the float32 reciprocal and finds inf and NaN', () => {
    const s = new GradScaler({ initScale: 4 });
    const clean = { a: tf.tensor1d([4, -8]), b: tf.tensor2d([[2]]) };
    const out = s.unscale(clean);
    expect(out.foundInf).toBe(false);
    expect(out.grads.a.arraySync()).toEqual([1, -2]);
    for (const bad of [Infinity, NaN]) {
      const g = { a: tf.tensor1d([1, bad]) };
      const r = s.unscale(g);
      expect(r.foundInf).toBe(true);
      tf.dispose([g, r.grads]);
    }
    tf.dispose([clean, out.grads]);
  });

  it('refuses bad settings', () => {
    expect(() => new GradScaler({ backoffFactor: 1 })).toThrow(/backoffFactor must be in \(0, 1\), got 1/);
    expect(() => new GradScaler({ growthInterval: 0 })).toThrow(/growthInterval/);
    expect(() => new MixedPrecision({ dtype: 'float8' as 'float16' })).toThrow(
      /amp_dtype must be one of float16, bfloat16, got 'float8'/,
    );
  });
});

/** y = w x with x = 1, target 10, loss (y - 10)^2: dL/dy = -20 while w is near 0. */
function overflowModule(): TrainModule {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, useBias: false, inputShape: [1], kernelInitializer: 'zeros' })],
  });
  return {
    models: { model },
    trainingStep: (batch) => ({
      loss: tf.losses.meanSquaredError(batch.y, model.apply(batch.x) as tf.Tensor) as tf.Scalar,
    }),
  };
}

describe('MixedPrecision', () => {
  it('computes the forward pass with half-rounded weights and activations, and keeps float32 master weights', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, useBias: false, inputShape: [1], kernelInitializer: 'ones' })],
    });
    model.layers[0].setWeights([tf.tensor2d([[1 + 2 ** -12]])]);
    const module: TrainModule = { models: { model }, trainingStep: () => ({ loss: tf.scalar(0) }) };
    const params = moduleParameters(module);
    const amp = new MixedPrecision({ dtype: 'float16' });
    const x = tf.tensor2d([[1 + 2 ** -13]]);
    const inside = amp.forwardContext(module, params, () => tf.tidy(() => (model.apply(x) as tf.Tensor).dataSync()[0]));
    expect(inside).toBe(1); // both factors round to 1 in float16
    expect(tf.tidy(() => (model.apply(x) as tf.Tensor).dataSync()[0])).toBe(
      Math.fround(Math.fround(1 + 2 ** -12) * Math.fround(1 + 2 ** -13)),
    );
    expect((model.getWeights()[0].dataSync() as Float32Array)[0]).toBe(Math.fround(1 + 2 ** -12));
    expect(Object.getOwnPropertyNames(model.layers[0])).not.toContain('call');
    x.dispose();
  });

  it('a run whose scaled gradient overflows at 65536 backs off, skips those steps, then trains', () => {
    const module = overflowModule();
    const params = moduleParameters(module);
    const amp = new MixedPrecision({ dtype: 'float16' });
    const optimizer = new SGD({ lr: 0.01 });
    const batch = { x: tf.tensor2d([[1]]), y: tf.tensor2d([[10]]) };
    const weight = () => params.trainable[0].variable.dataSync()[0];
    const weights: number[] = [];
    const losses: number[] = [];
    const before = tf.memory().numTensors;
    for (let step = 0; step < 8; step++) {
      const out = standardGradients(
        module,
        params,
        batch,
        { epoch: 0, batchIndex: step, globalStep: step, stage: 'train' },
        amp,
      );
      losses.push(out.loss);
      const { grads, skip } = amp.beforeOptimizerStep(out.grads);
      if (!skip) optimizer.step(params.trainable, grads);
      tf.dispose(grads);
      weights.push(weight());
    }
    expect(tf.memory().numTensors).toBe(before);
    // -20 x scale is >= 65520 (float16 infinity) for 65536 ... 4096; at 2048 it is -40960, finite.
    const scaler = amp.scaler as GradScaler;
    expect(scaler.history).toEqual([32768, 16384, 8192, 4096, 2048, 2048, 2048, 2048]);
    expect(scaler.skippedSteps).toBe(5);
    expect(weights.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(weights[5]).toBeCloseTo(0.2, 6); // w - lr * (-20)
    expect(losses[6]).toBeLessThan(losses[0]);
    expect(losses[7]).toBeLessThan(losses[6]);
    const record = { epoch: 0, global_step: 8, lr: 0.01 } as EpochRecord;
    const callback = amp.callback();
    void callback.onEpochEnd?.(undefined as never, module, record);
    expect(record).toMatchObject({ amp_scale: 2048, amp_skipped_steps: 5 });
    const restored = new MixedPrecision({ dtype: 'float16' });
    restored.callback().loadStateDict?.(JSON.parse(JSON.stringify(callback.stateDict?.())));
    expect(restored.scaler?.stateDict()).toEqual({ scale: 2048, growthTracker: 3, skippedSteps: 5 });
    tf.dispose(batch);
    optimizer.dispose();
  });

  it('bfloat16 has no loss scale and the range of float32', () => {
    const amp = new MixedPrecision({ dtype: 'bfloat16' });
    expect(amp.scaler).toBeUndefined();
    expect(amp.describe('wasm')).toMatch(
      /bfloat16-mixed \(no loss scaling\), emulated on the wasm backend .* not faster/,
    );
    const g = { a: tf.tensor1d([1e20]) };
    const { grads, skip } = amp.beforeOptimizerStep(g);
    expect(skip).toBe(false);
    expect(grads.a.dataSync()[0]).toBe(Math.fround(1e20));
    expect(roundToFloat16(1e20)).toBe(Infinity);
    expect(Number.isFinite(roundToBfloat16(1e20))).toBe(true);
    tf.dispose(grads);
  });
});
