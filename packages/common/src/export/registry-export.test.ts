/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// Every architecture in common's registry: export -> onnxruntime -> compare with tfjs, in both layouts, with a
// dynamic batch of 1 and 5; python3-onnx's checker (full_check) accepts each opset-17 file when it is installed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { createModel, listModels, visionTransformer, type ModelOptions } from '../index';
import { tmpDir } from './__fixtures__/round-trip';
import { exportToOnnx } from './exporter';
import { OnnxPredictor } from './infer';
import { encodeModel } from './onnx-graph';
import { checkOnnxWithPython, pythonOnnxAvailable } from './python-checker';
import { maxAbsDiff } from './validate';

const TOL = 1e-4;
const withPython = pythonOnnxAvailable();
let dir: string;

// tfjs on wasm (one thread): on the cpu backend ConvNeXt's forward pass alone takes over a minute.
beforeAll(async () => {
  await initBackend('wasm', {
    log: () => undefined,
    env: { RESEARCH_WASM_THREADS: '0' },
  });
  dir = tmpDir();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * vit_b_16 (86M parameters) takes minutes to build, export and load here: its factory's code path
 * (visionTransformer, the same layer classes and block graph, patch 16, 12 heads) at depth 2 and width 48 instead.
 */
const REDUCED: Record<string, () => tf.LayersModel> = {
  vit_b_16: () =>
    visionTransformer(
      {
        inputShape: [64, 64, 3],
        numClasses: 7,
        patchSize: 16,
        numLayers: 2,
        numHeads: 12,
        hiddenDim: 48,
        mlpDim: 96,
      },
      'vit_b_16',
    ),
};

/** True when some layer's output has an empty axis (an input too small for the model's downsampling). */
function hasEmptyAxis(model: tf.LayersModel): boolean {
  return model.layers.some((l) => {
    const shapes = (Array.isArray(l.outputShape[0]) ? l.outputShape : [l.outputShape]) as (number | null)[][];
    return shapes.some((s) => s.some((d) => d === 0));
  });
}

/** The smallest input the factory accepts and downsamples to non-empty maps: MNIST-, CIFAR-sized, its defaults. */
function buildSmall(name: string): tf.LayersModel {
  if (REDUCED[name]) return REDUCED[name]();
  const candidates: ModelOptions[] = [
    { inputShape: [28, 28, 1], numClasses: 7 },
    { inputShape: [32, 32, 3], numClasses: 7 },
    { numClasses: 7 },
  ];
  const errors: string[] = [];
  for (const options of candidates) {
    let model: tf.LayersModel;
    try {
      model = createModel(name, options);
    } catch (e) {
      errors.push(`${JSON.stringify(options)}: ${(e as Error).message}`);
      continue;
    }
    if (!hasEmptyAxis(model)) return model;
    errors.push(`${JSON.stringify(options)}: a feature map is empty`);
    model.dispose();
  }
  throw new Error(`model '${name}' could not be built with small options: ${errors.join('; ')}`);
}

/**
 * Exports `model` in both layouts, checks onnxruntime against tfjs at batch 1 and 5 (one session per file) and runs
 * python3-onnx's checker on both files when it is installed. Returns the largest difference per layout and batch.
 */
async function exportAndCompare(name: string, model: tf.LayersModel): Promise<Record<string, number>> {
  const files: string[] = [];
  const diffs: Record<string, number> = {};
  for (const layout of ['nchw', 'nhwc'] as const) {
    const exported = exportToOnnx(model, { layout, opset: 17 });
    const file = path.join(dir, `${name}-${layout}.onnx`);
    fs.writeFileSync(file, exported.bytes);
    files.push(file);
    expect(exported.inputs[0].shape[0]).toBe('batch');
    const predictor = await OnnxPredictor.load(file);
    try {
      for (const batch of [1, 5]) {
        const x = tf.randomNormal([batch, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', batch);
        const expected = model.predict(x) as tf.Tensor;
        const [actual] = await predictor.predict(x);
        const diff = maxAbsDiff(expected, actual);
        tf.dispose([x, expected, actual]);
        if (!(diff <= TOL))
          throw new Error(`${name} (${layout}, batch ${batch}): max |onnx - tfjs| = ${diff} > ${TOL}`);
        diffs[`${layout} batch ${batch}`] = diff;
      }
    } finally {
      await predictor.release();
    }
  }
  if (withPython) expect(checkOnnxWithPython(files).filter((r) => !r.ok)).toEqual([]);
  files.forEach((f) => fs.rmSync(f));
  return diffs;
}

describe('every registered architecture exports to ONNX', () => {
  it.each(listModels())('%s: onnxruntime = tfjs (NCHW and NHWC, batch 1 and 5)', async (name) => {
    const model = buildSmall(name);
    await exportAndCompare(name, model);
    model.dispose();
  });

  // Opt-in (ONNX_EXPORT_FULL_VIT=1, ~2-3 minutes, ~350 MB per file): the real vit_b_16 at 224x224.
  (process.env.ONNX_EXPORT_FULL_VIT ? it : it.skip)(
    'vit_b_16 at full size (224x224, 86M parameters)',
    async () => {
      const model = createModel('vit_b_16', { numClasses: 1000 });
      console.log('vit_b_16 224x224 max |onnx - tfjs|', await exportAndCompare('vit_b_16-full', model));
      model.dispose();
    },
    900_000,
  );

  (withPython ? it : it.skip)('the checker does reject a model whose declared output shape is wrong', () => {
    const exported = exportToOnnx(createModel('reference-cnn'), {
      opset: 17,
    });
    const dims = exported.model.graph?.output?.[0].type?.tensorType?.shape?.dim ?? [];
    dims[1] = { dimValue: 11 }; // the graph computes 10 logits
    const file = path.join(dir, 'wrong-shape.onnx');
    fs.writeFileSync(file, encodeModel(exported.model));
    const [verdict] = checkOnnxWithPython([file]);
    expect(verdict.ok).toBe(false);
    expect(verdict.error).toMatch(/shape|dimension|Inferred/i);
  });
});
