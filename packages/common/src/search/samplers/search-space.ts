// Optuna's _SearchSpaceTransform for one parameter: the interval a sampler draws from (log scale, half a step
// beyond the ends for discrete values) and the way back to a valid value.
import type { Distribution, FloatDistribution, IntDistribution } from '../distributions';
import { roundHalfEven } from '../numpy-random';

const scratch = new DataView(new ArrayBuffer(8));
/** The largest double below x (numpy.nextafter(x, x - 1) for finite positive spacing). */
export function nextBelow(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  scratch.setFloat64(0, x);
  const bits = scratch.getBigUint64(0);
  scratch.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return scratch.getFloat64(0);
}

export function numericBounds(d: FloatDistribution | IntDistribution): [number, number] {
  if (d.kind === 'float') {
    if (d.log) return [Math.log(d.low), Math.log(d.high)];
    if (d.step !== null) return [d.low - 0.5 * d.step, d.high + 0.5 * d.step];
    return [d.low, d.high];
  }
  if (d.log) return [Math.log(d.low - 0.5), Math.log(d.high + 0.5)];
  return [d.low - 0.5 * d.step, d.high + 0.5 * d.step];
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** From the transformed value back to the distribution (internal representation for numbers). */
export function untransformNumeric(x: number, d: FloatDistribution | IntDistribution): number {
  if (d.kind === 'float') {
    if (d.log) {
      const v = Math.exp(x);
      return d.low === d.high ? v : Math.min(v, nextBelow(d.high));
    }
    if (d.step !== null) return clip(roundHalfEven((x - d.low) / d.step) * d.step + d.low, d.low, d.high);
    return d.low === d.high ? x : Math.min(x, nextBelow(d.high));
  }
  if (d.log) return clip(roundHalfEven(Math.exp(x)), d.low, d.high);
  return clip(roundHalfEven((x - d.low) / d.step) * d.step + d.low, d.low, d.high);
}

export function transformNumeric(value: number, d: FloatDistribution | IntDistribution): number {
  return d.log ? Math.log(value) : value;
}

export function isNumeric(d: Distribution): d is FloatDistribution | IntDistribution {
  return d.kind !== 'categorical';
}
