// Checks an exported file against the tfjs model it came from: random inputs (largest absolute difference), or a
// whole BatchSource (accuracy of both, prediction agreement, logit differences). Results go to
// validation_report.json beside the model (an entry per model file, a section per check, written atomically).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import { writeFileAtomic } from '../io';
import { OnnxPredictor } from './infer';

export const VALIDATION_REPORT = 'validation_report.json';

/** Largest |a - b| over all elements (shapes must match). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join() !== b.shape.join())
    throw new Error(`validation: output shapes differ: tfjs [${a.shape}], onnx [${b.shape}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function modelOutputs(model: tf.LayersModel, inputs: tf.Tensor[]): tf.Tensor[] {
  const out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  return Array.isArray(out) ? out : [out];
}

/** Where a check's report goes: `report` if a path, beside the model if undefined, nowhere if false. */
function reportPath(onnxPath: string, report: string | false | undefined): string | null {
  if (report === false) return null;
  return report ?? path.join(path.dirname(onnxPath), VALIDATION_REPORT);
}

/**
 * Sets one section (`random_inputs`, `dataset`) of a model's entry in the report. The report is keyed by the model's
 * file name, so best.onnx and last.onnx beside one another share validation_report.json without overwriting.
 */
export function writeValidationReport(file: string, onnxPath: string, section: string, result: object): void {
  let report: Record<string, Record<string, unknown>> = {};
  if (fs.existsSync(file)) {
    try {
      const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (previous && typeof previous === 'object' && !Array.isArray(previous)) report = previous as typeof report;
    } catch {
      // An unreadable report is replaced.
    }
  }
  const key = path.basename(onnxPath);
  const entry = report[key]?.onnx === path.resolve(onnxPath) ? report[key] : { onnx: path.resolve(onnxPath) };
  entry[section] = { ...result, checked_at: new Date().toISOString() };
  report[key] = entry;
  writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
}

export interface ValidateOnnxOptions {
  /** Batch size of the random inputs (default 4). */
  batch?: number;
  seed?: number;
  /** Largest allowed |onnx - tfjs| (default 1e-4). */
  tolerance?: number;
  /** Report file; default validation_report.json beside the model; false: none. */
  report?: string | false;
}

export interface RandomValidation {
  batch: number;
  tolerance: number;
  max_abs_diff: number;
  outputs: { name: string; max_abs_diff: number }[];
  passed: boolean;
}

/** Runs N(0, 1) inputs through both and compares every output. */
export async function validateOnnx(
  model: tf.LayersModel,
  onnxPath: string,
  options: ValidateOnnxOptions = {},
): Promise<RandomValidation> {
  const { batch = 4, seed = 0, tolerance = 1e-4 } = options;
  const inputs = model.inputs.map((t, i) =>
    tf.randomNormal([batch, ...(t.shape.slice(1) as number[])], 0, 1, 'float32', seed + i),
  );
  const predictor = await OnnxPredictor.load(onnxPath);
  try {
    const expected = modelOutputs(model, inputs);
    const actual = await predictor.predict(inputs);
    const outputs = expected.map((e, i) => ({
      name: predictor.outputNames[i],
      max_abs_diff: maxAbsDiff(e, actual[i]),
    }));
    tf.dispose([...expected, ...actual]);
    const worst = Math.max(...outputs.map((o) => o.max_abs_diff));
    const result: RandomValidation = { batch, tolerance, max_abs_diff: worst, outputs, passed: worst <= tolerance };
    const file = reportPath(onnxPath, options.report);
    if (file) writeValidationReport(file, onnxPath, 'random_inputs', result);
    return result;
  } finally {
    tf.dispose(inputs);
    await predictor.release();
  }
}

export interface DatasetValidationOptions {
  inputKey?: string;
  targetKey?: string;
  /** Which model output holds the logits (default 0). */
  outputIndex?: number;
  report?: string | false;
}

export interface DatasetValidation {
  examples: number;
  accuracy_tfjs: number;
  accuracy_onnx: number;
  /** Fraction of examples where both predict the same class. */
  prediction_agreement: number;
  max_abs_logit_diff: number;
  mean_abs_logit_diff: number;
}

/** Every batch of `source` (epoch 0) through both: accuracies, agreement and logit differences. */
export async function validateOnnxOnDataset(
  model: tf.LayersModel,
  onnxPath: string,
  source: BatchSource,
  options: DatasetValidationOptions = {},
): Promise<DatasetValidation> {
  const { inputKey = 'x', targetKey = 'y', outputIndex = 0 } = options;
  const predictor = await OnnxPredictor.load(onnxPath);
  let examples = 0;
  let correctTfjs = 0;
  let correctOnnx = 0;
  let agree = 0;
  let maxDiff = 0;
  let sumDiff = 0;
  let logitCount = 0;
  try {
    for await (const batch of source.batches(0)) {
      try {
        const x = batch[inputKey];
        const y = batch[targetKey];
        if (!x || !y)
          throw new Error(
            `validation: batch has no '${!x ? inputKey : targetKey}' (keys: ${Object.keys(batch).join(', ')})`,
          );
        const expectedAll = modelOutputs(model, [x]);
        const actualAll = await predictor.predict(x);
        const [a, b] = [expectedAll[outputIndex], actualAll[outputIndex]];
        maxDiff = Math.max(maxDiff, maxAbsDiff(a, b));
        const stats = tf.tidy(() => {
          const labels = y.toInt().reshape([-1]);
          const pa = a.argMax(-1);
          const pb = b.argMax(-1);
          return [
            tf.sum(tf.abs(tf.sub(a, b))),
            tf.sum(tf.equal(pa, labels)),
            tf.sum(tf.equal(pb, labels)),
            tf.sum(tf.equal(pa, pb)),
          ].map((t) => t.dataSync()[0]);
        });
        sumDiff += stats[0];
        correctTfjs += stats[1];
        correctOnnx += stats[2];
        agree += stats[3];
        examples += a.shape[0];
        logitCount += a.size;
        tf.dispose([...expectedAll, ...actualAll]);
      } finally {
        tf.dispose(Object.values(batch));
      }
    }
  } finally {
    await predictor.release();
  }
  if (examples === 0) throw new Error('validation: the source yielded no examples');
  const result: DatasetValidation = {
    examples,
    accuracy_tfjs: correctTfjs / examples,
    accuracy_onnx: correctOnnx / examples,
    prediction_agreement: agree / examples,
    max_abs_logit_diff: maxDiff,
    mean_abs_logit_diff: sumDiff / logitCount,
  };
  const file = reportPath(onnxPath, options.report);
  if (file) writeValidationReport(file, onnxPath, 'dataset', result);
  return result;
}
