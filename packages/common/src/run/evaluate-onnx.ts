// `evaluate --onnx`: an exported model on its run's test split through onnxruntime: the accuracy and the per-class
// report (what `evaluate` writes for the checkpoint), in `<run>/evaluation_<file>_onnx/`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { loadConfig, type ConfigSchema } from '../config';
import { OnnxPredictor } from '../export';
import { writeJsonAtomic } from '../io';
import { seedEverything } from '../training';
import type { AppDefinition } from './app';
import { writeLabelReport } from './artifacts';
import { locateRun } from './checkpoints';

export interface EvaluateOnnxOptions {
  /** The ONNX file (`export` of one of the run's checkpoints). */
  onnx: string;
  /** The run folder, or a checkpoint in it (only its folder is used: config.yaml names the test split). */
  target: string;
  overrides?: readonly string[];
  log?: (line: string) => void;
}

/** Runs the run's test split through the ONNX file; writes results.json, classification_report.txt and the matrix. */
export async function evaluateOnnx<C extends object>(
  app: AppDefinition<C>,
  opts: EvaluateOnnxOptions,
): Promise<{ outDir: string; results: Record<string, unknown> }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const location = locateRun(opts.target, 'best');
  const config = loadConfig<C>(location.configFile, app.schema as ConfigSchema<C>, opts.overrides ?? []);
  const settings = app.trainer(config);
  await initBackend(settings.backend, { log: () => undefined });
  seedEverything(settings.seed);
  const predictor = await OnnxPredictor.load(opts.onnx);
  const experiment = await app.setup(config, { stage: 'evaluate', log });
  try {
    if (predictor.outputNames.length !== 1)
      throw new Error(`ONNX model ${opts.onnx} has ${predictor.outputNames.length} outputs; a classifier has one`);
    const inputKey = experiment.classifier?.inputKey ?? 'x';
    const targetKey = experiment.classifier?.targetKey ?? 'y';
    const truth: number[] = [];
    const preds: number[] = [];
    let lossSum = 0;
    const started = performance.now();
    for await (const batch of experiment.test.batches(0)) {
      try {
        const x = batch[inputKey];
        const y = batch[targetKey];
        if (!x || !y)
          throw new Error(
            `${app.project}: a test batch has no '${!x ? inputKey : targetKey}' (keys: ${Object.keys(batch).join(', ')})`,
          );
        const [logits] = await predictor.predict(x);
        const [pred, loss] = tf.tidy(() => {
          const labels = y.toInt().reshape([-1]);
          const ce = tf.losses.softmaxCrossEntropy(
            tf.oneHot(labels, logits.shape[1] as number),
            logits,
            undefined,
            0,
            tf.Reduction.SUM,
          );
          return [logits.argMax(-1), ce];
        });
        preds.push(...(pred.dataSync() as Int32Array));
        truth.push(...Array.from(y.dataSync()));
        lossSum += loss.dataSync()[0];
        tf.dispose([logits, pred, loss]);
      } finally {
        tf.dispose(Object.values(batch));
      }
    }
    if (truth.length === 0) throw new Error(`${app.project}: the test split yielded no examples`);
    const seconds = (performance.now() - started) / 1000;
    const yTrue = Int32Array.from(truth);
    const yPred = Int32Array.from(preds);
    const correct = yTrue.reduce((n, label, i) => n + (label === yPred[i] ? 1 : 0), 0);
    const name = path.basename(opts.onnx).replace(/\.onnx$/, '');
    const outDir = path.join(location.runDir, `evaluation_${name}_onnx`);
    fs.mkdirSync(outDir, { recursive: true });
    writeLabelReport(outDir, yTrue, yPred, experiment.classifier?.classNames);
    const results = {
      project: app.project,
      onnx: path.resolve(opts.onnx),
      runtime: 'onnxruntime-node',
      overrides: opts.overrides ?? [],
      data: experiment.data,
      test_examples: yTrue.length,
      test_acc: correct / yTrue.length,
      // Softmax cross-entropy of the logits (a module's own test_loss may add terms or smoothing).
      test_ce: lossSum / yTrue.length,
      images_per_second: Number((yTrue.length / seconds).toFixed(1)),
    };
    writeJsonAtomic(path.join(outDir, 'results.json'), results);
    log(
      `[${app.project}] ${opts.onnx} on the test split through onnxruntime: ${yTrue.length} examples, ` +
        `test_acc ${results.test_acc.toFixed(4)} test_ce ${results.test_ce.toFixed(4)}; wrote ${outDir}/`,
    );
    return { outDir, results };
  } finally {
    experiment.dispose?.();
    await predictor.release();
  }
}
