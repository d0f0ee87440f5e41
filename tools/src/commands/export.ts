// `tools export`: a checkpoint (or every checkpoint a glob matches) to ONNX beside it, optionally validated against
// the tfjs model and benchmarked. Until the run layer rebuilds a model from a run folder's config.yaml, the
// architecture comes from the registry: --model <name> [--num-classes N] [--input-shape H W C].
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createModel,
  DataLoader,
  DEFAULT_OPSET,
  exportCheckpoint,
  initBackend,
  listModels,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  type BatchSource,
  type ExportCheckpointResult,
  type InferenceThroughput,
  type OnnxLayout,
} from '@research/common';
import type * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { globSync, isDynamicPattern } from 'tinyglobby';

export interface ExportCommandOptions {
  checkpoint: string;
  output?: string;
  opset?: string;
  input_size?: string[];
  layout?: string;
  validate?: boolean;
  comprehensiveValidate?: boolean;
  benchmark?: boolean;
  foldBatchnorm?: boolean;
  model?: string;
  numClasses?: string;
  inputShape?: string[];
  dataset?: string;
  dataRoot?: string;
  batchSize?: string;
}

const DATASETS = { 'fashion-mnist': loadFashionMnist, mnist: loadMnist, cifar10: loadCifar10 } as const;

