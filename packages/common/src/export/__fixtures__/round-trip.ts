// Test helper: export a model to a temporary file and compare onnxruntime with tfjs on random inputs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { exportToOnnx, type OnnxExport, type OnnxExportOptions } from '../exporter';
import { validateOnnx } from '../validate';

export const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-export-'));

export interface RoundTrip {
  file: string;
  exported: OnnxExport;
  maxAbsDiff: number;
}

/** Exports `model` into `dir` and returns the largest |onnx - tfjs| on a random batch. */
export async function roundTrip(
  model: tf.LayersModel,
  dir: string,
  options: OnnxExportOptions & { batch?: number; file?: string } = {},
): Promise<RoundTrip> {
  const exported = exportToOnnx(model, options);
  const file = path.join(dir, options.file ?? `${model.name}-${exported.layout}-${exported.opset}.onnx`);
  fs.writeFileSync(file, exported.bytes);
  const result = await validateOnnx(model, file, { batch: options.batch ?? 2, report: false });
  return { file, exported, maxAbsDiff: result.max_abs_diff };
}
