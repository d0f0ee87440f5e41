// Inputs of the embedding functions: rows of numbers, a flat array with its shape, or a 2-D tensor.
import { isTensorLike, type TensorLike } from '../raster';

export type EmbeddingInput = ArrayLike<number>[] | { data: ArrayLike<number>; rows: number; cols: number } | TensorLike;

/** A row-major n×d matrix of float64. */
export interface DenseMatrix {
  data: Float64Array;
  n: number;
  d: number;
}

/** Checks shape and finiteness and copies to float64; `what` names the caller in errors. */
export function toDenseMatrix(input: EmbeddingInput, what: string): DenseMatrix {
  let data: Float64Array;
  let n: number;
  let d: number;
  if (Array.isArray(input)) {
    n = input.length;
    d = n > 0 ? input[0].length : 0;
    data = new Float64Array(n * d);
    input.forEach((row, i) => {
      if (!row || row.length !== d)
        throw new Error(`${what}: row ${i} has ${row?.length} values, expected ${d} like row 0`);
      for (let j = 0; j < d; j++) data[i * d + j] = row[j];
    });
  } else if (isTensorLike(input)) {
    if (input.shape.length !== 2)
      throw new Error(`${what}: expected a 2-D tensor [n, d], got shape [${input.shape.join(', ')}]`);
    [n, d] = input.shape;
    data = Float64Array.from(input.dataSync());
  } else {
    ({ rows: n, cols: d } = input);
    if (!Number.isInteger(n) || !Number.isInteger(d) || input.data.length !== n * d) {
      throw new Error(`${what}: data has ${input.data.length} values, expected rows*cols = ${n}*${d}`);
    }
    data = Float64Array.from(input.data);
  }
  if (n === 0 || d === 0) throw new Error(`${what}: the input is empty (${n} rows of ${d} values)`);
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]))
      throw new Error(`${what}: value ${data[k]} at row ${Math.floor(k / d)}, column ${k % d} is not finite`);
  }
  return { data, n, d };
}

/** Squared Euclidean distances between all rows, computed coordinate by coordinate (no |x|²+|y|²-2x·y cancellation). */
export function squaredDistances(x: DenseMatrix): Float64Array {
  const { data, n, d } = x;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = data[i * d + k] - data[j * d + k];
        s += diff * diff;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
