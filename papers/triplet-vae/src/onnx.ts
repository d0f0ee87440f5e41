// The classifier path of a triplet-VAE model as one graph for ONNX: image -> encoder -> features (simple mode) or
// z = mu (multitask mode, as at inference) -> classifier -> logits. The graph nests the model's own parts, so it
// shares their weights; common's exporter converts every layer (the ViT layers are common's).
import * as path from 'node:path';
import {
  exportToOnnx,
  validateOnnx,
  writeFileAtomic,
  type OnnxExportOptions,
  type RandomValidation,
} from '@research/common';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, type LoadCheckpointOptions } from './checkpoint';
import type { TripletVaeModel } from './model';

/** image [B, H, W, C] -> logits [B, classes], what `forward(images, false).logits` computes. */
export function classifierGraph(model: TripletVaeModel): tf.LayersModel {
  const { encoder, classifier } = model.models;
  const input = tf.input({ shape: encoder.inputs[0].shape.slice(1) as number[], name: 'image' });
  const encoded = encoder.apply(input) as tf.SymbolicTensor | tf.SymbolicTensor[];
  // Multitask: the encoder gives [mu, logvar]; inference uses z = mu.
  const features = Array.isArray(encoded) ? encoded[0] : encoded;
  const logits = classifier.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'triplet_vae_classifier' });
}

export interface ExportClassifierOptions extends OnnxExportOptions, LoadCheckpointOptions {
  /** Default: beside the checkpoint, best.safetensors -> best.onnx. */
  output?: string;
  /** Compare with tfjs on random inputs (validation_report.json beside the file). */
  validate?: boolean;
}

/** A run's checkpoint (architecture from its config.yaml) -> the classifier path as ONNX. */
export async function exportClassifierOnnx(
  checkpointFile: string,
  options: ExportClassifierOptions = {},
): Promise<{ output: string; validation?: RandomValidation }> {
  const { model } = loadCheckpoint(checkpointFile, options);
  const graph = classifierGraph(model);
  const ext = path.extname(checkpointFile);
  const output =
    options.output ?? path.join(path.dirname(checkpointFile), `${path.basename(checkpointFile, ext)}.onnx`);
  writeFileAtomic(output, exportToOnnx(graph, options).bytes);
  const validation = options.validate ? await validateOnnx(graph, output) : undefined;
  Object.values(model.models).forEach((m) => m.dispose());
  return { output, validation };
}
