import golden from '../testdata/tensorboard_golden.json';
import { buildHistogram, histogramCounts, linearBucketEdges, tensorflowBucketEdges } from './histogram';

describe('buildHistogram against torch.utils.tensorboard make_histogram', () => {
  const cases = golden.histograms.flatMap((input) =>
    input.expected.map((e) => ({ name: input.name, values: input.values, bins: e.bins, expected: e.histogram })),
  );

  it.each(cases)('$name with bins=$bins', ({ values, bins, expected }) => {
    const h = buildHistogram(values, bins as 'tensorflow' | number);
    expect(h.bucketLimit).toEqual(expected.bucketLimit);
    expect(h.bucket).toEqual(expected.bucket);
    expect(h.min).toBe(expected.min);
    expect(h.max).toBe(expected.max);
    expect(h.num).toBe(expected.num);
    // numpy sums pairwise and dot() uses BLAS: equal up to rounding, not bit for bit.
    expect(Math.abs(h.sum - expected.sum)).toBeLessThanOrEqual(1e-12 * expected.sumSquares);
    expect(Math.abs(h.sumSquares - expected.sumSquares)).toBeLessThanOrEqual(1e-12 * Math.abs(expected.sumSquares));
  });
});

describe('bucket edges', () => {
  it('has TensorBoard default edges symmetric around 0, from ±1e-12 to below ±1e20', () => {
    const edges = tensorflowBucketEdges();
    const mid = (edges.length - 1) / 2;
    expect(edges[mid]).toBe(0);
    expect(edges[mid + 1]).toBe(1e-12);
    expect(edges[mid - 1]).toBe(-1e-12);
    expect(edges[edges.length - 1]).toBeLessThan(1e20);
    expect(edges[edges.length - 1] * 1.1).toBeGreaterThanOrEqual(1e20);
    expect(edges[0]).toBe(-edges[edges.length - 1]);
  });

  it('counts numpy-style: [a, b) buckets, the last closed, outside values dropped', () => {
    const edges = Float64Array.from([0, 1, 2, 3]);
    expect(Array.from(histogramCounts([-1, 0, 0.5, 1, 2.999, 3, 4], edges))).toEqual([2, 1, 2]);
  });

  it('widens a zero-width range by 0.5 on each side, as numpy does', () => {
    expect(Array.from(linearBucketEdges(2, 2, 2))).toEqual([1.5, 2, 2.5]);
  });

  it('rejects empty, non-finite values and bad bins with the reason', () => {
    expect(() => buildHistogram([], 10, 'h')).toThrow('h: values are empty');
    expect(() => buildHistogram([1, NaN], 10, 'h')).toThrow('h: value NaN at index 1 is not finite');
    expect(() => buildHistogram([1, 2], 0)).toThrow('positive integer');
    expect(() => buildHistogram([1, 2], 'auto' as never)).toThrow("bins must be 'tensorflow' or a positive integer");
  });
});
