// The `export` command every app has: a run's checkpoint (or a glob of them) to ONNX with the run's config.
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_OPSET, type OnnxLayout } from '../export';
import type { AppDefinition } from './app';
import { exportRuns } from './export-run';

function positive(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value <= 0)
    throw new InvalidArgumentError(`expected a positive integer, got '${text}'`);
  return value;
}

interface ExportFlags {
  checkpoint: string;
  output?: string;
  opset: number;
  input_size?: string[];
  layout: string;
  foldBatchnorm?: boolean;
  validate?: boolean;
  comprehensiveValidate?: boolean;
  benchmark?: boolean;
}

export function registerExport<C extends object>(program: Command, app: AppDefinition<C>): void {
  program
    .command('export')
    .description(
      "export a run's checkpoint to ONNX (NCHW by default, as PyTorch tools expect), the model rebuilt from the run's " +
        'config; optionally validated and benchmarked',
    )
    .argument('[overrides...]', "changes to the run's config: key=value")
    .requiredOption(
      '--checkpoint <path>',
      'a run folder (its best checkpoint), a .safetensors file in <run>/checkpoints/, or a glob (each match)',
    )
    .option('--output <file>', 'the ONNX file (default beside the checkpoint: best.safetensors -> best.onnx)')
    .option('--opset <n>', 'ai.onnx opset (13-21; python3-onnx 1.12 checks up to 17)', positive, DEFAULT_OPSET)
    .option('--input_size <size...>', 'H W: rebuild the model (and the test data) for this input size')
    .option('--layout <layout>', 'nchw (channels first at the edges) or nhwc (tfjs layout)', 'nchw')
    .option('--fold-batchnorm', 'fold BatchNormalization into the preceding convolution')
    .option('--validate', 'random inputs through onnxruntime and tfjs: max |difference| <= 1e-4')
    .option('--comprehensive-validate', "the run's test split through both: accuracies, agreement, logit differences")
    .option('--benchmark', 'img/s at batch 1 and 64: tfjs, onnxruntime (and PyTorch for its reference models)')
    .action(async (overrides: string[], flags: ExportFlags) => {
      if (flags.layout !== 'nchw' && flags.layout !== 'nhwc')
        throw new Error(`--layout: expected nchw or nhwc, got '${flags.layout}'`);
      let inputSize: [number, number] | undefined;
      if (flags.input_size) {
        const size = flags.input_size.map(Number);
        if (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0))
          throw new Error(`--input_size: expected two positive integers H W, got '${flags.input_size.join(' ')}'`);
        inputSize = [size[0], size[1]];
      }
      const { passed } = await exportRuns(app, flags.checkpoint, {
        overrides,
        output: flags.output,
        opset: flags.opset,
        layout: flags.layout as OnnxLayout,
        foldBatchNorm: flags.foldBatchnorm ?? false,
        inputSize,
        validate: flags.validate,
        comprehensiveValidate: flags.comprehensiveValidate,
        benchmark: flags.benchmark,
      });
      if (!passed) process.exitCode = 1;
    });
}
