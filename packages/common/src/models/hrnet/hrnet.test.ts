import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, describeModel, listModelAliases, listModels } from '../registry';
import { countTorchParameters } from '../zoo/torch-weights';
import { type HrnetModelConfig } from './architecture';
import { buildHrnet, featureModel, POOLED_LAYER } from './hrnet';
import './index';
import { HRNET_VARIANTS, hrnetStages, type HrnetVariant } from './variants';

/** scripts/golden/hrnet_params.py: the official cls_hrnet.py built from each official experiment file. */
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'golden', 'hrnet_params.json'), 'utf8')) as {
  variants: Record<string, { parameters: number; logits_shape: number[]; image_size: number[]; extra: unknown }>;
};

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

/** A variant's MODEL section at 224x224x3 and 1000 classes, with overrides. */
function modelConfig(variant: HrnetVariant, overrides: Partial<HrnetModelConfig> = {}): HrnetModelConfig {
  return {
    NUM_CLASSES: 1000,
    IMAGE_SIZE: [224, 224],
    IN_CHANNELS: 3,
    EXTRA: { STEM_STRIDES: [2, 2], ...hrnetStages(variant) },
    ...overrides,
  };
}

describe('the nine official variants', () => {
  it("are registered as hrnet_<variant>, with timm's hrnet_w18_small as an alias", () => {
    expect(listModels()).toEqual(expect.arrayContaining(HRNET_VARIANTS.map((v) => `hrnet_${v}`)));
    expect(Object.keys(golden.variants)).toEqual([...HRNET_VARIANTS]);
    expect(listModelAliases()).toContainEqual(['hrnet_w18_small', 'hrnet_w18_small_v1']);
    expect(describeModel('hrnet_w18_small')).toBe(describeModel('hrnet_w18_small_v1'));
    expect(describeModel('hrnet_w32')).toContain('32/64/128/256');
  });

  it.each(HRNET_VARIANTS)('%s: stage tables and parameter count equal the official files and cls_hrnet.py', (v) => {
    const official = golden.variants[v];
    expect(hrnetStages(v)).toEqual(official.extra);
    expect(official.image_size).toEqual([224, 224]);
    // Zero-filled weights: the count depends on shapes only, and W64's 128M values then take ~0.5 s, not a minute.
    const model = createModel(`hrnet_${v}`, { init: 'zeros' });
    expect(model.inputs[0].shape).toEqual([null, 224, 224, 3]);
    expect(model.outputs[0].shape).toEqual([null, official.logits_shape[1]]);
    expect(countTorchParameters(model)).toBe(official.parameters);
    model.dispose();
  });

  it('the alias builds the same network', () => {
    const a = createModel('hrnet_w18_small', { init: 'zeros', numClasses: 3, inputShape: [32, 32, 1] });
    expect(countTorchParameters(a)).toBe(golden.variants.w18_small_v1.parameters - 997 * 2049 - 2 * 9 * 64);
    a.dispose();
  });

  it('trainable counts exclude exactly the BN moving statistics (as PyTorch buffers)', () => {
    const { model } = buildHrnet(modelConfig('w18_small_v1'), { init: 'zeros' });
    const bnChannels = model.layers
      .filter((l) => l.getClassName() === 'BatchNormalization')
      .reduce((sum, l) => sum + (l.outputShape[3] as number), 0);
    expect(model.countParams() - countTorchParameters(model)).toBe(2 * bnChannels);
    model.dispose();
  });

  it('numClasses only changes the classifier (2048 weights + 1 bias per class)', () => {
    const count = (numClasses: number) => {
      const model = createModel('hrnet_w18_small_v1', { numClasses, init: 'zeros' });
      const n = countTorchParameters(model);
      model.dispose();
      return n;
    };
    expect(count(1000) - count(10)).toBe(990 * 2049);
  });

  it('refuses inputs that do not halve exactly at every resolution, and unknown init', () => {
    expect(() => createModel('hrnet_w18', { inputShape: [28, 28, 1] })).toThrow(
      'hrnet_w18: MODEL.IMAGE_SIZE: [28,28] must be divisible by 32 (stem strides x 8 for the 4 resolutions)',
    );
    expect(() => createModel('hrnet_w18', { inputShape: [32, 32] })).toThrow('hrnet_w18: inputShape must be');
    expect(() => createModel('hrnet_w18', { init: 'he' })).toThrow("hrnet_w18: init must be 'official' or 'zeros'");
  });
});

describe('layers match the official module settings', () => {
  let model: tf.LayersModel;
  beforeAll(() => (model = createModel('hrnet_w18_small_v2', { init: 'zeros' })));
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
