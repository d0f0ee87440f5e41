// ONNX node patterns whose form depends on the opset: reductions (axes become an input at 18) and layer
// normalisation (the LayerNormalization op at 17, ReduceMean/Sub/Mul/Sqrt/Div below).
import { attr, type OnnxGraph } from './onnx-graph';

/** ReduceMean/ReduceMax/... over `axes`: an attribute up to opset 17, an int64 input from 18. */
export function reduce(
  g: OnnxGraph,
  op: string,
  x: string,
  axes: number[],
  opset: number,
  hint: string,
  keepdims = true,
): string {
  const keep = { keepdims: attr.int(keepdims ? 1 : 0) };
  if (opset >= 18) return g.op(op, [x, g.int64(axes)], keep, hint);
  return g.op(op, [x], { ...keep, axes: attr.ints(axes) }, hint);
}

/** Mean over `axes`. */
export function reduceMean(
  g: OnnxGraph,
  x: string,
  axes: number[],
  opset: number,
  hint: string,
  keepdims = true,
): string {
  return reduce(g, 'ReduceMean', x, axes, opset, hint, keepdims);
}

/** (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis; gamma and beta are [D] initializers. */
export function layerNormalization(
  g: OnnxGraph,
  x: string,
  gamma: string,
  beta: string,
  epsilon: number,
  opset: number,
  hint: string,
): string {
  if (opset >= 17)
    return g.op('LayerNormalization', [x, gamma, beta], { axis: attr.int(-1), epsilon: attr.float(epsilon) }, hint);
  const centered = g.op('Sub', [x, reduceMean(g, x, [-1], opset, hint)], {}, hint);
  const variance = reduceMean(g, g.op('Mul', [centered, centered], {}, hint), [-1], opset, hint);
  const std = g.op('Sqrt', [g.op('Add', [variance, g.scalar(epsilon, `${hint}/epsilon`)], {}, hint)], {}, hint);
  const normed = g.op('Div', [centered, std], {}, hint);
  return g.op('Add', [g.op('Mul', [normed, gamma], {}, hint), beta], {}, hint);
}
