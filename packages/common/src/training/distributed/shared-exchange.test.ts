// The shared memory's arithmetic and flags, in one thread: the row-weighted mean of 3 ranks' gradients and scalars
// (an empty rank contributes nothing), a failed rank's message at the next barrier, rank 0's end releasing the others.
import { RankStopped, SharedExchange } from './shared-exchange';

const layout = { worldSize: 3, gradElements: 4, bufferElements: 1, weightElements: 5 };

it('averages the ranks by their rows, in float64, skipping a rank without rows', () => {
  const buffer = SharedExchange.create(layout);
  const views = [0, 1, 2].map((r) => new SharedExchange(buffer, layout, r));
  const rows = [3, 2, 5];
  const grads = [
    [1, 2, 3, 4],
    [100, 100, 100, 100],
    [0.5, -1, 2, 1e-3],
  ];
  views.forEach((v, r) => {
    v.header(1).set([rows[r], 10 * (r + 1), r]);
    v.slot(1).set(grads[r]);
  });
  const all = views[1].reduce(1, 1);
  expect(all.total).toBe(10);
  expect(Array.from(all.scalars)).toEqual([(3 * 10 + 2 * 20 + 5 * 30) / 10, (2 * 1 + 5 * 2) / 10]);
  expect(Array.from(all.grads)).toEqual(
    grads[0].map((g, i) => Math.fround((3 * g + 2 * grads[1][i] + 5 * grads[2][i]) / 10)),
  );
  views[1].header(1)[0] = 0; // rank 1 had no rows this step
  const { total, scalars, grads: mean } = views[2].reduce(1, 1);
  expect(total).toBe(8);
  expect(Array.from(scalars)).toEqual([(3 * 10 + 5 * 30) / 8, (3 * 0 + 5 * 2) / 8]);
  expect(Array.from(mean)).toEqual(grads[0].map((g, i) => Math.fround((3 * g + 5 * grads[2][i]) / 8)));
  // The other parity's area is untouched.
  expect(views[0].reduce(0, 1).total).toBe(0);
});

it("reports a failed rank's message at the barrier, and rank 0's end stops the others", () => {
  const buffer = SharedExchange.create(layout);
  const [rank0, rank1] = [0, 1].map((r) => new SharedExchange(buffer, layout, r));
  rank0.markDone(); // rank 0 finished: rank 1 stops at its next barrier
  expect(() => rank1.barrier()).toThrow(RankStopped);
  rank1.markFailed(1, 'Error: out of memory');
  expect(() => rank0.barrier()).toThrow('data-parallel rank 1 failed: Error: out of memory');
  expect(rank0.failure()).toEqual({ rank: 1, message: 'Error: out of memory' });
});
