import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadExperiment, type HrnetModelConfig } from '../config';
import { buildHrnet, featureModel, POOLED_LAYER } from './hrnet';
import { countTrainableParams, formatSummary } from './summary';

// Official parameter counts (HRNet-Image-Classification README), in millions, at 1000 classes.
const OFFICIAL_PARAMS_M: [string, number][] = [
  ['w18_small_v1', 13.2],
  ['w18_small_v2', 15.6],
  ['w18', 21.3],
  ['w30', 37.7],
  ['w32', 41.2],
  ['w40', 57.6],
  ['w44', 67.1],
  ['w48', 77.5],
  ['w64', 128.1],
];

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

function modelConfig(name: string, overrides: Partial<HrnetModelConfig> = {}): HrnetModelConfig {
  return { ...loadExperiment(name).MODEL, ...overrides };
}

describe('parameter counts equal the official ones to 0.1M', () => {
  it.each(OFFICIAL_PARAMS_M)('%s: %sM', (name, millions) => {
    const { model } = buildHrnet(modelConfig(name), { init: 'zeros' });
    expect(Math.round(countTrainableParams(model) / 1e5) / 10).toBe(millions);
    model.dispose();
  });

  it('trainable counts exclude exactly the BN moving statistics (as PyTorch buffers)', () => {
    const { model } = buildHrnet(modelConfig('w18_small_v1'), { init: 'zeros' });
    const bnChannels = model.layers
      .filter((l) => l.getClassName() === 'BatchNormalization')
      .reduce((sum, l) => sum + (l.outputShape[3] as number), 0);
    expect(model.countParams() - countTrainableParams(model)).toBe(2 * bnChannels);
    model.dispose();
  });

  it('NUM_CLASSES only changes the classifier (2048 weights + 1 bias per class)', () => {
    const count = (classes: number) => {
      const { model } = buildHrnet(modelConfig('w18_small_v1', { NUM_CLASSES: classes }), { init: 'zeros' });
      const n = countTrainableParams(model);
      model.dispose();
      return n;
    };
    expect(count(1000) - count(10)).toBe(990 * 2049);
  });
});

describe('layers match the official module settings', () => {
  let model: tf.LayersModel;
  beforeAll(() => (model = buildHrnet(modelConfig('w18_small_v2'), { init: 'zeros' }).model));
  afterAll(() => model.dispose());

  it('every BatchNorm uses PyTorch momentum 0.1 (tfjs 0.9) and eps 1e-5', () => {
    const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    expect(bns.length).toBeGreaterThan(100);
    for (const bn of bns) expect(bn.getConfig()).toMatchObject({ momentum: 0.9, epsilon: 1e-5 });
  });

  it('only the head downsampling and final convolutions have a bias', () => {
    const withBias = model.layers
      .filter((l) => l.getClassName() === 'Conv2D' && l.getConfig().useBias)
      .map((l) => l.name);
    expect(withBias).toEqual(['downsamp_modules.0.0', 'downsamp_modules.1.0', 'downsamp_modules.2.0', 'final_layer.0']);
  });

  it('has the official module structure (transitions, fuse layers, incre modules)', () => {
    const names = new Set(model.layers.map((l) => l.name));
    for (const n of [
      'transition1.0.0',
      'transition1.1.0.0',
      'transition2.2.0.0',
      'transition3.3.0.0',
      'stage3.2.fuse_layers.0.2.0',
      'stage3.2.fuse_layers.0.2.2',
      'stage4.1.fuse_layers.3.0.2.0',
      'stage4.1.branches.3.1.conv2',
      'incre_modules.3.0.conv3',
      'classifier',
    ]) {
      expect(names).toContain(n);
    }
    // Small-v2: 3 stage-3 and 2 stage-4 modules; each stage keeps all resolutions (multi_scale_output).
    expect(names).not.toContain('stage3.3.fuse_add.0');
    expect(names).not.toContain('stage4.2.fuse_add.0');
    expect(names).toContain('stage4.1.fuse_add.3');
  });
});

// Shapes do not depend on the weights: zero-filled builds keep these tests fast (random init is slow under jest), and
// the forward passes run on wasm (the cpu backend's JS kernels are several times slower inside jest's vm context).
describe('forward shapes', () => {
  beforeAll(() => tf.setBackend('wasm'));
  afterAll(() => tf.setBackend('cpu'));

  it('logits are [B, classes] and each stage branch halves the resolution (non-square input)', () => {
    // IMAGE_SIZE is [width, height] as in the official files.
    const { model, stageOutputs } = buildHrnet(modelConfig('w18_small_v1', { IMAGE_SIZE: [64, 32], NUM_CLASSES: 7 }), {
      init: 'zeros',
    });
    const features = featureModel(model, [...stageOutputs.flat(), POOLED_LAYER, 'classifier']);
    const x = tf.ones([2, 32, 64, 3]);
    const outs = features.predict(x) as tf.Tensor[];
    expect(outs.map((t) => t.shape)).toEqual([
      [2, 8, 16, 128],
      [2, 8, 16, 16],
      [2, 4, 8, 32],
      [2, 8, 16, 16],
      [2, 4, 8, 32],
      [2, 2, 4, 64],
      [2, 8, 16, 16],
      [2, 4, 8, 32],
      [2, 2, 4, 64],
      [2, 1, 2, 128],
      [2, 2048],
      [2, 7],
    ]);
    tf.dispose([x, ...outs]);
    model.dispose();
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
});

describe('PyTorch padding', () => {
  it('a stride-2 3x3 conv pads one pixel on every side, as nn.Conv2d(padding=1)', () => {
    const { model } = buildHrnet(modelConfig('w18_small_v1', { IMAGE_SIZE: [32, 32], IN_CHANNELS: 1 }), {
      init: 'zeros',
    });
    // A kernel that picks the top-left tap: out[i][j] = padded[2i][2j] = in[2i-1][2j-1] (0 on the first row/column).
    const kernel = tf.buffer([3, 3, 1, 64]);
    kernel.set(1, 0, 0, 0, 0);
    model.getLayer('conv1').setWeights([kernel.toTensor()]);
    const x = tf.range(1, 32 * 32 + 1).reshape([1, 32, 32, 1]);
    const out = (featureModel(model, ['conv1']).predict(x) as tf.Tensor)
      .slice([0, 0, 0, 0], [1, 3, 3, 1])
      .reshape([3, 3]);
    const v = (r: number, c: number) => r * 32 + c + 1;
    expect(out.arraySync()).toEqual([
      [0, 0, 0],
      [0, v(1, 1), v(1, 3)],
      [0, v(3, 1), v(3, 3)],
    ]);
    model.dispose();
  });
});

describe('formatSummary', () => {
  it('lists every layer with its output shape and the totals', () => {
    const { model } = buildHrnet(loadExperiment('w18_small_v1_32x32').MODEL, { init: 'zeros' });
    const text = formatSummary(model);
    expect(text).toMatch(/^conv1 +Conv2D +\[B, 32, 32, 64\] +576$/m);
    expect(text).toMatch(/^avgpool +GlobalAveragePooling2D +\[B, 2048\] +0$/m);
    expect(text).toMatch(/^classifier +Dense +\[B, 10\] +20,490$/m);
    expect(text).toContain(`Trainable params: ${countTrainableParams(model).toLocaleString('en-US')}`);
    expect(text.split('\n').length).toBe(model.layers.length + 7);
    model.dispose();
  });
});
