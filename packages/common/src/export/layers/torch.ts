// Converters of the model zoo's PyTorch layers (models/zoo/torch-layers.ts): torch's hard swish / hard sigmoid,
// stochastic depth (the identity at inference) and ConvNeXt's per-channel layer scale. All are elementwise, so the
// value keeps whatever layout it arrives in.
import { registerOnnxConverter, type ConvertContext, type OnnxValue } from '../converter';
import { attr } from '../onnx-graph';
import { config } from './core';

/**
 * torch.nn.Hardswish x * relu6(x + 3) / 6 (the HardSwish op, opset >= 14, is exactly this) and Hardsigmoid
 * relu6(x + 3) / 6 = HardSigmoid with alpha 1/6, beta 0.5 (not ONNX's default 0.2, which is Keras').
 */
function torchActivation(ctx: ConvertContext): OnnxValue {
  const fn = config(ctx).fn as string;
  const x = ctx.inputs[0];
  if (fn === 'hardswish') return ctx.output(ctx.activation(x.name, 'hardswish'), x.layout);
  if (fn !== 'hardsigmoid') ctx.fail(`unknown TorchActivation fn '${fn}' (expected hardswish or hardsigmoid)`);
  const y = ctx.graph.op(
    'HardSigmoid',
    [x.name],
    { alpha: attr.float(1 / 6), beta: attr.float(0.5) },
    ctx.hint('hardsigmoid'),
  );
  return ctx.output(y, x.layout);
}

/** Drops residual branches only while training: the inference graph passes the value through. */
function stochasticDepth(ctx: ConvertContext): OnnxValue {
  return ctx.inputs[0];
}

/** x * scale over tfjs' last (channel) axis; on a channels-first value the scale is stored [C, 1, 1]. */
function layerScale(ctx: ConvertContext): OnnxValue {
  const [scale] = ctx.layer.getWeights();
  const x = ctx.inputs[0];
  const channels = scale.shape[0];
  const w = x.layout === 'nchw' ? ctx.weight(scale, 'scale', { shape: [channels, 1, 1] }) : ctx.weight(scale, 'scale');
  return ctx.output(ctx.graph.op('Mul', [x.name, w], {}, ctx.hint('scale')), x.layout);
}

registerOnnxConverter('TorchActivation', torchActivation);
registerOnnxConverter('StochasticDepth', stochasticDepth);
registerOnnxConverter('LayerScale', layerScale);
