/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// The run layer's export on the tiny app: the model rebuilt from the run's config, every checkpoint of a glob,
// validation on the run's test split, the ONNX file evaluated on that split, the CLI command, and bad input.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModel } from '../models';
import { tinyMlp } from '../training/__fixtures__/synthetic';
import { torchReferenceName } from '../export';
import { appProgram, evaluateOnnx, exportRun, exportRuns, formatBenchmark, trainRun } from '.';
import { tinyApp } from './__fixtures__/tiny-app';

process.env.RESEARCH_WASM_THREADS = '0';

let root: string;
const quiet = () => undefined;
beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-export-'))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('exports every checkpoint of a glob with the run config; the ONNX file reproduces the run test accuracy', async () => {
  const run = await trainRun(tinyApp, { outputRoot: root, progress: false, log: quiet, epochs: 2 });
  const checkpoints = path.join(run.runDir, 'checkpoints');
  const { results, passed } = await exportRuns(tinyApp, path.join(checkpoints, '*.safetensors'), {
    validate: true,
    comprehensiveValidate: true,
    log: quiet,
  });
  expect(passed).toBe(true);
  expect(results.map((r) => path.basename(r.output)).sort()).toEqual(['best.onnx', 'last.onnx']);
  const best = results.find((r) => r.output.endsWith('best.onnx'));
  expect(best?.export.inputs[0].shape).toEqual(['batch', 1, 4, 4]); // NCHW by default
  expect(best?.dataset).toMatchObject({
    examples: 32,
    accuracy_tfjs: run.results.test_acc,
    accuracy_onnx: run.results.test_acc,
    prediction_agreement: 1,
  });
  const report = JSON.parse(fs.readFileSync(path.join(checkpoints, 'validation_report.json'), 'utf8'));
  expect(Object.keys(report).sort()).toEqual(['best.onnx', 'last.onnx']);
  expect(report['best.onnx'].dataset.max_abs_logit_diff).toBeLessThanOrEqual(1e-4);
  expect(report['best.onnx'].random_inputs.passed).toBe(true);

  // The ONNX file on the run's test split: the run's accuracy, its loss (plain cross-entropy), and its report.
  const evaluated = await evaluateOnnx(tinyApp, {
    onnx: path.join(checkpoints, 'best.onnx'),
    target: run.runDir,
    log: quiet,
  });
  expect(evaluated.outDir).toBe(path.join(run.runDir, 'evaluation_best_onnx'));
  expect(evaluated.results.test_acc).toBe(run.results.test_acc);
  expect(evaluated.results.test_ce).toBeCloseTo(run.results.test_loss as number, 5);
  expect(fs.readFileSync(path.join(evaluated.outDir, 'classification_report.txt'), 'utf8')).toBe(
    fs.readFileSync(path.join(run.runDir, 'classification_report.txt'), 'utf8'),
  );

  // Every app has the command: NHWC at opset 13 to another file.
  const output = path.join(root, 'tiny-nhwc.onnx');
  const argv = ['node', 'tiny', 'export', '--checkpoint', run.runDir, '--layout', 'nhwc', '--opset', '13'];
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  await appProgram(tinyApp).parseAsync([...argv, '--output', output]);
  jest.restoreAllMocks();
  expect(fs.existsSync(output)).toBe(true);

  // What cannot be exported says why.
  const noGraph = {
    ...tinyApp,
    setup: async (...args: Parameters<typeof tinyApp.setup>) => {
      const exp = await tinyApp.setup(...args);
      return { ...exp, classifier: { predict: exp.classifier!.predict } };
    },
  };
  await expect(exportRun(noGraph, { target: run.runDir, log: quiet })).rejects.toThrow(
    'tiny: its setup gives no classifier.model',
  );
  await expect(exportRun(tinyApp, { target: run.runDir, inputSize: [8, 8], log: quiet })).rejects.toThrow(
    '--input_size: tiny does not say which config keys set its input size',
  );
  await expect(
    exportRuns(tinyApp, path.join(checkpoints, '*.safetensors'), { output: 'one.onnx', log: quiet }),
  ).rejects.toThrow("--output names one file, but '");
  await expect(exportRuns(tinyApp, path.join(root, 'none*'), { log: quiet })).rejects.toThrow(
    '--checkpoint: nothing matches',
  );
});

it("knows torch_reference.py's models and prints its column at its batch", () => {
  const models = [
    createModel('reference-cnn'),
    createModel('vit-tiny'),
    createModel('reference-cnn', { numClasses: 4 }),
  ];
  const mlp = tinyMlp();
  expect(models.map(torchReferenceName)).toEqual(['cnn', 'vit-tiny', null]);
  expect(torchReferenceName(mlp)).toBeNull();
  [...models, mlp].forEach((m) => m.dispose());
  const rows = [
    { batch: 1, tfjs_img_s: 100, onnx_img_s: 400, ratio: 4 },
    { batch: 64, tfjs_img_s: 1000, onnx_img_s: 3000, ratio: 3 },
  ];
  expect(formatBenchmark(rows, 'wasm', { model: 'cnn', batch: 64, infer_img_s: 1500 })).toEqual([
    '| batch | tfjs wasm img/s | onnxruntime img/s | onnx / tfjs | PyTorch img/s | onnx / torch |',
    '| --- | --- | --- | --- | --- | --- |',
    '| 1 | 100 | 400 | 4.00 | - | - |',
    '| 64 | 1000 | 3000 | 3.00 | 1500 | 2.00 |',
  ]);
});
