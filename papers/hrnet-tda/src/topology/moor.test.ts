import * as tf from '@tensorflow/tfjs';
import { ripsPersistence } from '@research/common';
import { euclideanDistances, minimumSpanningTree, moorTopologicalLoss } from './moor';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

describe('minimumSpanningTree', () => {
  it('its edge lengths are the finite H0 deaths of the Rips diagram', () => {
    const points = [
      [0, 0],
      [1, 0],
      [1, 1.5],
      [4, 1],
      [4.2, 3],
      [-2, 2.5],
      [0.3, -0.8],
    ];
    const n = points.length;
    const d = euclideanDistances(points.flat(), n, 2);
    const lengths = minimumSpanningTree(d, n)
      .map(([i, j]) => d[i * n + j])
      .sort((a, b) => a - b);
    const deaths = ripsPersistence(points, { maxDim: 0 })[0]
      .pairs.filter((p) => p[1] !== Infinity)
      .map((p) => p[1])
      .sort((a, b) => a - b);
    expect(lengths).toHaveLength(n - 1);
    lengths.forEach((l, k) => expect(l).toBeCloseTo(deaths[k], 12));
  });

  it('spans every vertex', () => {
    const n = 6;
    const d = euclideanDistances([5, 1, 3, 9, 2, 7], n, 1);
    const seen = new Set(minimumSpanningTree(d, n).flat());
    expect(seen.size).toBe(n);
  });
});

describe('moorTopologicalLoss', () => {
  // Input points on a line: x = 0, 1, 3 (distances 1, 2, 3; max 3), MST {(0,1), (1,2)}, normalised 1/3, 2/3.
  // Latent points z = (0,0), (2,0), (2,1): distances |z0z1| = 2, |z1z2| = 1, |z0z2| = sqrt 5; MST {(1,2), (0,1)}.
  const x = [[0], [1], [3]];
  const z = [
    [0, 0],
    [2, 0],
    [2, 1],
  ];

  it('equals the hand computation and its gradient the analytic one', () => {
    const scale = 2;
    // pi_X edges (0,1): target 1/3, latent 2/scale = 1; (1,2): target 2/3, latent 1/scale = 0.5.
    // pi_Z edges are the same pair of edges, so L = (1/2 * 2 * [(1 - 1/3)^2 + (0.5 - 2/3)^2]) / 3.
    const expected = ((1 - 1 / 3) ** 2 + (0.5 - 2 / 3) ** 2) / 3;
    const zt = tf.tensor2d(z);
    const xt = tf.tensor2d(x);
    const loss = moorTopologicalLoss(xt, zt, { latentScale: scale, eps: 0 });
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 6);

    // L = (1/n) sum_e (d_e/s - t_e)^2 (each edge is in both trees, times 1/2), so
    // dL/dz_i = (1/n) sum_{e=(i,j)} 2 (d_e/s - t_e) (1/s) (z_i - z_j) / d_e.
    const grad = tf
      .grad((zz: tf.Tensor) => moorTopologicalLoss(xt, zz as tf.Tensor2D, { latentScale: scale, eps: 0 }))(zt)
      .arraySync() as number[][];
    const hand = z.map(() => [0, 0]);
    for (const [i, j, t] of [
      [0, 1, 1 / 3],
      [1, 2, 2 / 3],
    ] as const) {
      const diff = [z[i][0] - z[j][0], z[i][1] - z[j][1]];
      const d = Math.hypot(diff[0], diff[1]);
      const coef = (2 * (d / scale - t) * (1 / scale)) / d / 3;
      hand[i][0] += coef * diff[0];
      hand[i][1] += coef * diff[1];
      hand[j][0] -= coef * diff[0];
      hand[j][1] -= coef * diff[1];
    }
    grad.forEach((row, i) => row.forEach((g, k) => expect(g).toBeCloseTo(hand[i][k], 5)));
    tf.dispose([zt, xt, loss]);
  });

  it('is zero when the latent distances reproduce the normalised input distances on both trees', () => {
    const xt = tf.tensor2d([
      [0, 0],
      [3, 0],
      [3, 4],
    ]);
    const zt = tf.tensor2d([
      [0, 0],
      [0.6, 0],
      [0.6, 0.8],
    ]); // the input divided by its largest distance, 5
    expect(moorTopologicalLoss(xt, zt, { eps: 0 }).dataSync()[0]).toBeCloseTo(0, 10);
    tf.dispose([xt, zt]);
  });

  it('counts the latent scale as differentiable', () => {
    const xt = tf.tensor2d(x);
    const zt = tf.tensor2d(z);
    const s = tf.scalar(2);
    // Both trees hold the same two edges, so L = (1/n) sum_e (d_e/s - t_e)^2 and dL/ds = (1/n) sum_e 2 (d_e/s - t_e)(-d_e/s^2).
    const hand = (2 * ((1 - 1 / 3) * (-2 / 4) + (0.5 - 2 / 3) * (-1 / 4))) / 3;
    const g = tf.grad((ss: tf.Tensor) => moorTopologicalLoss(xt, zt, { latentScale: ss as tf.Scalar, eps: 0 }))(s);
    expect(g.dataSync()[0]).toBeCloseTo(hand, 5);
    tf.dispose([xt, zt, s, g]);
  });

  it('rejects mismatched batches', () => {
    expect(() => moorTopologicalLoss(tf.zeros([3, 2]), tf.zeros([2, 2]) as tf.Tensor2D)).toThrow(
      /x has 3 rows but z has 2/,
    );
  });
});
