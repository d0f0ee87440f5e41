// `export`: a run's checkpoint -> ONNX, the model rebuilt by the app's setup from the run's config.yaml (architecture,
// input size, classes, channels as the run built them), so every app exports the same way. Optionally checked against
// the tfjs model (random inputs; the run's whole test split) and benchmarked (tfjs, onnxruntime, PyTorch's reference).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { describeBackend, initBackend } from '../backend';
import { loadConfig, type ConfigSchema } from '../config';
import {
  defaultOnnxPath,
  exportModelFile,
  torchReferenceAvailable,
  torchReferenceName,
  torchReferenceThroughput,
  writeValidationReport,
  VALIDATION_REPORT,
  type ExportCheckpointResult,
  type OnnxLayout,
} from '../export';
import { loadModuleWeights, seedEverything } from '../training';
import type { AppDefinition } from './app';
import { locateRun } from './checkpoints';

export interface ExportRunOptions {
  /** A run folder (its best checkpoint) or a checkpoint file inside `<run>/checkpoints/`. */
  target: string;
  /** Changes to the run's saved config. */
  overrides?: readonly string[];
  /** Default: beside the checkpoint (best.safetensors -> best.onnx). */
  output?: string;
  opset?: number;
  layout?: OnnxLayout;
  foldBatchNorm?: boolean;
  /** Rebuild the model (and its test data) for this input size through the app's `inputSizeOverrides`. */
  inputSize?: readonly [number, number];
  /** Random inputs through both: max |onnx - tfjs| <= 1e-4. */
  validate?: boolean;
  /** The run's whole test split through both: accuracies, prediction agreement, logit differences. */
  comprehensiveValidate?: boolean;
  /** img/s at batch 1 and 64, tfjs and onnxruntime, and PyTorch when the model is one of its reference models. */
  benchmark?: boolean;
  /** Timed seconds per benchmark measurement (default 2). */
  benchmarkSeconds?: number;
  log?: (line: string) => void;
}

export interface ExportRunResult extends ExportCheckpointResult {
  checkpoint: string;
  runDir: string;
  /** The running tfjs backend, short ("wasm-2t", "cpu"), as the benchmark's column names it. */
  backend: string;
  /** PyTorch's inference img/s at batch 64 on the same reference model (torch_reference.py), when it is one. */
  torch?: { model: string; batch: number; infer_img_s: number };
}

/** The checkpoint files (or run folders) a path or glob names, sorted; an error when nothing matches. */
export function matchCheckpoints(pattern: string): string[] {
  if (!isDynamicPattern(pattern)) {
    if (!fs.existsSync(pattern)) throw new Error(`--checkpoint: ${pattern} does not exist`);
    return [pattern];
  }
  const files = globSync(pattern, { onlyFiles: false, absolute: path.isAbsolute(pattern) }).sort();
  if (files.length === 0) throw new Error(`--checkpoint: nothing matches '${pattern}'`);
  return files;
}

function checkInputSize(size: readonly number[]): void {
  if (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`--input_size: expected two positive integers H W, got '${size.join(' ')}'`);
}

