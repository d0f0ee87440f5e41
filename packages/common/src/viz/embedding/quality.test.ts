import golden from '../testdata/tsne_golden.json';
import { neighborLabelAgreement, trustworthiness } from './quality';

describe('trustworthiness', () => {
  it.each([5, 10])('equals sklearn.manifold.trustworthiness with %i neighbours', (k) => {
    expect(trustworthiness(golden.X, golden.Y, k)).toBeCloseTo(
      (golden.trustworthiness as Record<string, number>)[String(k)],
      12,
    );
  });

  it('is 1 for an embedding that is the input itself', () => {
    expect(trustworthiness(golden.X, golden.X, 5)).toBe(1);
  });

  it('rejects too many neighbours and mismatched sizes', () => {
    expect(() => trustworthiness(golden.X, golden.Y, 30)).toThrow(
      'nNeighbors must be an integer in [1, n/2) = [1, 30), got 30',
    );
    expect(() => trustworthiness(golden.X, golden.Y.slice(1), 5)).toThrow('the embedding has 59 rows, the input 60');
  });
});

describe('neighborLabelAgreement', () => {
  it('counts the share of neighbours with the same label', () => {
    const points = [[0], [1], [10], [11]];
    expect(neighborLabelAgreement(points, [0, 0, 1, 1], 1)).toBe(1);
    expect(neighborLabelAgreement(points, [0, 1, 0, 1], 1)).toBe(0);
    expect(neighborLabelAgreement(points, [0, 0, 1, 1], 2)).toBe(0.5);
  });
});
