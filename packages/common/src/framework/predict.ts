// Predictions of a trained framework run on new images (`tools inference --input`): the run's config and checkpoint,
// the evaluation transforms, class probabilities per image through tfjs or an exported ONNX model, and the CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../config';
import { IMAGE_FOLDER_EXTENSIONS, listImageFolder, loadTransformedImage } from '../data';
import { OnnxPredictor } from '../export';
import { writeFileAtomic } from '../io';
import { createRng } from '../random';
import { locateRun } from '../run/checkpoints';
import { classificationModule, loadModuleWeights } from '../training';
import { frameworkModel, frameworkTrainerSettings } from './app';
import { frameworkTransforms } from './build';
import { frameworkSchema, type FrameworkConfig } from './config-schema';

export interface FrameworkRunModel {
  config: FrameworkConfig;
  model: tf.LayersModel;
  checkpoint: string;
  runDir: string;
  /** Epochs trained when the checkpoint was written. */
  epoch: number;
}

/** A run's config (plus overrides) and its model with the checkpoint's weights (`target`: run folder or checkpoint). */
export function loadFrameworkRun(target: string, overrides: readonly string[] = []): FrameworkRunModel {
  const location = locateRun(target, 'best');
  const config = loadConfig<FrameworkConfig>(location.configFile, frameworkSchema, overrides);
  frameworkTrainerSettings(config); // the cross-key checks
  const model = frameworkModel(config);
  try {
    const state = loadModuleWeights(classificationModule(model), location.checkpoint);
    return { config, model, checkpoint: location.checkpoint, runDir: location.runDir, epoch: state.epoch };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The class names of a config: data.class_names, else the sorted class folders of <data_dir>/raw (label = position). */
export function frameworkClassNames(config: FrameworkConfig): string[] {
  return config.data.class_names.length > 0
    ? [...config.data.class_names]
    : listImageFolder(path.join(path.resolve(config.data.data_dir), 'raw')).classes;
}

/** An image file, or the images under a folder (torchvision's extensions, any depth, sorted). */
export function listInputImages(input: string): string[] {
  if (!fs.existsSync(input))
    throw new Error(`--input ${input} does not exist (give an image file or a folder of images)`);
  if (!fs.statSync(input).isDirectory()) return [input];
  const wanted = new Set<string>(IMAGE_FOLDER_EXTENSIONS);
  const files: string[] = [];
  for (const entry of fs.readdirSync(input, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && wanted.has(path.extname(entry.name).toLowerCase()))
      files.push(path.join(entry.parentPath, entry.name));
  }
  if (files.length === 0)
    throw new Error(`--input ${input}: no image (${IMAGE_FOLDER_EXTENSIONS.join(' ')}) in the folder or below`);
  return files.sort();
}

/** Logits [batch, classes] of a batch of images [batch, H, W, C]; the caller disposes both. */
export type LogitsFunction = (x: tf.Tensor4D) => Promise<tf.Tensor>;

export const tfjsLogits =
  (model: tf.LayersModel): LogitsFunction =>
  async (x) =>
    model.predict(x) as tf.Tensor;

/** Logits through onnxruntime (an ONNX file exported from the run's checkpoint). */
export async function onnxLogits(file: string): Promise<{ logits: LogitsFunction; release: () => Promise<void> }> {
  const predictor = await OnnxPredictor.load(file);
  if (predictor.outputNames.length !== 1)
    throw new Error(`ONNX model ${file} has ${predictor.outputNames.length} outputs; a classifier has one (logits)`);
  return { logits: async (x) => (await predictor.predict(x))[0], release: () => predictor.release() };
}

export interface ImagePrediction {
  file: string;
  /** Index of the most probable class. */
  label: number;
  probabilities: Float32Array;
}

/** Class probabilities (softmax of the logits) of every file, with the config's evaluation transforms, in batches. */
export async function predictImages(
  config: FrameworkConfig,
  files: readonly string[],
  logits: LogitsFunction,
  batchSize = config.data.batch_size,
): Promise<ImagePrediction[]> {
  const transforms = frameworkTransforms(config, 'eval');
  const { image_size: size, channels } = config.data;
  const out: ImagePrediction[] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    const pixels = new Float32Array(chunk.length * size * size * channels);
    for (const [j, file] of chunk.entries()) {
      // The evaluation transforms draw nothing at random; the generator is only the pipeline's argument.
      const img = await loadTransformedImage(file, transforms, createRng(0), { channels });
      if (img.height !== size || img.width !== size)
        throw new Error(`${file}: transformed to ${img.height}x${img.width}, expected ${size}x${size}`);
      pixels.set(img.data, j * size * size * channels);
    }
    const x = tf.tensor4d(pixels, [chunk.length, size, size, channels]);
    const raw = await logits(x);
    const probs = tf.softmax(raw);
    const values = (await probs.data()) as Float32Array;
    tf.dispose([x, raw, probs]);
    const classes = values.length / chunk.length;
    for (const [j, file] of chunk.entries()) {
      const p = values.slice(j * classes, (j + 1) * classes);
      out.push({ file, label: p.indexOf(Math.max(...p)), probabilities: p });
    }
  }
  return out;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `path,class,prob_<class>...` one row per image (probabilities to 6 decimals), written atomically. */
export function writePredictionsCsv(
  file: string,
  predictions: readonly ImagePrediction[],
  classNames: readonly string[],
): void {
  const lines = [['path', 'class', ...classNames.map((c) => `prob_${c}`)].map(csvField).join(',')];
  for (const p of predictions) {
    if (p.probabilities.length !== classNames.length) {
      throw new Error(
        `${p.file}: the model gives ${p.probabilities.length} probabilities for ${classNames.length} classes`,
      );
    }
    lines.push(
      [csvField(p.file), csvField(classNames[p.label]), ...Array.from(p.probabilities, (v) => v.toFixed(6))].join(','),
    );
  }
  writeFileAtomic(file, lines.join('\n') + '\n');
}
