// UnsortedSegmentSum (the gradient of gather, used by embeddings): a scatter-add over the wasm heap.
// Ids outside [0, numSegments) are dropped, as in TensorFlow and the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { asWasm, Info, KernelArgs } from './wasm-ops';

export function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const prefix = segmentIds.shape;
  if (!prefix.every((size, i) => x.shape[i] === size)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${prefix}] must be a prefix of x shape [${x.shape}]`);
  }
  const wasm = asWasm(backend);
  const row = tf.util.sizeFromShape(x.shape.slice(prefix.length));
  // Allocate first: growing the wasm heap detaches views taken before.
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(prefix.length)], x.dtype);
  const values = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  const result = wasm.typedArrayFromHeap(out);
  result.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= numSegments) continue;
    const src = i * row;
    const dst = id * row;
    for (let j = 0; j < row; j++) result[dst + j] += values[src + j];
  }
  return out;
}