function positiveInt(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${option}: expected a positive integer, got '${value}'`);
  return n;
}

/** The checkpoint files a path or glob names (sorted); an error if there are none. */
export function resolveCheckpoints(pattern: string): string[] {
  if (!isDynamicPattern(pattern)) {
    if (!fs.existsSync(pattern)) throw new Error(`--checkpoint: ${pattern} does not exist`);
    return [pattern];
  }
  const files = globSync(pattern, { onlyFiles: true, absolute: path.isAbsolute(pattern) }).sort();
  if (files.length === 0) throw new Error(`--checkpoint: no file matches '${pattern}'`);
  return files;
}

/** The architecture to load each checkpoint into, from the registry and the shape options. */
export function buildModel(o: ExportCommandOptions): tf.LayersModel {
  if (!o.model) {
    throw new Error(
      `--model <name> is required (registered: ${listModels().join(', ')}); ` +
        "reading the run's config.yaml comes with the run layer",
    );
  }
  const options: { inputShape?: number[]; numClasses?: number } = {};
  if (o.numClasses !== undefined) options.numClasses = positiveInt('--num-classes', o.numClasses);
  if (o.inputShape !== undefined) {
    if (o.inputShape.length !== 3) throw new Error(`--input-shape: expected H W C, got '${o.inputShape.join(' ')}'`);
    options.inputShape = o.inputShape.map((v) => positiveInt('--input-shape', v));
  }
  if (o.input_size !== undefined) {
    if (o.input_size.length !== 2) throw new Error(`--input_size: expected H W, got '${o.input_size.join(' ')}'`);
    const channels = options.inputShape?.[2] ?? (createModel(o.model, options).inputs[0].shape[3] as number);
    options.inputShape = [...o.input_size.map((v) => positiveInt('--input_size', v)), channels];
  }
  return createModel(o.model, options);
}

function testSplit(o: ExportCommandOptions): BatchSource {
  const name = o.dataset;
  if (!name || !(name in DATASETS)) {
    throw new Error(
      `--comprehensive-validate needs --dataset ${Object.keys(DATASETS).join('|')} (its test split is used), ` +
        `got '${name ?? ''}'`,
    );
  }
  const { dataset } = DATASETS[name as keyof typeof DATASETS]({ split: 'test', root: o.dataRoot });
  return new DataLoader(dataset, { batchSize: positiveInt('--batch-size', o.batchSize ?? '256'), shuffle: false });
}

/** A side-by-side img/s table. */
export function formatBenchmark(rows: InferenceThroughput[], backend: string): string[] {
  const lines = [`| batch | tfjs (${backend}) img/s | onnxruntime img/s | onnx / tfjs |`, '| --- | --- | --- | --- |'];
  for (const r of rows)
    lines.push(`| ${r.batch} | ${r.tfjs_img_s.toFixed(0)} | ${r.onnx_img_s.toFixed(0)} | ${r.ratio.toFixed(2)} |`);
  return lines;
}

/** What one export prints. */
export function describeExport(checkpoint: string, r: ExportCheckpointResult, backend: string): string[] {
  const lines = [`${checkpoint} -> ${r.output} (opset ${r.export.opset}, ${r.export.layout}, ${r.export.bytes} bytes)`];
  const shapes = (xs: { name: string; shape: (number | string)[] }[]) =>
    xs.map((x) => `${x.name} [${x.shape.join(', ')}]`).join(', ');
  lines.push(`  inputs: ${shapes(r.export.inputs)}; outputs: ${shapes(r.export.outputs)}`);
  if (r.export.foldedBatchNorms > 0) lines.push(`  batch norms folded into convolutions: ${r.export.foldedBatchNorms}`);
  if (r.validation) {
    const v = r.validation;
    lines.push(
      `  validate: max |onnx - tfjs| = ${v.max_abs_diff.toExponential(3)} on ${v.batch} random inputs ` +
        `(${v.passed ? 'ok' : 'FAILED'}, tolerance ${v.tolerance})`,
    );
  }
  if (r.dataset) {
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const d = r.dataset;
    lines.push(
      `  comprehensive: ${d.examples} test examples, accuracy tfjs ${pct(d.accuracy_tfjs)} / ` +
        `onnx ${pct(d.accuracy_onnx)}, agreement ${pct(d.prediction_agreement)}, ` +
        `logit diff max ${d.max_abs_logit_diff.toExponential(3)} mean ${d.mean_abs_logit_diff.toExponential(3)}`,
    );
  }
  if (r.benchmark) lines.push(...formatBenchmark(r.benchmark, backend).map((l) => `  ${l}`));
  return lines;
}

/** Exports every matched checkpoint; returns the printed lines and whether every validation passed. */
export async function runExport(
  o: ExportCommandOptions,
  log: (line: string) => void = console.log,
): Promise<{ results: ExportCheckpointResult[]; passed: boolean }> {
  const checkpoints = resolveCheckpoints(o.checkpoint);
  if (o.output && checkpoints.length > 1)
    throw new Error(`--output names one file, but '${o.checkpoint}' matches ${checkpoints.length} checkpoints`);
  const layout = (o.layout ?? 'nchw') as OnnxLayout;
  if (layout !== 'nchw' && layout !== 'nhwc') throw new Error(`--layout: expected nchw or nhwc, got '${o.layout}'`);
  const opset = o.opset === undefined ? DEFAULT_OPSET : positiveInt('--opset', o.opset);
  const dataset = o.comprehensiveValidate ? testSplit(o) : undefined;
  const backend =
    o.validate || o.comprehensiveValidate || o.benchmark
      ? (await initBackend('auto', { log: () => undefined })).tfBackend
      : 'none';
  const results: ExportCheckpointResult[] = [];
  for (const checkpoint of checkpoints) {
    const model = buildModel(o);
    try {
      const result = await exportCheckpoint({
        model,
        checkpoint,
        output: o.output ? path.resolve(o.output) : undefined,
        opset,
        layout,
        foldBatchNorm: o.foldBatchnorm ?? false,
        validate: o.validate,
        dataset,
        benchmark: o.benchmark,
      });
      describeExport(checkpoint, result, backend).forEach((l) => log(l));
      results.push(result);
    } finally {
      model.dispose();
    }
  }
  const passed = results.every(
    (r) => (r.validation?.passed ?? true) && (r.dataset ? r.dataset.prediction_agreement === 1 : true),
  );
  return { results, passed };
}

export function register(program: Command): void {
  program
    .command('export')
    .description(
      'export checkpoints to ONNX (NCHW by default, as PyTorch tools expect), with optional validation and benchmark',
    )
    .requiredOption(
      '--checkpoint <path>',
      'a checkpoint file (e.g. .../checkpoints/best.safetensors) or a glob; each match is exported',
    )
    .option('--output <file>', 'the ONNX file (default: beside the checkpoint, best.safetensors -> best.onnx)')
    .option('--opset <n>', `ai.onnx opset (13-21; python3-onnx 1.12 checks up to 17)`, String(DEFAULT_OPSET))
    .option('--input_size <size...>', 'H W: rebuild the model for this input size')
    .option('--layout <layout>', 'nchw (graph edges channels first) or nhwc (tfjs layout)', 'nchw')
    .option('--fold-batchnorm', 'fold BatchNormalization into the preceding convolution')
    .option(
      '--validate',
      'random inputs through onnxruntime and tfjs: max |difference| <= 1e-4 (validation_report.json)',
    )
    .option(
      '--comprehensive-validate',
      'the test split of --dataset through both: accuracies, agreement, logit differences',
    )
    .option('--benchmark', 'inference img/s at batch 1 and 64, tfjs (running backend) beside onnxruntime')
    .option('--model <name>', 'registered architecture of the checkpoint (until runs record it)')
    .option('--num-classes <n>', 'classes of the model')
    .option('--input-shape <shape...>', 'H W C of the model input')
    .option('--dataset <name>', `test split for --comprehensive-validate: ${Object.keys(DATASETS).join(', ')}`)
    .option('--data-root <dir>', 'folder with the dataset files (default assets/datasets/<name>)')
    .option('--batch-size <n>', 'batch size of --comprehensive-validate', '256')
    .action(async (o: ExportCommandOptions) => {
      const { passed } = await runExport(o);
      if (!passed) process.exitCode = 1;
    });
}
