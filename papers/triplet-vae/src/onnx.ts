// A run's checkpoint -> the classifier path of its triplet-VAE model as ONNX: common's tripletVaeClassifier (image ->
// encoder -> features, or z = mu in multitask mode -> classifier -> logits; it shares the model's weights), exported
// by common's exporter.
import * as path from 'node:path';
import {
  exportToOnnx,
  validateOnnx,
  writeFileAtomic,
  type OnnxExportOptions,
  type RandomValidation,
  tripletVaeClassifier,
} from '@research/common';
import { loadCheckpoint, type LoadCheckpointOptions } from './checkpoint';

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
  const graph = tripletVaeClassifier(model);
  const ext = path.extname(checkpointFile);
  const output =
    options.output ?? path.join(path.dirname(checkpointFile), `${path.basename(checkpointFile, ext)}.onnx`);
  writeFileAtomic(output, exportToOnnx(graph, options).bytes);
  const validation = options.validate ? await validateOnnx(graph, output) : undefined;
  Object.values(model.models).forEach((m) => m.dispose());
  return { output, validation };
}
