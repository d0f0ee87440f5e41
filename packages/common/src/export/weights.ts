// Weight layout changes done on the raw values: tfjs' own transpose kernel on the cpu backend is an index-computing
// loop that took ~25 s for HRNet's 13M weights under jest; this single pass takes well under a second.

/** `data` of `shape` with its axes permuted as tf.transpose(x, perm) would (output axis i = input axis perm[i]). */
export function permuteAxes(
  data: Float32Array,
  shape: number[],
  perm: number[],
): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`permuteAxes: [${perm}] is not a permutation of ${rank} axes`);
  }
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; s *= shape[i], i--) inStrides[i] = s;
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]); // input stride of each output axis
  const out = new Float32Array(data.length);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = data[offset];
    // Advance the output position like an odometer, keeping the input offset in step.
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += strides[axis];
      if (counter[axis] < outShape[axis]) break;
      offset -= strides[axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
  return { data: out, shape: outShape };
}
