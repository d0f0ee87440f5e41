// Linear scales with "nice" domains and ticks (steps of 1, 2 or 5 times a power of ten), as d3 and matplotlib pick them.

/** A step of 1, 2 or 5 × 10^k close to span / count. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/** k × step without the drift of repeated addition (0.1 * 3 = 0.30000000000000004; 3 / 10 = 0.3), and never -0. */
function multiple(k: number, step: number): number {
  return (step >= 1 ? k * step : k / Math.round(1 / step)) + 0;
}

/**
 * A domain that contains [min, max] with both ends on ticks: widening can change the step (d3's nice() iterates
 * for the same reason), so repeat until it is stable. A zero-width range is widened, a non-finite one is [0, 1].
 */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  let lo = min;
  let hi = max;
  let previous = NaN;
  for (let i = 0; i < 10; i++) {
    const step = niceStep(hi - lo, count);
    if (step === previous) break;
    previous = step;
    lo = multiple(Math.floor(min / step + 1e-9), step);
    hi = multiple(Math.ceil(max / step - 1e-9), step);
  }
  return [lo, hi];
}

/** Ticks inside [min, max]: all multiples of a nice step. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k <= Math.floor(max / step + 1e-9); k++) ticks.push(multiple(k, step));
  return ticks;
}

/** Tick labels with as many decimals as the step needs; exponent form for very large or small magnitudes. */
export function formatTicks(ticks: number[]): string[] {
  if (ticks.length === 0) return [];
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0]) || 1;
  const magnitude = Math.max(...ticks.map(Math.abs));
  if ((magnitude >= 1e6 && step >= 1e3) || step < 1e-5) {
    const digits = Math.max(0, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step)));
    return ticks.map((t) => (t === 0 ? '0' : t.toExponential(Math.min(digits, 6)).replace('e+', 'e')));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return ticks.map((t) => (Object.is(t, -0) ? 0 : t).toFixed(decimals).replace(/^-(0\.?0*)$/, '$1'));
}

export interface LinearScale {
  domain: [number, number];
  range: [number, number];
  (value: number): number;
}

/** Maps domain linearly onto range (range may be reversed, e.g. SVG y grows downwards). */
export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = ((value: number) => r0 + (value - d0) * k) as LinearScale;
  scale.domain = domain;
  scale.range = range;
  return scale;
}

/** Min and max of the finite values (NaN and ±Infinity skipped); [NaN, NaN] when there is none. */
export function finiteExtent(values: Iterable<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [NaN, NaN];
}
