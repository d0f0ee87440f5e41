// Per-example filter gradients of a 2-D convolution for the whole batch in one op. The filter gradient of example
// b is the correlation of its input with its output gradient (dilated by the stride); a depthwise convolution whose
// channels are the batch computes all of them at once without summing over examples:
//   input  x^T  [Cin, H, W, B]   (the input channels play the batch)
//   filter dy^T [Ho, Wo, B, Cout] (channel multiplier Cout, dilation = stride)
//   output      [Cin, kh, kw, B * Cout], kept in that layout ([Cin, kh, kw, B, Cout]): norms and the weighted sum
//   reduce it directly; only `materialize` pays for the 5-D transpose to [B, kh, kw, Cin, Cout].
// (im2col with a batched product is the textbook route; tfjs-wasm runs batched products as a naive loop, 2-5x slower.)
import * as tf from '@tensorflow/tfjs';

export interface Conv2DGeometry {
  kernelSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
}

/** Padding [before, after] along one axis, the tfjs/TensorFlow 'same' convention. */
function samePadding(inSize: number, outSize: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((outSize - 1) * stride + kernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** x [B, H, W, Cin] (the layer's input), dy [B, Ho, Wo, Cout] (its output gradient) -> [Cin, kh, kw, B, Cout]. */
export function conv2dPerExampleGradients(x: tf.Tensor4D, dy: tf.Tensor4D, g: Conv2DGeometry): tf.Tensor {
  return tf.tidy(() => {
    const [b, h, w, cin] = x.shape;
    const [, oh, ow, cout] = dy.shape;
    const [kh, kw] = g.kernelSize;
    const [sh, sw] = g.strides;
    const padded =
      g.padding === 'same' ? tf.pad(x, [[0, 0], samePadding(h, oh, kh, sh), samePadding(w, ow, kw, sw), [0, 0]]) : x;
    const input = padded.transpose([3, 1, 2, 0]) as tf.Tensor4D;
    const filter = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(input, filter, 1, 'valid', 'NHWC', [sh, sw]); // [Cin, >= kh, >= kw, B * Cout]
    const cut = out.shape[1] === kh && out.shape[2] === kw ? out : out.slice([0, 0, 0, 0], [cin, kh, kw, b * cout]);
    return cut.reshape([cin, kh, kw, b, cout]);
  });
}
