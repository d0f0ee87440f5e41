// im2col (PyTorch's unfold) for NHWC inputs: every output position's receptive field as one row, in the order of a
// tfjs conv2d kernel [kh, kw, cin, cout] flattened, so that a convolution is rows x kernel.
import * as tf from '@tensorflow/tfjs';

export interface Conv2DGeometry {
  kernelSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  /** The output's spatial size (known from the output gradient). */
  outSize: [number, number];
}

/** Padding before (top/left) and the total along one axis, tfjs/TensorFlow 'same' convention. */
function samePadding(inSize: number, outSize: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((outSize - 1) * stride + kernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** [B, H, W, C] -> [B, outH * outW, kh * kw * C]: slices of the (padded) input, one per kernel tap, side by side. */
export function im2col(x: tf.Tensor4D, g: Conv2DGeometry): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const [kh, kw] = g.kernelSize;
    const [sh, sw] = g.strides;
    const [oh, ow] = g.outSize;
    const padded = g.padding === 'same' ? tf.pad(x, [[0, 0], samePadding(h, oh, kh, sh), samePadding(w, ow, kw, sw), [0, 0]]) : x;
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        taps.push(
          sh === 1 && sw === 1
            ? tf.slice(padded, [0, i, j, 0], [b, oh, ow, c])
            : tf.stridedSlice(padded, [0, i, j, 0], [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]),
        );
      }
    }
    return (taps.length === 1 ? taps[0] : tf.concat(taps, 3)).reshape([b, oh * ow, kh * kw * c]) as tf.Tensor3D;
  });
}
