// tfjs activations as ONNX nodes, by the activation's class name. GELU is the Gelu op from opset 20 and its
// Erf (or tanh) formula below; everything else exists since opset 13.
import { registerOnnxActivation, type OnnxActivation } from './converter';
import { attr, type OnnxGraph } from './onnx-graph';

const unary =
  (op: string): OnnxActivation =>
  (g, x, o) =>
    g.op(op, [x], {}, o.hint);

/** Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)). */
export const geluErf: OnnxActivation = (g, x, o) => {
  if (o.opset >= 20) return g.op('Gelu', [x], {}, o.hint);
  const erf = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)], {}, o.hint)], {}, o.hint);
  const half = g.op('Mul', [g.op('Add', [erf, g.scalar(1)], {}, o.hint), g.scalar(0.5)], {}, o.hint);
  return g.op('Mul', [x, half], {}, o.hint);
};

/** tanh-approximated GELU (tfjs 'gelu_new'): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export const geluTanh: OnnxActivation = (g, x, o) => {
  if (o.opset >= 20) return g.op('Gelu', [x], { approximate: attr.string('tanh') }, o.hint);
  const cube = g.op('Mul', [g.op('Mul', [x, x], {}, o.hint), x], {}, o.hint);
  const inner = g.op('Add', [x, g.op('Mul', [cube, g.scalar(0.044715)], {}, o.hint)], {}, o.hint);
  const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar(Math.sqrt(2 / Math.PI))], {}, o.hint)], {}, o.hint);
  return g.op(
    'Mul',
    [g.op('Mul', [x, g.scalar(0.5)], {}, o.hint), g.op('Add', [t, g.scalar(1)], {}, o.hint)],
    {},
    o.hint,
  );
};

/** x * relu6(x + 3) / 6, PyTorch's and MobileNetV3's hard swish (HardSwish op since opset 14). */
export const hardSwish: OnnxActivation = (g, x, o) => {
  if (o.opset >= 14) return g.op('HardSwish', [x], {}, o.hint);
  return g.op(
    'Mul',
    [x, g.op('HardSigmoid', [x], { alpha: attr.float(1 / 6), beta: attr.float(0.5) }, o.hint)],
    {},
    o.hint,
  );
};

/** Clip to [min, max] (bounds are inputs since opset 11). */
export function clip(g: OnnxGraph, x: string, min: number, max: number, hint: string): string {
  return g.op('Clip', [x, g.scalar(min), g.scalar(max)], {}, hint);
}

function registerDefaults(): void {
  registerOnnxActivation('linear', (_g, x) => x);
  registerOnnxActivation('relu', unary('Relu'));
  registerOnnxActivation('relu6', (g, x, o) => clip(g, x, 0, 6, o.hint));
  registerOnnxActivation('sigmoid', unary('Sigmoid'));
  registerOnnxActivation('tanh', unary('Tanh'));
  registerOnnxActivation('softplus', unary('Softplus'));
  registerOnnxActivation('softsign', unary('Softsign'));
  registerOnnxActivation('elu', (g, x, o) => g.op('Elu', [x], { alpha: attr.float(1) }, o.hint));
  registerOnnxActivation('selu', unary('Selu'));
  // tfjs: max(0, min(1, 0.2 x + 0.5)), ONNX's HardSigmoid defaults.
  registerOnnxActivation('hardSigmoid', (g, x, o) =>
    g.op('HardSigmoid', [x], { alpha: attr.float(0.2), beta: attr.float(0.5) }, o.hint),
  );
  registerOnnxActivation('hardswish', hardSwish);
  registerOnnxActivation('swish', (g, x, o) => g.op('Mul', [x, g.op('Sigmoid', [x], {}, o.hint)], {}, o.hint));
  registerOnnxActivation('mish', (g, x, o) =>
    g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], {}, o.hint)], {}, o.hint)], {}, o.hint),
  );
  registerOnnxActivation('softmax', (g, x, o) => g.op('Softmax', [x], { axis: attr.int(o.axis) }, o.hint));
  registerOnnxActivation('gelu', geluErf);
  registerOnnxActivation('gelu_new', geluTanh);
}

registerDefaults();
