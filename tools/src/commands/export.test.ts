/**
 * @jest-environment ../packages/common/src/export/__fixtures__/ort-environment.js
 */
// `tools export`: checkpoints matched by a glob -> ONNX beside each, validated; the options' errors.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Adam,
  classificationModule,
  createModel,
  inferOnnx,
  maxAbsDiff,
  saveCheckpoint,
  Trainer,
} from '@research/common';
import * as tf from '@tensorflow/tfjs';
import { buildModel, runExport } from './export';

let dir: string;

beforeAll(async () => {
  process.env.RESEARCH_BACKEND = 'cpu';
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-export-'));
});

afterAll(() => {
  delete process.env.RESEARCH_BACKEND;
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeRun(name: string, model: tf.LayersModel): string {
  const file = path.join(dir, name, 'checkpoints', 'best.safetensors');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const ckpt = new Trainer({ maxEpochs: 1, optimizer: new Adam({ lr: 1e-3 }) }).checkpoint(classificationModule(model));
  saveCheckpoint(file, ckpt);
  tf.dispose(ckpt.tensors);
  return file;
}

describe('tools export', () => {
  it('exports every checkpoint a glob matches to best.onnx beside it, validated', async () => {
    const models = [createModel('reference-cnn', { numClasses: 4 }), createModel('reference-cnn', { numClasses: 4 })];
    const files = models.map((m, i) => writeRun(`run${i}`, m));
    const lines: string[] = [];
    const { results, passed } = await runExport(
      {
        checkpoint: path.join(dir, 'run*', 'checkpoints', 'best.safetensors'),
        model: 'reference-cnn',
        numClasses: '4',
        validate: true,
      },
      (l) => lines.push(l),
    );
    expect(passed).toBe(true);
    expect(results.map((r) => r.output)).toEqual(files.map((f) => path.join(path.dirname(f), 'best.onnx')));
    expect(
      lines.filter((l) => l.includes('validate: max |onnx - tfjs|') && l.includes('(ok, tolerance 0.0001)')),
    ).toHaveLength(2);
    // Each file holds its own checkpoint's weights.
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3);
    for (let i = 0; i < 2; i++) {
      const y = (await inferOnnx(results[i].output, x)) as tf.Tensor;
      expect(maxAbsDiff(y, models[i].predict(x) as tf.Tensor)).toBeLessThanOrEqual(1e-4);
    }
    expect(fs.existsSync(path.join(dir, 'run0', 'checkpoints', 'validation_report.json'))).toBe(true);
  });

  it('writes --output in NHWC at another opset', async () => {
    const file = writeRun('single', createModel('reference-cnn'));
    const output = path.join(dir, 'custom', 'cnn.onnx');
    const { results } = await runExport(
      { checkpoint: file, model: 'reference-cnn', output, layout: 'nhwc', opset: '13' },
      () => undefined,
    );
    expect(results[0].output).toBe(output);
    expect(results[0].export.inputs[0].shape).toEqual(['batch', 28, 28, 1]);
    expect(results[0].export.opset).toBe(13);
  });

  it('rebuilds the model for --input_size, keeping the channels', () => {
    expect(buildModel({ checkpoint: '', model: 'reference-cnn', input_size: ['32', '36'] }).inputs[0].shape).toEqual([
      null,
      32,
      36,
      1,
    ]);
    expect(buildModel({ checkpoint: '', model: 'vit-tiny', inputShape: ['14', '14', '3'] }).inputs[0].shape).toEqual([
      null,
      14,
      14,
      3,
    ]);
  });

  it('says what is wrong with the options', async () => {
    const quiet = () => undefined;
    await expect(
      runExport({ checkpoint: path.join(dir, 'none*.safetensors'), model: 'reference-cnn' }, quiet),
    ).rejects.toThrow('--checkpoint: nothing matches');
    await expect(
      runExport({ checkpoint: path.join(dir, 'missing.safetensors'), model: 'reference-cnn' }, quiet),
    ).rejects.toThrow('missing.safetensors does not exist');
    const glob = path.join(dir, 'run*', 'checkpoints', 'best.safetensors');
    await expect(runExport({ checkpoint: glob, model: 'reference-cnn', output: 'x.onnx' }, quiet)).rejects.toThrow(
      '--output names one file, but',
    );
    await expect(runExport({ checkpoint: glob }, quiet)).rejects.toThrow('give --model <name> (registered: ');
    await expect(runExport({ checkpoint: glob, model: 'reference-cnn', layout: 'chw' }, quiet)).rejects.toThrow(
      "--layout: expected nchw or nhwc, got 'chw'",
    );
    await expect(
      runExport({ checkpoint: glob, model: 'reference-cnn', comprehensiveValidate: true }, quiet),
    ).rejects.toThrow('--comprehensive-validate needs --dataset');
  });
});
