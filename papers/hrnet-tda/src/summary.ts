import type * as tf from '@tensorflow/tfjs';

export interface LayerRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

function sizeOf(shape: tf.Shape): number {
  return shape.reduce((a: number, b) => a * (b ?? 0), 1);
}

/** Trainable parameters, what PyTorch's `sum(p.numel() for p in model.parameters())` counts (BN statistics are buffers). */
export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + sizeOf(w.shape), 0);
}

function formatShape(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape) => `[${s.map((d) => (d === null ? 'B' : String(d))).join(', ')}]`;
  return Array.isArray(shape[0]) || shape[0] === undefined
    ? (shape as tf.Shape[]).map(one).join(' ')
    : one(shape as tf.Shape);
}

/** One row per layer in build order: name, class, output shape (B = batch), all its weights (incl. BN statistics). */
export function layerTable(model: tf.LayersModel): LayerRow[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: formatShape(layer.outputShape),
    params: layer.countParams(),
  }));
}

/** The layer table as aligned text, followed by total, trainable and non-trainable counts. */
export function formatSummary(model: tf.LayersModel): string {
  const rows = layerTable(model);
  const header: LayerRow = { name: 'Layer', type: 'Type', outputShape: 'Output shape', params: 0 };
  const width = (f: (r: LayerRow) => string) => Math.max(...[header, ...rows].map((r) => f(r).length));
  const wName = width((r) => r.name);
  const wType = width((r) => r.type);
  const wShape = width((r) => r.outputShape);
  const line = (r: LayerRow, params: string) =>
    `${r.name.padEnd(wName)}  ${r.type.padEnd(wType)}  ${r.outputShape.padEnd(wShape)}  ${params.padStart(11)}`;
  const total = model.countParams();
  const trainable = countTrainableParams(model);
  const rule = '-'.repeat(wName + wType + wShape + 17);
  return [
    line(header, 'Params'),
    rule,
    ...rows.map((r) => line(r, r.params.toLocaleString('en-US'))),
    rule,
    `Layers: ${rows.length}`,
    `Total params: ${total.toLocaleString('en-US')}`,
    `Trainable params: ${trainable.toLocaleString('en-US')} (${(trainable / 1e6).toFixed(1)}M)`,
    `Non-trainable params (BN moving mean/variance): ${(total - trainable).toLocaleString('en-US')}`,
  ].join('\n');
}
