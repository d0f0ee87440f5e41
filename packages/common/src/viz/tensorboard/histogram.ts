// Histograms as torch.utils.tensorboard builds them (make_histogram): numpy.histogram over the given bucket edges,
// then trimmed to the buckets that hold values, with one empty bucket kept on the left so that TensorBoard (which
// stores only right limits) still sees where the first non-empty bucket starts.
import type { HistogramMessage } from './protos';

/** 'tensorflow': TensorBoard's default exponential edges (±1e-12·1.1^k up to 1e20, and 0); a number: that many equal-width buckets between min and max. */
export type HistogramBins = 'tensorflow' | number;

let defaultEdges: Float64Array | undefined;

/** TensorBoard's default bucket edges, as torch's SummaryWriter computes them (v = 1e-12; while v < 1e20: v *= 1.1). */
export function tensorflowBucketEdges(): Float64Array {
  if (!defaultEdges) {
    const positive: number[] = [];
    for (let v = 1e-12; v < 1e20; v *= 1.1) positive.push(v);
    const edges = [...positive.map((v) => -v).reverse(), 0, ...positive];
    defaultEdges = Float64Array.from(edges);
  }
  return defaultEdges;
}

/** numpy.histogram(values, bins=n): n equal-width edges over [min, max] (±0.5 when min == max), as numpy.linspace spaces them. */
export function linearBucketEdges(min: number, max: number, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`histogram bins must be a positive integer or 'tensorflow', got ${n}`);
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / n;
  const edges = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) edges[i] = i * step + lo;
  edges[n] = hi;
  return edges;
}

/** Number of edges e with e < v (strict = true) or e <= v (strict = false); edges ascending. */
function countBelow(edges: Float64Array, v: number, strict: boolean): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? edges[mid] < v : edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.histogram counts: bucket i is [edges[i], edges[i+1]), the last one closed; values outside are not counted. */
export function histogramCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length - 1);
  const last = edges[edges.length - 1];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < edges[0] || v > last) continue;
    const bucket = v === last ? counts.length - 1 : countBelow(edges, v, false) - 1;
    counts[bucket]++;
  }
  return counts;
}

/** The HistogramProto fields for `values` (finite numbers, at least one). `what` names the caller in errors. */
export function buildHistogram(
  values: ArrayLike<number>,
  bins: HistogramBins = 'tensorflow',
  what = 'histogram',
): HistogramMessage {
  if (values.length === 0) throw new Error(`${what}: values are empty (a histogram needs at least one value)`);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`${what}: value ${v} at index ${i} is not finite`);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  let edges: Float64Array;
  if (bins === 'tensorflow') edges = tensorflowBucketEdges();
  else if (typeof bins === 'number') edges = linearBucketEdges(min, max, bins);
  else throw new Error(`${what}: bins must be 'tensorflow' or a positive integer, got ${JSON.stringify(bins)}`);
  const counts = histogramCounts(values, edges);

  let first = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0)
    throw new Error(`${what}: no value falls inside the bucket edges [${edges[0]}, ${edges[edges.length - 1]}]`);
  // The leading empty bucket (counts[first - 1] when it exists) ends where the first filled one starts.
  const bucket = [0, ...counts.subarray(first, last + 1)];
  const bucketLimit = Array.from(edges.subarray(first, last + 2));
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}
