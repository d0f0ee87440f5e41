import golden from '../testdata/tsne_golden.json';
import { neighborLabelAgreement, trustworthiness } from './quality';
import { umap } from './umap';

describe('umap', () => {
  it('is reproducible for a seed and keeps separated clusters apart', () => {
    const epochs: number[] = [];
    const a = umap(golden.X, { nNeighbors: 10, seed: 7, epochs: 100, onProgress: (e) => epochs.push(e) });
    const b = umap(golden.X, { nNeighbors: 10, seed: 7, epochs: 100 });
    const c = umap(golden.X, { nNeighbors: 10, seed: 8, epochs: 100 });
    expect(a.embedding).toHaveLength(120);
    expect(b.embedding).toEqual(a.embedding);
    expect(c.embedding).not.toEqual(a.embedding);
    expect(epochs).toHaveLength(100);
    expect(epochs[99]).toBe(100);
    const emb = { data: a.embedding, rows: 60, cols: 2 };
    expect(neighborLabelAgreement(emb, golden.labels, 5)).toBe(1);
    expect(trustworthiness(golden.X, emb, 5)).toBeGreaterThan(0.9);
  });

  it('rejects a neighbourhood as large as the data', () => {
    expect(() => umap(golden.X, { nNeighbors: 60 })).toThrow(
      'umap: nNeighbors must be an integer in [2, n) = [2, 60), got 60',
    );
  });
});
