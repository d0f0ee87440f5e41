import * as tf from '@tensorflow/tfjs';
import { affineAboutCentre, perspectiveRow, transformRow } from './geometry';
import { createRng } from '../random/rng';
import {
  composeTransforms,
  normalize,
  randomAffine,
  randomCrop,
  randomHorizontalFlip,
  randomPerspective,
  randomRotation,
  resize,
  warpImages,
} from './transforms';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One single-channel image [1, h, w, 1] from rows. */
const image = (rows: number[][]) => tf.tensor4d(rows.flat(), [1, rows.length, rows[0].length, 1]);
const rowsOf = (t: tf.Tensor) => {
  const [, h, w] = t.shape;
  const data = Array.from(t.dataSync());
  return Array.from({ length: h }, (_, i) => data.slice(i * w, (i + 1) * w));
};
const grid = (h: number, w: number) =>
  Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => i * w + j + 1));

describe('geometry', () => {
  it('rotates by 90 degrees counter-clockwise exactly (odd and even sizes, nearest and bilinear)', () => {
    // np.rot90: out[i][j] = in[j][w - 1 - i]
    for (const n of [3, 4]) {
      const input = grid(n, n);
      const expected = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => input[j][n - 1 - i]));
      for (const interpolation of ['nearest', 'bilinear'] as const) {
        const out = warpImages(image(input), [transformRow(affineAboutCentre(n, n, { degrees: 90 }))], {
          interpolation,
        });
        rowsOf(out)
          .flat()
          .forEach((v, k) => expect(v).toBeCloseTo(expected.flat()[k], 4));
      }
    }
  });

  it('translates by whole pixels with zero fill, and scales about the centre', () => {
    const input = grid(3, 4);
    const shifted = warpImages(image(input), [transformRow(affineAboutCentre(3, 4, { translate: [1, -1] }))], {
      interpolation: 'nearest',
    });
    expect(rowsOf(shifted)).toEqual([
      [0, 5, 6, 7],
      [0, 9, 10, 11],
      [0, 0, 0, 0],
    ]);

    const big = grid(5, 5);
    const zoomed = rowsOf(
      warpImages(image(big), [transformRow(affineAboutCentre(5, 5, { scale: 2 }))], { interpolation: 'nearest' }),
    );
    // output (x, y) samples input (2 + (x - 2) / 2, 2 + (y - 2) / 2): the corners show input (1, 1) and (3, 3)
    expect(zoomed[2][2]).toBe(big[2][2]);
    expect(zoomed[0][0]).toBe(big[1][1]);
    expect(zoomed[4][4]).toBe(big[3][3]);
  });

  it('solves the perspective that takes the start corners to the end corners', () => {
    const start: [number, number][] = [
      [0, 0],
      [9, 0],
      [9, 9],
      [0, 9],
    ];
    const end: [number, number][] = [
      [2, 1],
      [8, 0],
      [9, 7],
      [1, 9],
    ];
    const [a0, a1, a2, b0, b1, b2, c0, c1] = perspectiveRow(start, end);
    end.forEach(([u, v], k) => {
      const q = c0 * u + c1 * v + 1;
      expect((a0 * u + a1 * v + a2) / q).toBeCloseTo(start[k][0], 9);
      expect((b0 * u + b1 * v + b2) / q).toBeCloseTo(start[k][1], 9);
    });
  });
});

