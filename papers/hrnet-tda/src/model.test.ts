// The paper's experiment files through common's HRNet builder: the nine official files hold common's variant tables,
// the 32x32 experiment (our MODEL.IN_CHANNELS and MODEL.EXTRA.STEM_STRIDES) keeps 16/8/4/2 branches, and the summary.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildHrnet, countTorchParameters, HRNET_STAGE_NAMES, HRNET_VARIANTS, hrnetStages } from '@research/common';
import { loadExperiment } from './config';
import { countTrainableParams, formatSummary } from './summary';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('wasm');
});

it.each(HRNET_VARIANTS)('experiment %s: MODEL.EXTRA is common hrnet_%s (official network defaults)', (variant) => {
  const model = loadExperiment(variant).MODEL;
  const tables = hrnetStages(variant);
  for (const name of HRNET_STAGE_NAMES) expect(model.EXTRA[name]).toEqual(tables[name]);
  expect(model.EXTRA.STEM_STRIDES).toEqual([2, 2]);
  expect(model.IN_CHANNELS).toBe(3);
  expect(model.IMAGE_SIZE).toEqual([224, 224]);
});

it('the 32x32 experiment keeps 16/8/4/2 branches and outputs 10 logits', () => {
  const { model, stageOutputs } = buildHrnet(loadExperiment('w18_small_v1_32x32').MODEL, { init: 'zeros' });
  const shapes = stageOutputs.map((branches) => branches.map((n) => model.getLayer(n).outputShape));
  expect(shapes).toEqual([
    [[null, 16, 16, 128]],
    [
      [null, 16, 16, 16],
      [null, 8, 8, 32],
    ],
    [
      [null, 16, 16, 16],
      [null, 8, 8, 32],
      [null, 4, 4, 64],
    ],
    [
      [null, 16, 16, 16],
      [null, 8, 8, 32],
      [null, 4, 4, 64],
      [null, 2, 2, 128],
    ],
  ]);
  const x = tf.zeros([2, 32, 32, 1]);
  const logits = model.predict(x) as tf.Tensor;
  expect(logits.shape).toEqual([2, 10]);
  tf.dispose([x, logits]);
  model.dispose();
});

it('formatSummary lists every layer with its output shape and the totals', () => {
  const { model } = buildHrnet(loadExperiment('w18_small_v1_32x32').MODEL, { init: 'zeros' });
  const text = formatSummary(model);
  expect(text).toMatch(/^conv1 +Conv2D +\[B, 32, 32, 64\] +576$/m);
  expect(text).toMatch(/^avgpool +GlobalAveragePooling2D +\[B, 2048\] +0$/m);
  expect(text).toMatch(/^classifier +Dense +\[B, 10\] +20,490$/m);
  expect(countTrainableParams(model)).toBe(countTorchParameters(model));
  expect(text).toContain(`Trainable params: ${countTrainableParams(model).toLocaleString('en-US')}`);
  expect(text.split('\n').length).toBe(model.layers.length + 7);
  model.dispose();
});
