// Rounding float32 values to float16 or bfloat16 and back, so that a backend without half arithmetic (wasm, cpu)
// sees the values, overflows and underflows a half-precision GPU run would see.
import * as tf from '@tensorflow/tfjs';

export type HalfDtype = 'float16' | 'bfloat16';

export const HALF_DTYPES: readonly HalfDtype[] = ['float16', 'bfloat16'];

/** The largest finite float16. */
export const FLOAT16_MAX = 65504;

const word = new Float32Array(1);
const bits = new Uint32Array(word.buffer);

/**
 * The float16 nearest to `x` (a float32 value), ties to even, as a number: numpy's float16 conversion.
 * Magnitudes from 65520 up become infinity; below 2^-14 the spacing is the subnormal 2^-24; NaN and signs are kept.
 */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let ulp = 2 ** -24;
  if (a >= 2 ** -14) {
    word[0] = a;
    ulp = 2 ** ((bits[0] >>> 23) - 127 - 10); // 11 significant bits
  }
  const q = a / ulp; // exact: a division by a power of two
  const floor = Math.floor(q);
  const frac = q - floor;
  const n = frac > 0.5 || (frac === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  const out = n * ulp > FLOAT16_MAX ? Infinity : n * ulp;
  return x < 0 ? -out : out;
}

/** The bfloat16 nearest to `x` (a float32 value), ties to even: the top 16 bits of the float32 after rounding (torch's). */
export function roundToBfloat16(x: number): number {
  if (Number.isNaN(x)) return x;
  word[0] = x;
  const b = bits[0];
  bits[0] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 0) & 0xffff0000;
  return word[0];
}

/** Rounds float32 values to float16 in place, on their bit patterns (the fast path of roundHalfArray). */
function roundFloat16InPlace(floats: Float32Array): void {
  const u = new Uint32Array(floats.buffer, floats.byteOffset, floats.length);
  for (let i = 0; i < u.length; i++) {
    const b = u[i];
    const abs = b & 0x7fffffff;
    if (abs >= 0x7f800000 || abs === 0) continue; // inf, NaN and zeros stay
    if (abs >= 0x477ff000)
      u[i] = ((b & 0x80000000) | 0x7f800000) >>> 0; // |x| >= 65520: infinity
    else if (abs >= 0x38800000)
      u[i] = (b + 0xfff + ((b >>> 13) & 1)) & 0xffffe000; // 10 mantissa bits, ties to even
    else floats[i] = roundToFloat16(floats[i]); // float16 subnormals
  }
}

/** Rounds float32 values to bfloat16 in place: 7 mantissa bits, ties to even (NaN stays NaN). */
function roundBfloat16InPlace(floats: Float32Array): void {
  const u = new Uint32Array(floats.buffer, floats.byteOffset, floats.length);
  for (let i = 0; i < u.length; i++) {
    const b = u[i];
    if ((b & 0x7fffffff) > 0x7f800000) continue;
    u[i] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 0) & 0xffff0000;
  }
}

/** A rounded copy of float32 values. */
export function roundHalfArray(values: ArrayLike<number>, dtype: HalfDtype): Float32Array {
  const out = Float32Array.from(values);
  if (dtype === 'float16') roundFloat16InPlace(out);
  else roundBfloat16InPlace(out);
  return out;
}

/** `x` rounded to the half format (a new float32 tensor); non-float tensors are returned as clones. */
export function roundHalfTensor(x: tf.Tensor, dtype: HalfDtype): tf.Tensor {
  if (x.dtype !== 'float32') return x.clone();
  return tf.tensor(roundHalfArray(x.dataSync(), dtype), x.shape, 'float32');
}

/**
 * A cast to half precision inside a differentiable computation: the forward value is rounded, and so is the gradient
 * flowing back through it (the backward pass of a half-precision op produces half-precision gradients).
 */
export function castToHalf(x: tf.Tensor, dtype: HalfDtype): tf.Tensor {
  if (x.dtype !== 'float32') return x;
  const op = tf.customGrad((...args: unknown[]) => ({
    value: roundHalfTensor(args[0] as tf.Tensor, dtype),
    gradFunc: (dy: tf.Tensor) => roundHalfTensor(dy, dtype),
  }));
  return op(x);
}
