// `tools export`: framework runs' checkpoints (a path or a glob) to ONNX beside each, the model rebuilt from the run's
// config.yaml by the run layer's `export` (what `npx nx run <app>:export` is for the other apps); optionally validated
// on random inputs and on the run's test split, and benchmarked. A bare checkpoint outside a run folder needs the
// architecture from the registry: --model <name> [--num-classes N] [--input-shape H W C].
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createModel,
  DataLoader,
  DEFAULT_OPSET,
  describeExport,
  exportCheckpoint,
  exportPassed,
  exportRun,
  frameworkApp,
  initBackend,
  listModels,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  matchCheckpoints,
  readRunInfo,
  type BackendPreference,
  type BatchSource,
  type ExportCheckpointResult,
  type OnnxLayout,
} from '@research/common';
import type * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';

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

/** The run folder a checkpoint (or a run folder) belongs to, when it has the run's config.yaml. */
export function runFolderOf(target: string): string | undefined {
  const resolved = path.resolve(target);
  const runDir = fs.statSync(resolved).isDirectory() ? resolved : path.dirname(path.dirname(resolved));
  return fs.existsSync(path.join(runDir, 'config.yaml')) ? runDir : undefined;
}

/** The architecture of a bare checkpoint (outside a run folder), from the registry and the shape options. */
export function buildModel(o: ExportCommandOptions, checkpoint = o.checkpoint): tf.LayersModel {
  if (!o.model) {
    throw new Error(
      `${checkpoint} is not in a run folder (no config.yaml in the folder above checkpoints/), so nothing says ` +
        `which model it holds: give --model <name> (registered: ${listModels().join(', ')}) and, unless the ` +
        "registry's defaults, --num-classes N and --input-shape H W C",
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

/** Exports every matched checkpoint: runs through the run layer, bare files with --model. */
export async function runExport(
  o: ExportCommandOptions,
  log: (line: string) => void = console.log,
  backendPreference: BackendPreference = 'auto',
): Promise<{ results: ExportCheckpointResult[]; passed: boolean }> {
  const targets = matchCheckpoints(o.checkpoint);
  if (o.output && targets.length > 1)
    throw new Error(`--output names one file, but '${o.checkpoint}' matches ${targets.length} checkpoints`);
  const layout = (o.layout ?? 'nchw') as OnnxLayout;
  if (layout !== 'nchw' && layout !== 'nhwc') throw new Error(`--layout: expected nchw or nhwc, got '${o.layout}'`);
  const opset = o.opset === undefined ? DEFAULT_OPSET : positiveInt('--opset', o.opset);
  const checks = { validate: o.validate, benchmark: o.benchmark };
  const output = o.output ? path.resolve(o.output) : undefined;
  const results: ExportCheckpointResult[] = [];
  for (const target of targets) {
    const runDir = runFolderOf(target);
    if (runDir) {
      const project = readRunInfo(runDir)?.project ?? 'framework';
      if (project !== 'framework')
        throw new Error(
          `${target} is a ${project} run: export it with its app, npx nx run ${project}:export -- --checkpoint ${target}`,
        );
      if (o.model || o.numClasses || o.inputShape || o.dataset)
        log(
          '[framework] the run folder gives the model and the test split: --model, --num-classes, --input-shape ' +
            'and --dataset are ignored',
        );
      const inputSize = o.input_size ? inputSizeOf(o.input_size) : undefined;
      const r = await exportRun(frameworkApp({ backend: backendPreference }), {
        target,
        output,
        opset,
        layout,
        foldBatchNorm: o.foldBatchnorm ?? false,
        inputSize,
        comprehensiveValidate: o.comprehensiveValidate,
        ...checks,
        log,
      });
      describeExport(target, r, r.backend).forEach((l) => log(l));
      results.push(r);
      continue;
    }
    const dataset = o.comprehensiveValidate ? testSplit(o) : undefined;
    const backend =
      o.validate || o.comprehensiveValidate || o.benchmark
        ? (await initBackend(backendPreference, { log: () => undefined })).tfBackend
        : 'none';
    const model = buildModel(o, target);
    try {
      const result = await exportCheckpoint({
        model,
        checkpoint: target,
        output,
        opset,
        layout,
        ...checks,
        dataset,
        foldBatchNorm: o.foldBatchnorm ?? false,
      });
      describeExport(target, result, backend).forEach((l) => log(l));
      results.push(result);
    } finally {
      model.dispose();
    }
  }
  return { results, passed: results.every(exportPassed) };
}

function inputSizeOf(values: string[]): [number, number] {
  if (values.length !== 2) throw new Error(`--input_size: expected H W, got '${values.join(' ')}'`);
  return [positiveInt('--input_size', values[0]), positiveInt('--input_size', values[1])];
}

export function register(program: Command): void {
  program
    .command('export')
    .description(
      "export framework runs' checkpoints to ONNX with each run's config (NCHW by default, as PyTorch tools " +
        'expect), with optional validation and benchmark',
    )
    .requiredOption(
      '--checkpoint <path>',
      'a checkpoint in a run folder (<run>/checkpoints/best.safetensors), a run folder, or a glob; each match',
    )
    .option('--output <file>', 'the ONNX file (default: beside the checkpoint, best.safetensors -> best.onnx)')
    .option('--opset <n>', `ai.onnx opset (13-21; python3-onnx 1.12 checks up to 17)`, String(DEFAULT_OPSET))
    .option('--input_size <size...>', "H W: rebuild the model for this input size (default: the run's config)")
    .option('--layout <layout>', 'nchw (graph edges channels first) or nhwc (tfjs layout)', 'nchw')
    .option('--fold-batchnorm', 'fold BatchNormalization into the preceding convolution')
    .option(
      '--validate',
      'random inputs through onnxruntime and tfjs: max |difference| <= 1e-4 (validation_report.json)',
    )
    .option(
      '--comprehensive-validate',
      "the run's test split through both: accuracies, agreement, logit differences (validation_report.json)",
    )
    .option('--benchmark', 'img/s at batch 1 and 64: tfjs (running backend), onnxruntime, PyTorch for its references')
    .option('--backend <name>', 'tensor backend: auto, wasm, cpu, tfjs-node, tfjs-node-gpu', 'auto')
    .option('--model <name>', 'a bare checkpoint (outside a run folder): its registered architecture')
    .option('--num-classes <n>', 'a bare checkpoint: classes of the model')
    .option('--input-shape <shape...>', 'a bare checkpoint: H W C of the model input')
    .option(
      '--dataset <name>',
      `a bare checkpoint: test split for --comprehensive-validate: ${Object.keys(DATASETS).join(', ')}`,
    )
    .option('--data-root <dir>', 'with --dataset: folder with the dataset files (default assets/datasets/<name>)')
    .option('--batch-size <n>', 'with --dataset: batch size of --comprehensive-validate', '256')
    .action(async (o: ExportCommandOptions & { backend: string }) => {
      const { passed } = await runExport(o, console.log, o.backend as BackendPreference);
      if (!passed) process.exitCode = 1;
    });
}
