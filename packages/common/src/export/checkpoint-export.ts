// A checkpoint written by the Trainer (ModelCheckpoint) -> an ONNX file beside it, optionally validated and
// benchmarked. The caller builds the architecture (the run layer from its config.yaml, `tools export` from the
// registry); this loads the weights into it and exports.
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import { writeFileAtomic } from '../io';
import { assignModuleWeights, loadCheckpoint, type TrainModule } from '../training';
import { benchmarkInference, type BenchmarkOptions, type InferenceThroughput } from './benchmark';
import { exportToOnnx, type OnnxExport, type OnnxExportOptions } from './exporter';
import {
  validateOnnx,
  validateOnnxOnDataset,
  type DatasetValidation,
  type DatasetValidationOptions,
  type RandomValidation,
  type ValidateOnnxOptions,
} from './validate';

export interface ExportCheckpointOptions extends OnnxExportOptions {
  /** The model to export, built with the checkpoint's architecture. */
  model: tf.LayersModel;
  /** A checkpoint file of saveCheckpoint (e.g. checkpoints/best.safetensors). */
  checkpoint: string;
  /**
   * The models whose weights the checkpoint holds, by the TrainModule key that named them (`<key>/<index>`);
   * default `{model}` (classificationModule's key). Parts may differ from `model` when it composes them.
   */
  parts?: Record<string, tf.LayersModel>;
  /** Output file; default the checkpoint's name with .onnx (best.safetensors -> best.onnx). */
  output?: string;
  /** Random-input check (max |onnx - tfjs|). */
  validate?: boolean | ValidateOnnxOptions;
  /** Whole-split check over this source. */
  dataset?: BatchSource;
  datasetOptions?: DatasetValidationOptions;
  benchmark?: boolean | BenchmarkOptions;
}

export interface ExportCheckpointResult {
  output: string;
  export: Omit<OnnxExport, 'model' | 'bytes'> & { bytes: number };
  validation?: RandomValidation;
  dataset?: DatasetValidation;
  benchmark?: InferenceThroughput[];
}

/** Where the ONNX file of a checkpoint goes by default. */
export function defaultOnnxPath(checkpoint: string): string {
  const ext = path.extname(checkpoint);
  return path.join(path.dirname(checkpoint), `${path.basename(checkpoint, ext)}.onnx`);
}

/** Loads `checkpoint` into `parts` (all-or-nothing, shapes checked), exports `model`, then the requested checks. */
export async function exportCheckpoint(options: ExportCheckpointOptions): Promise<ExportCheckpointResult> {
  const { model, checkpoint, parts = { model: options.model } } = options;
  const ckpt = loadCheckpoint(checkpoint);
  try {
    const module: TrainModule = {
      models: parts,
      trainingStep: () => {
        throw new Error('exportCheckpoint: a weights holder, not for training');
      },
    };
    assignModuleWeights(module, ckpt, checkpoint);
  } finally {
    Object.values(ckpt.tensors).forEach((t) => t.dispose());
  }
  return exportModelFile(model, options.output ?? defaultOnnxPath(checkpoint), options);
}

/** Exports a model whose weights are loaded to `output`, then the requested checks (validation_report.json beside). */
export async function exportModelFile(
  model: tf.LayersModel,
  output: string,
  options: Omit<ExportCheckpointOptions, 'model' | 'checkpoint' | 'parts' | 'output'> = {},
): Promise<ExportCheckpointResult> {
  const exported = exportToOnnx(model, options);
  writeFileAtomic(output, exported.bytes);
  const { inputs, outputs, layout, opset, foldedBatchNorms } = exported;
  const result: ExportCheckpointResult = {
    output,
    export: { inputs, outputs, layout, opset, foldedBatchNorms, bytes: exported.bytes.length },
  };
  if (options.validate)
    result.validation = await validateOnnx(model, output, options.validate === true ? {} : options.validate);
  if (options.dataset)
    result.dataset = await validateOnnxOnDataset(model, output, options.dataset, options.datasetOptions);
  if (options.benchmark)
    result.benchmark = await benchmarkInference(model, output, options.benchmark === true ? {} : options.benchmark);
  return result;
}
