// Folds inference-mode BatchNormalization into the Conv that feeds it: W'[o] = W[o] * s[o],
// b'[o] = (b[o] - mean[o]) * s[o] + beta[o], with s = gamma / sqrt(var + epsilon). A graph-level pass, so it also
// applies to the convolutions of custom converters.
import { onnx } from 'onnx-proto';
import type { OnnxGraph } from './onnx-graph';

function floats(t: onnx.ITensorProto): Float32Array {
  const raw = t.rawData as Uint8Array;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

function setFloats(t: onnx.ITensorProto, values: Float32Array): void {
  t.rawData = new Uint8Array(values.buffer.slice(0));
}

function isFloatInitializer(t: onnx.ITensorProto | undefined): t is onnx.ITensorProto {
  return t !== undefined && t.dataType === onnx.TensorProto.DataType.FLOAT && t.rawData instanceof Uint8Array;
}

/** Folds every foldable Conv -> BatchNormalization pair in place; returns how many were folded. */
export function foldBatchNorms(g: OnnxGraph, keep: Set<string>): number {
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);
  const producer = new Map(g.nodes.flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
  let folded = 0;
  for (const bn of [...g.nodes]) {
    if (bn.opType !== 'BatchNormalization') continue;
    const [x, scaleName, betaName, meanName, varName] = bn.input as string[];
    const conv = producer.get(x);
    if (!conv || conv.opType !== 'Conv' || uses.get(x) !== 1 || keep.has(x)) continue;
    const [, wName, bName] = conv.input as string[];
    const w = g.initializers.get(wName);
    const params = [scaleName, betaName, meanName, varName].map((n) => g.initializers.get(n));
    if (!isFloatInitializer(w) || uses.get(wName) !== 1 || !params.every(isFloatInitializer)) continue;
    const bias = bName ? g.initializers.get(bName) : undefined;
    if (bName && (!isFloatInitializer(bias) || uses.get(bName) !== 1)) continue;
    const [gamma, beta, mean, variance] = (params as onnx.ITensorProto[]).map(floats);
    const epsilon = bn.attribute?.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
    const weights = floats(w);
    const outChannels = gamma.length;
    const perChannel = weights.length / outChannels;
    const b = bias ? floats(bias) : new Float32Array(outChannels);
    const newBias = new Float32Array(outChannels);
    for (let o = 0; o < outChannels; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + epsilon);
      for (let k = 0; k < perChannel; k++) weights[o * perChannel + k] *= s;
      newBias[o] = (b[o] - mean[o]) * s + beta[o];
    }
    setFloats(w, weights);
    if (bias) setFloats(bias, newBias);
    else
      conv.input = [
        conv.input?.[0] as string,
        wName,
        g.floatInitializer(`${wName}_folded_bias`, newBias, [outChannels]),
      ];
    conv.output = bn.output;
    g.nodes.splice(g.nodes.indexOf(bn), 1);
    g.valueInfo.delete(x);
    for (const n of [scaleName, betaName, meanName, varName]) {
      uses.set(n, (uses.get(n) ?? 1) - 1);
      if (uses.get(n) === 0) g.initializers.delete(n);
    }
    folded++;
  }
  return folded;
}
