// `tools inference --checkpoint_path <run>/checkpoints/best.safetensors`: the test split of the run's config evaluated
// (evaluation_<checkpoint>/ in the run folder), and with --input the predictions of new images as CSV, through the
// checkpoint (tfjs) or, with --onnx, an exported model (onnxruntime: the test split goes to evaluation_<file>_onnx/).
import * as path from 'node:path';
import {
  evaluateOnnx,
  evaluateRun,
  frameworkApp,
  frameworkClassNames,
  initBackend,
  listInputImages,
  loadFrameworkRun,
  onnxLogits,
  predictImages,
  tfjsLogits,
  writePredictionsCsv,
  type BackendPreference,
  type LogitsFunction,
} from '@research/common';
import type { Command } from 'commander';
import { dualOption, flagValue } from './train';

type Flags = Record<string, string | boolean | undefined>;

export function register(program: Command): void {
  const command = program
    .command('inference')
    .description("evaluate a run's checkpoint on its test split; with --input, predict images and write a CSV")
    .argument('[overrides...]', "changes to the run's config, key=value (e.g. data.data_dir=elsewhere)")
    .option('--input <path>', 'an image or a folder of images (any depth) to predict')
    .option('--output <csv>', 'predictions file (default: predictions.csv in the evaluation folder of the checkpoint)')
    .option(
      '--onnx <file>',
      'run the test split (and --input) through this ONNX model (tools export) with onnxruntime; the run is the ' +
        'folder above the file unless --checkpoint_path names it',
    )
    .option('--no-test', 'with --input: skip the test-split evaluation')
    .option('--backend <name>', 'tensor backend: auto, wasm, cpu, tfjs-node, tfjs-node-gpu', 'auto');
  dualOption(
    command,
    'checkpoint_path',
    'a run folder (its best checkpoint) or a .safetensors file in <run>/checkpoints/',
  );
  command.action(async (overrides: string[], o: Flags) => {
    const onnxFile = typeof o.onnx === 'string' ? o.onnx : undefined;
    // An export lies beside its checkpoint (<run>/checkpoints/best.onnx): the folder above names the run.
    const checkpoint =
      flagValue(o, 'checkpoint_path') ?? (onnxFile ? path.dirname(path.dirname(path.resolve(onnxFile))) : undefined);
    if (!checkpoint) throw new Error('tools inference needs --checkpoint_path <run>/checkpoints/best.safetensors');
    const input = typeof o.input === 'string' ? o.input : undefined;
    if (o.output !== undefined && !input) throw new Error('--output goes with --input (the images to predict)');
    if (o.test === false && !input) throw new Error('--no-test leaves nothing to do without --input');
    const backend = o.backend as BackendPreference;
    if (o.test !== false) {
      if (onnxFile) await evaluateOnnx(frameworkApp({ backend }), { onnx: onnxFile, target: checkpoint, overrides });
      else await evaluateRun(frameworkApp({ backend }), { target: checkpoint, overrides });
    }
    if (!input) return;

    const files = listInputImages(input); // before any work: a wrong --input fails at once
    await initBackend(backend);
    const run = loadFrameworkRun(checkpoint, overrides);
    const onnx = onnxFile ? await onnxLogits(onnxFile) : undefined;
    try {
      const logits: LogitsFunction = onnx?.logits ?? tfjsLogits(run.model);
      const started = performance.now();
      const predictions = await predictImages(run.config, files, logits);
      const seconds = (performance.now() - started) / 1000;
      const output =
        typeof o.output === 'string'
          ? o.output
          : path.join(run.runDir, `evaluation_${path.basename(run.checkpoint, '.safetensors')}`, 'predictions.csv');
      writePredictionsCsv(output, predictions, frameworkClassNames(run.config));
      console.log(
        `[framework] ${files.length} images predicted through ${onnx ? `onnxruntime (${onnxFile})` : 'the checkpoint (tfjs)'} in ` +
          `${seconds.toFixed(1)} s (${(files.length / seconds).toFixed(0)} images/s); wrote ${output}`,
      );
    } finally {
      run.model.dispose();
      await onnx?.release();
    }
  });
}