/** Exports one checkpoint of a run of `app`; writes the .onnx file and, with checks, validation_report.json beside. */
export async function exportRun<C extends object>(
  app: AppDefinition<C>,
  opts: ExportRunOptions,
): Promise<ExportRunResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const location = locateRun(opts.target, 'best');
  const overrides = [...(opts.overrides ?? [])];
  if (opts.inputSize) {
    checkInputSize(opts.inputSize);
    if (!app.inputSizeOverrides)
      throw new Error(`--input_size: ${app.project} does not say which config keys set its input size`);
  }
  const saved = loadConfig<C>(location.configFile, app.schema as ConfigSchema<C>, overrides);
  if (opts.inputSize && app.inputSizeOverrides) overrides.push(...app.inputSizeOverrides(saved, opts.inputSize));
  const config = opts.inputSize ? loadConfig<C>(location.configFile, app.schema as ConfigSchema<C>, overrides) : saved;
  const settings = app.trainer(config);
  const backend = await initBackend(settings.backend, { log: () => undefined });
  seedEverything(settings.seed);
  const experiment = await app.setup(config, { stage: 'evaluate', log });
  try {
    const classifier = experiment.classifier;
    if (!classifier?.model) {
      throw new Error(
        `${app.project}: its setup gives no classifier.model (the input -> logits graph), so there is nothing to ` +
          'export (add it to the Experiment the app returns)',
      );
    }
    const state = loadModuleWeights(experiment.module, location.checkpoint);
    const output = path.resolve(opts.output ?? defaultOnnxPath(location.checkpoint));
    const result = await exportModelFile(classifier.model, output, {
      opset: opts.opset,
      layout: opts.layout,
      foldBatchNorm: opts.foldBatchNorm,
      validate: opts.validate,
      dataset: opts.comprehensiveValidate ? experiment.test : undefined,
      datasetOptions: { inputKey: classifier.inputKey ?? 'x', targetKey: classifier.targetKey ?? 'y' },
      benchmark: opts.benchmark ? { seconds: opts.benchmarkSeconds ?? 2 } : undefined,
    });
    const out: ExportRunResult = {
      ...result,
      checkpoint: location.checkpoint,
      runDir: location.runDir,
      backend: backend.name + (backend.name === 'wasm' ? `-${backend.threads}t` : ''),
    };
    if (opts.benchmark && result.benchmark) {
      const reference = torchReferenceName(classifier.model);
      if (reference && torchReferenceAvailable()) {
        log(
          `[${app.project}] PyTorch reference '${reference}': torch_reference.py throughput ` +
            '(it trains and times every reference model: a minute on a quiet machine, more on a loaded one)',
        );
        const row = torchReferenceThroughput().find((r) => r.model === reference);
        if (row) out.torch = { model: row.model, batch: row.batch, infer_img_s: row.infer_img_s };
      }
      writeValidationReport(path.join(path.dirname(output), VALIDATION_REPORT), output, 'benchmark', {
        backend: describeBackend(backend),
        rows: result.benchmark,
        torch: out.torch ?? null,
      });
    }
    log(`[${app.project}] ${location.checkpoint} (after epoch ${state.epoch}) -> ${output}`);
    return out;
  } finally {
    experiment.dispose?.();
  }
}

/** The side-by-side img/s table of a benchmark (PyTorch's column at its batch when given). */
export function formatBenchmark(
  rows: NonNullable<ExportCheckpointResult['benchmark']>,
  backend: string,
  torch?: ExportRunResult['torch'],
): string[] {
  const lines = [
    `| batch | tfjs ${backend} img/s | onnxruntime img/s | onnx / tfjs |${torch ? ' PyTorch img/s | onnx / torch |' : ''}`,
    `| --- | --- | --- | --- |${torch ? ' --- | --- |' : ''}`,
  ];
  for (const r of rows) {
    const t = torch && r.batch === torch.batch ? torch.infer_img_s : undefined;
    const torchCells = torch ? (t ? ` ${t} | ${(r.onnx_img_s / t).toFixed(2)} |` : ' - | - |') : '';
    lines.push(
      `| ${r.batch} | ${r.tfjs_img_s.toFixed(0)} | ${r.onnx_img_s.toFixed(0)} | ${r.ratio.toFixed(2)} |${torchCells}`,
    );
  }
  return lines;
}

/** What one export prints: the file, its edges, and each check's figures. */
export function describeExport(
  checkpoint: string,
  r: ExportCheckpointResult & { torch?: ExportRunResult['torch'] },
  backend: string,
): string[] {
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
  if (r.benchmark) lines.push(...formatBenchmark(r.benchmark, backend, r.torch).map((l) => `  ${l}`));
  return lines;
}

/** True when every check that ran passed (random inputs within tolerance, every test prediction the same). */
export function exportPassed(r: ExportCheckpointResult): boolean {
  return (r.validation?.passed ?? true) && (r.dataset ? r.dataset.prediction_agreement === 1 : true);
}

/** Exports every run checkpoint a path or glob names (`--output` only with one); prints each. */
export async function exportRuns<C extends object>(
  app: AppDefinition<C>,
  pattern: string,
  opts: Omit<ExportRunOptions, 'target'>,
): Promise<{ results: ExportRunResult[]; passed: boolean }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const targets = matchCheckpoints(pattern);
  if (opts.output && targets.length > 1)
    throw new Error(`--output names one file, but '${pattern}' matches ${targets.length} checkpoints`);
  const results: ExportRunResult[] = [];
  for (const target of targets) {
    const r = await exportRun(app, { ...opts, target, log });
    const relative = path.relative(process.cwd(), r.checkpoint);
    const shown = relative && !relative.startsWith('..') ? relative : r.checkpoint;
    describeExport(shown, r, r.backend).forEach((l) => log(l));
    results.push(r);
  }
  return { results, passed: results.every(exportPassed) };
}
