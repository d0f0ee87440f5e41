/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// Every architecture in common's registry: export -> onnxruntime -> compare with tfjs, in both layouts, with a
// dynamic batch of 1 and 5; python3-onnx's checker (full_check) accepts the opset-17 files when it is installed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createModel, listModels, type ModelOptions } from '../index';
import { tmpDir } from './__fixtures__/round-trip';
import { exportToOnnx } from './exporter';
import { encodeModel } from './onnx-graph';
import { checkOnnxWithPython, pythonOnnxAvailable } from './python-checker';
import { validateOnnx } from './validate';

const TOL = 1e-4;
let dir: string;
const checkerFiles: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = tmpDir();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The smallest input the factory accepts: MNIST-sized, then CIFAR-sized, then its defaults. */
function buildSmall(name: string): tf.LayersModel {
  const candidates: ModelOptions[] = [
    { inputShape: [28, 28, 1], numClasses: 7 },
    { inputShape: [32, 32, 3], numClasses: 7 },
    { numClasses: 7 },
  ];
  const errors: string[] = [];
  for (const options of candidates) {
    try {
      return createModel(name, options);
    } catch (e) {
      errors.push(`${JSON.stringify(options)}: ${(e as Error).message}`);
    }
  }
  throw new Error(`model '${name}' could not be built with small options: ${errors.join('; ')}`);
}

describe('every registered architecture exports to ONNX', () => {
  it.each(listModels())('%s: onnxruntime = tfjs (NCHW batch 1 and 5, NHWC batch 2)', async (name) => {
    const model = buildSmall(name);
    for (const layout of ['nchw', 'nhwc'] as const) {
      const exported = exportToOnnx(model, { layout, opset: 17 });
      const file = path.join(dir, `${name}-${layout}.onnx`);
      fs.writeFileSync(file, exported.bytes);
      checkerFiles.push(file);
      expect(exported.inputs[0].shape[0]).toBe('batch');
      for (const batch of layout === 'nchw' ? [1, 5] : [2]) {
        const result = await validateOnnx(model, file, { batch, report: false });
        if (!(result.max_abs_diff <= TOL))
          throw new Error(`${name} (${layout}, batch ${batch}): max |onnx - tfjs| = ${result.max_abs_diff} > ${TOL}`);
      }
    }
    model.dispose();
  });

  const withChecker = pythonOnnxAvailable() ? it : it.skip;
  withChecker('python3-onnx checker (full_check) accepts every exported file', () => {
    expect(checkerFiles.length).toBe(2 * listModels().length);
    const failures = checkOnnxWithPython(checkerFiles).filter((r) => !r.ok);
    expect(failures).toEqual([]);
  });

  withChecker('the checker does reject a model whose declared output shape is wrong', () => {
    const exported = exportToOnnx(createModel('reference-cnn'), { opset: 17 });
    const dims = exported.model.graph?.output?.[0].type?.tensorType?.shape?.dim ?? [];
    dims[1] = { dimValue: 11 }; // the graph computes 10 logits
    const file = path.join(dir, 'wrong-shape.onnx');
    fs.writeFileSync(file, encodeModel(exported.model));
    const [verdict] = checkOnnxWithPython([file]);
    expect(verdict.ok).toBe(false);
    expect(verdict.error).toMatch(/shape|dimension|Inferred/i);
  });
});
