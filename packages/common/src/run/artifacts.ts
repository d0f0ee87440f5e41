// What every run writes after its test: learning curves, the confusion matrix and report of a classifier, and the
// closing list of files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import { writeFileAtomic } from '../io';
import { classificationReport, confusionMatrix } from '../metrics';
import type { EpochRecord } from '../training';
import { plotConfusionMatrix, plotTrainingCurves, savePlot, type SummaryWriter } from '../viz';
import type { ClassifierOutputs } from './app';

/** `curves.png`: one panel per metric, train and val overlaid, by epoch. */
export function writeCurves(runDir: string, history: readonly EpochRecord[], title: string): string | undefined {
  const rows = history.map(({ global_step: _step, lr: _lr, ...rest }) => rest);
  if (rows.length === 0) return undefined;
  const file = path.join(runDir, 'curves.png');
  savePlot(plotTrainingCurves(rows, { x: 'epoch', title }), file);
  return file;
}

/** Predicted and true labels of a classifier over a source. */
export async function predictLabels(
  classifier: ClassifierOutputs,
  source: BatchSource,
): Promise<{ yTrue: Int32Array; yPred: Int32Array }> {
  const key = classifier.targetKey ?? 'y';
  const truth: number[] = [];
  const preds: number[] = [];
  for await (const batch of source.batches(0)) {
    try {
      const target = batch[key];
      if (!target)
        throw new Error(`classifier outputs: the batch has no '${key}' (keys: ${Object.keys(batch).join(', ')})`);
      const pred = tf.tidy(() => classifier.predict(batch).argMax(-1));
      preds.push(...(pred.dataSync() as Int32Array));
      truth.push(...target.dataSync());
      pred.dispose();
    } finally {
      tf.dispose(batch);
    }
  }
  return { yTrue: Int32Array.from(truth), yPred: Int32Array.from(preds) };
}

/** `confusion_matrix.png` and `classification_report.txt` (scikit-learn's text) of the test split. */
/**
 * `confusion_matrix.png` and `classification_report.txt` (scikit-learn's text) of the test split; with `tensorboard`
 * (a writer and a step), the same figure and text as TensorBoard's `test/confusion_matrix` image and
 * `test/classification_report` text.
 */
export async function writeClassifierReport(
  runDir: string,
  classifier: ClassifierOutputs,
  test: BatchSource,
  tensorboard?: { writer: SummaryWriter; step: number },
): Promise<string[]> {
  const { yTrue, yPred } = await predictLabels(classifier, test);
  return writeLabelReport(runDir, yTrue, yPred, classifier.classNames, tensorboard);
}

/** The confusion matrix and report of given labels (the predictions of any model: tfjs, an ONNX file). */
export function writeLabelReport(
  runDir: string,
  yTrue: Int32Array,
  yPred: Int32Array,
  classNames?: readonly string[],
  tensorboard?: { writer: SummaryWriter; step: number },
): string[] {
  let largest = -1;
  for (const label of [...yTrue, ...yPred]) largest = Math.max(largest, label);
  const numClasses = Math.max(classNames?.length ?? 0, largest + 1);
  const labels = Array.from({ length: numClasses }, (_, i) => i);
  const names = classNames ? [...classNames] : labels.map(String);
  const matrix = confusionMatrix(yTrue, yPred, { labels });
  const plot = plotConfusionMatrix(matrix, names, { title: `test confusion matrix (${yTrue.length} examples)` });
  const png = path.join(runDir, 'confusion_matrix.png');
  savePlot(plot, png);
  const report = classificationReport(yTrue, yPred, { labels, targetNames: names, digits: 4, zeroDivision: 0 });
  const txt = path.join(runDir, 'classification_report.txt');
  writeFileAtomic(txt, report);
  if (tensorboard) {
    const { writer } = tensorboard;
    writer.addFigure('test/confusion_matrix', plot, tensorboard.step);
    // Indented four spaces: TensorBoard's text plugin renders Markdown, where that keeps the report's columns.
    writer.addText('test/classification_report', report.replace(/^/gm, '    '), tensorboard.step);
  }
  return [png, txt];
}

function sizeText(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

/** The closing lines of a run: every file and folder it wrote, and how to look at them. */
export function closingSummary(runDir: string): string {
  const lines = [`wrote ${runDir}:`];
  for (const entry of fs.readdirSync(runDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(runDir, entry.name);
    const bytes = entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
    lines.push(`  ${entry.name}${entry.isDirectory() ? '/' : ''}  ${sizeText(bytes)}`);
  }
  lines.push(
    'look at it:',
    `  report     ${path.join(runDir, 'report.html')} (one page: config, curves, metrics, confusion matrix, images)`,
    `  dashboard  npx tools visualise --mode launch --dashboard --run_dir ${runDir}`,
    `  results    cat ${path.join(runDir, 'results.json')}`,
  );
  return lines.join('\n');
}