describe('transforms', () => {
  it('normalizes per channel', () => {
    const x = tf.tensor4d([0, 0.5, 1, 0.25], [1, 1, 2, 2]);
    const out = normalize([0.5, 0.25], [0.5, 0.25])(x, createRng(0));
    expect(Array.from(out.dataSync())).toEqual([-1, 1, 1, 0]);
    expect(() => normalize([0.5], [1])(x, createRng(0))).toThrow('mean has 1 values for 2 channels');
  });

  it('flips with probability 1 and keeps with probability 0', () => {
    const x = image(grid(2, 3));
    expect(rowsOf(randomHorizontalFlip(1)(x, createRng(0)))).toEqual([
      [3, 2, 1],
      [6, 5, 4],
    ]);
    expect(rowsOf(randomHorizontalFlip(0)(x, createRng(0)))).toEqual(grid(2, 3));
  });

  it('flips exactly the images whose draw falls below p', () => {
    const batch = tf.tensor4d(
      Array.from({ length: 8 * 2 * 3 }, (_, i) => i),
      [8, 2, 3, 1],
    );
    const out = randomHorizontalFlip(0.5)(batch, createRng(4)).arraySync() as number[][][][];
    const input = batch.arraySync() as number[][][][];
    const rng = createRng(4);
    const flipped = input.map(() => rng.next() < 0.5);
    expect(flipped).toContain(true);
    expect(flipped).toContain(false);
    out.forEach((img, b) => expect(img).toEqual(flipped[b] ? input[b].map((row) => [...row].reverse()) : input[b]));
  });

  it('random crop with padding equals a window of the zero-padded image at the offsets the rng draws', () => {
    const batch = tf.tensor4d(
      Array.from({ length: 4 * 4 * 4 * 2 }, (_, i) => i + 1),
      [4, 4, 4, 2],
    );
    const out = randomCrop(3, { padding: 2 })(batch, createRng(11));
    const rng = createRng(11);
    const padded = tf.pad(batch, [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ]);
    const expected = tf.concat(
      Array.from({ length: 4 }, (_, b) => {
        const top = rng.int(6);
        const left = rng.int(6);
        return padded.slice([b, top, left, 0], [1, 3, 3, 2]);
      }),
    );
    expect(out.shape).toEqual([4, 3, 3, 2]);
    expect(Array.from(out.dataSync())).toEqual(Array.from(expected.dataSync()));
  });

  it('rotation with a fixed angle range equals the 90-degree rotation', () => {
    const input = grid(3, 3);
    const out = randomRotation([90, 90], { interpolation: 'nearest' })(image(input), createRng(0));
    expect(rowsOf(out)).toEqual([
      [3, 6, 9],
      [2, 5, 8],
      [1, 4, 7],
    ]);
  });

  it('resizes with half-pixel centres like PyTorch (align_corners=False)', () => {
    const out = resize([4, 4])(
      image([
        [0, 1],
        [2, 3],
      ]),
      createRng(0),
    );
    const expected = [
      [0, 0.25, 0.75, 1],
      [0.5, 0.75, 1.25, 1.5],
      [1.5, 1.75, 2.25, 2.5],
      [2, 2.25, 2.75, 3],
    ];
    rowsOf(out)
      .flat()
      .forEach((v, k) => expect(v).toBeCloseTo(expected.flat()[k], 5));
  });

  it('perspective and affine are the identity when they have nothing to do', () => {
    const x = image(grid(6, 6));
    expect(rowsOf(randomPerspective({ p: 0 })(x, createRng(0)))).toEqual(grid(6, 6));
    expect(
      rowsOf(randomPerspective({ p: 1, distortion: 0 })(x, createRng(0)))
        .flat()
        .map(Math.round),
    ).toEqual(grid(6, 6).flat());
    expect(rowsOf(randomAffine({ interpolation: 'nearest' })(x, createRng(0)))).toEqual(grid(6, 6));
  });

  it('is deterministic under a seed and varies with it; keeps the pixel range with zero fill', () => {
    const x = tf.randomUniform([8, 12, 12, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const pipeline = composeTransforms(
      randomCrop(12, { padding: 2 }),
      randomHorizontalFlip(),
      randomAffine({ degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 10 }),
      randomPerspective({ distortion: 0.3, p: 0.5 }),
    );
    const a = pipeline(x, createRng(5)).dataSync();
    const b = pipeline(x, createRng(5)).dataSync();
    const c = pipeline(x, createRng(6)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('leaks no tensors', () => {
    const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const pipeline = composeTransforms(
      randomAffine({ degrees: 10 }),
      normalize([0.5, 0.5, 0.5], [0.2, 0.2, 0.2]),
      resize([4, 4]),
    );
    const out = pipeline(x, createRng(0));
    expect(tf.memory().numTensors).toBe(before + 1);
    out.dispose();
  });
});

describe('backends', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('warps every image of a batch the same on wasm as on cpu', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const data = Array.from({ length: 3 * 6 * 6 * 2 }, (_, i) => (i % 17) / 17);
    const rows = [0, 20, -45].map((degrees) => transformRow(affineAboutCentre(6, 6, { degrees, scale: 0.9 })));
    const results: number[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      results.push(Array.from(warpImages(tf.tensor4d(data, [3, 6, 6, 2]), rows).dataSync()));
    }
    results[1].forEach((v, k) => expect(v).toBeCloseTo(results[0][k], 5));
    // the third image really was rotated (not left as fill values)
    expect(results[1].slice(2 * 72).some((v) => v !== 0)).toBe(true);
  });
});
