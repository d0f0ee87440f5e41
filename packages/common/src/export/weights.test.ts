// permuteAxes against tf.transpose.
import * as tf from '@tensorflow/tfjs';
import { permuteAxes } from './weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('permuteAxes', () => {
  it.each([
    [
      [3, 2, 4, 5],
      [3, 2, 0, 1],
    ],
    [
      [2, 3, 4, 1],
      [2, 3, 0, 1],
    ],
    [
      [4, 3],
      [1, 0],
    ],
    [
      [2, 3, 4],
      [0, 1, 2],
    ],
    [
      [2, 1, 3, 2, 2],
      [4, 0, 3, 1, 2],
    ],
  ])('shape %j, perm %j: equals tf.transpose', (shape, perm) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const ours = permuteAxes(x.dataSync() as Float32Array, shape, perm);
    const expected = tf.transpose(x, perm);
    expect(ours.shape).toEqual(expected.shape);
    expect(Array.from(ours.data)).toEqual(Array.from(expected.dataSync()));
  });

  it('refuses a list that is not a permutation', () => {
    expect(() => permuteAxes(new Float32Array(6), [2, 3], [0, 0])).toThrow('[0,0] is not a permutation of 2 axes');
  });
});
