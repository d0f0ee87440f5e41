/**
 * @jest-environment ../packages/common/src/export/__fixtures__/ort-environment.js
 */
// tools train and tools inference on a small Fashion-MNIST image folder: run folder names and files, the test
// evaluation of a checkpoint, predictions CSV through the checkpoint and through its ONNX export, and bad input.
import { readEvents } from '@research/common';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { useFrameworkWorkspace } from './__fixtures__/framework-workspace';
import { register as registerExport } from './export';
import { register as registerImageFolder } from './image-folder';
import { register as registerInference } from './inference';
import { register as registerInitConfig } from './init-config';
import { register as registerSplit } from './split';
import { register as registerTrain } from './train';

process.env.RESEARCH_WASM_THREADS = '0';

describe('tools train / inference', () => {
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    for (const register of [
      registerImageFolder,
      registerSplit,
      registerInitConfig,
      registerTrain,
      registerInference,
      registerExport,
    ])
      register(program);
    await program.parseAsync(args, { from: 'user' });
  };
  const runsDir = () => path.join(ws.dir, 'assets', 'outputs', 'runs');
  const csv = (file: string) =>
    fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));

  const ws = useFrameworkWorkspace('tools-train-', run);

  it('names the run folder by the overrides that change the config, never reuses one, and evaluates and predicts', async () => {
    const args = [
      'train',
      '--config',
      'fm.yaml',
      '--backend',
      'wasm',
      '--no-progress',
      '--batch-size',
      '8',
      '--lr',
      '0.01',
      '--num_epochs',
      '1',
      'model.architecture=tiny_net',
      'augmentation.random_resized_crop.enabled=false',
      'seed=42',
    ];
    await run(...args);
    await run(...args);
    // seed=42 is the file's value: not part of the name; fold 0 is the file's fold.
    const name = 'fm_batch_8_lr_0.01_epochs_1_architecture_tiny_net_enabled_false_fold_0';
    expect(fs.readdirSync(runsDir()).sort()).toEqual([name, `${name}_1`]);
    const runDir = path.join(runsDir(), name);
    expect(fs.readdirSync(runDir).sort()).toEqual([
      'checkpoints',
      'classification_report.txt',
      'config.yaml',
      'confusion_matrix.png',
      'curves.png',
      'metrics.csv',
      'metrics.json',
      'report.html',
      'results.json',
      'run.json',
      'tensorboard',
    ]);
    // TensorBoard: the training samples as seen by the model, and the test's confusion matrix and report.
    const events = readEvents(path.join(runDir, 'tensorboard'));
    expect(events.images['train/samples']?.[0].step).toBe(0);
    expect(events.images['test/confusion_matrix']).toHaveLength(1);
    expect(events.texts['test/classification_report/text_summary']).toHaveLength(1);
    const results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({
      project: 'framework',
      experiment: name,
      epochs: 1,
      data: expect.stringMatching(/^fm fold 0: 22 train \/ 23 val \/ 15 test images/),
    });
    // Parameters as PyTorch counts tiny_net's (BN running statistics are buffers, not parameters): conv 3x3 c->16
    // and 16->32 without bias, two BN affine pairs, Linear(32, classes).
    const config = YAML.parse(fs.readFileSync(path.join(runDir, 'config.yaml'), 'utf8'));
    const [channels, numClasses] = [config.data.channels, config.model.num_classes];
    expect(results.parameters).toBe(9 * channels * 16 + 2 * 16 + 9 * 16 * 32 + 2 * 32 + 32 * numClasses + numClasses);
    expect(fs.readFileSync(path.join(runDir, 'classification_report.txt'), 'utf8')).toMatch(
      /Ankle_boot .*\n[\s\S]*accuracy/,
    );
    const saved = fs.readFileSync(path.join(runDir, 'config.yaml'), 'utf8');
    expect(saved).toMatch(/batch_size: 8/);
    expect(saved).toMatch(/architecture: tiny_net/);

    // The test split of the run's config, through the checkpoint: the run's own test figures.
    const best = path.join(runDir, 'checkpoints', 'best.safetensors');
    await run('inference', '--checkpoint-path', best, '--backend', 'wasm');
    const evaluated = JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation_best', 'results.json'), 'utf8'));
    expect(evaluated.test_acc).toBe(results.test_acc);
    expect(evaluated.test_loss).toBeCloseTo(results.test_loss, 6);

    // Predictions of a folder through the checkpoint, then through its ONNX export: same classes, probabilities 1e-4.
    await run(
      'inference',
      '--checkpoint_path',
      best,
      '--backend',
      'wasm',
      '--no-test',
      '--input',
      'fm/raw/Bag',
      '--output',
      'tfjs.csv',
    );
    // train -> export (the model rebuilt from the run's config, no --model) -> inference --onnx on the test split.
    await run('export', '--checkpoint', best, '--backend', 'wasm', '--validate', '--comprehensive-validate');
    const onnx = path.join(runDir, 'checkpoints', 'best.onnx');
    const report = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'validation_report.json'), 'utf8'));
    expect(report['best.onnx'].random_inputs.max_abs_diff).toBeLessThanOrEqual(1e-4);
    expect(report['best.onnx'].dataset).toMatchObject({
      examples: 15,
      accuracy_tfjs: results.test_acc,
      accuracy_onnx: results.test_acc,
      prediction_agreement: 1,
    });
    expect(report['best.onnx'].dataset.max_abs_logit_diff).toBeLessThanOrEqual(1e-4);
    // --input_size rebuilds the model (global pooling: the same weights) and its data for 32x32.
    const big = path.join(ws.dir, 'big.onnx');
    await run(
      'export',
      '--checkpoint',
      best,
      '--backend',
      'wasm',
      '--input_size',
      '32',
      '32',
      '--output',
      big,
      '--validate',
    );
    expect(ws.out.some((l) => /inputs: \S+ \[batch, 1, 32, 32\]/.test(l))).toBe(true);
    expect(
      JSON.parse(fs.readFileSync(path.join(ws.dir, 'validation_report.json'), 'utf8'))['big.onnx'].random_inputs.passed,
    ).toBe(true);
    await expect(run('export', '--checkpoint', best, '--input_size', '32', '36')).rejects.toThrow(
      'a framework config has one data.image_size (square images)',
    );
    await run('inference', '--onnx', onnx, '--backend', 'wasm');
    const viaOnnx = JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation_best_onnx', 'results.json'), 'utf8'));
    expect(viaOnnx).toMatchObject({ runtime: 'onnxruntime-node', test_examples: 15, test_acc: results.test_acc });
    expect(fs.readFileSync(path.join(runDir, 'evaluation_best_onnx', 'classification_report.txt'), 'utf8')).toBe(
      fs.readFileSync(path.join(runDir, 'classification_report.txt'), 'utf8'),
    );
    await run(
      'inference',
      '--checkpoint_path',
      best,
      '--backend',
      'wasm',
      '--no-test',
      '--input',
      'fm/raw/Bag',
      '--output',
      'onnx.csv',
      '--onnx',
      onnx,
    );
    const [a, b] = [csv('tfjs.csv'), csv('onnx.csv')];
    const classes = [
      'Ankle_boot',
      'Bag',
      'Coat',
      'Dress',
      'Pullover',
      'Sandal',
      'Shirt',
      'Sneaker',
      'T-shirt_top',
      'Trouser',
    ];
    expect(a[0]).toEqual(['path', 'class', ...classes.map((c) => `prob_${c}`)]);
    expect(a.map((row) => row[0])).toEqual([
      'path',
      ...fs
        .readdirSync('fm/raw/Bag')
        .sort()
        .map((f) => path.join('fm/raw/Bag', f)),
    ]);
    expect(b.map((row) => row.slice(0, 2))).toEqual(a.map((row) => row.slice(0, 2)));
    for (const [i, row] of a.entries()) {
      if (i === 0) continue;
      const probs = row.slice(2).map(Number);
      expect(probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
      probs.forEach((p, j) => expect(Math.abs(p - Number(b[i][j + 2]))).toBeLessThanOrEqual(1e-4));
      expect(row[1]).toBe(classes[probs.indexOf(Math.max(...probs))]); // the class is the most probable
    }
  });

  it('names the flag, file or key that is wrong, and writes nothing', async () => {
    const before = fs.existsSync(runsDir()) ? fs.readdirSync(runsDir()).sort() : [];
    await expect(run('train')).rejects.toThrow('tools train needs --config <file> (or --resume <run>)');
    await expect(run('train', '--config', 'none.yaml')).rejects.toThrow(/config file none\.yaml does not exist/);
    await expect(run('train', '--config', 'fm.yaml', '--lr', '-1')).rejects.toThrow(
      "--lr: expected a number > 0, got '-1'",
    );
    await expect(run('train', '--config', 'fm.yaml', '--batch_size', '2.5')).rejects.toThrow(
      "--batch_size: expected an integer >= 1, got '2.5'",
    );
    await expect(run('train', '--config', 'fm.yaml', 'optimizer.lrr=1')).rejects.toThrow(
      /did you mean 'optimizer\.lr'/,
    );
    await expect(run('train', '--config', 'fm.yaml', '--backend', 'wasm', 'data.mean=[0.1,0.2]')).rejects.toThrow(
      /data\.mean has 2 values, expected one per channel \(data\.channels = 1\)/,
    );
    await expect(run('train', '--config', 'fm.yaml', '--resume', 'x')).rejects.toThrow('leave out --config');
    expect(fs.existsSync(runsDir()) ? fs.readdirSync(runsDir()).sort() : []).toEqual(before);
    await expect(run('inference')).rejects.toThrow('tools inference needs --checkpoint_path');
    await expect(run('inference', '--checkpoint_path', 'nowhere.safetensors')).rejects.toThrow(
      /nowhere\.safetensors does not exist/,
    );
    await expect(run('inference', '--checkpoint_path', 'x', '--output', 'p.csv')).rejects.toThrow(
      '--output goes with --input',
    );
    await expect(run('export', '--checkpoint', path.join(ws.dir, 'fm.yaml'))).rejects.toThrow(
      /fm\.yaml is not in a run folder .* give --model <name> \(registered: /,
    );
  });

  it('a corrupt image in the validation or test split fails before training and before any run folder, by name', async () => {
    fs.cpSync('fm', 'fm-bad', { recursive: true });
    const first = (split: string) =>
      fs
        .readFileSync(path.join('fm-bad', 'splits', split), 'utf8')
        .split('\n')[0]
        .trim();
    const [valImage, testImage] = [first('fold_0_val.txt'), first('test.txt')];
    const truncated = path.join('fm-bad', valImage);
    const bytes = fs.readFileSync(truncated);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.7))); // the header is whole
    fs.writeFileSync(path.join('fm-bad', testImage), 'not a png');
    const before = fs.existsSync(runsDir()) ? fs.readdirSync(runsDir()).sort() : [];
    const failure = run('train', '--config', 'fm.yaml', '--backend', 'wasm', 'data.data_dir=fm-bad');
    await expect(failure).rejects.toThrow(
      `2 of ${fs.readdirSync(path.join('fm-bad', 'raw'), { recursive: true }).filter((f) => String(f).endsWith('.png')).length}`,
    );
    const message = await failure.catch((err: Error) => err.message);
    const at = (file: string) => path.resolve('fm-bad', file);
    expect(message).toContain(`\n  ${at(valImage)}: png image data does not decode: truncated or corrupt (`);
    expect(message).toContain(`\n  ${at(testImage)}: Input file contains unsupported image format\n`);
    expect(fs.existsSync(runsDir()) ? fs.readdirSync(runsDir()).sort() : []).toEqual(before);
  });
});
