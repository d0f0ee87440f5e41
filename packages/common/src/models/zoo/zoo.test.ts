// The zoo's parameter counts at 1000 classes against torchvision 0.14, the strict torch-weight loader (errors,
// pretrained: true from a file, timm names), the torch layers, training and serialisation.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../backend';
import { saveSafetensors } from '../../io/safetensors';
import { createModel, describeModel, listModels } from '../registry';
import { fillValues } from './golden/deterministic-fill';
import { timmConvnextLayout, timmConvnextName } from './convnext';
import { LayerScale, StochasticDepth, TorchActivation } from './torch-layers';
import { countTorchParameters, loadTorchStateDict, torchWeights } from './torch-weights';
import { timmVitName, visionTransformer } from './vision-transformer';
import './index';

// torchvision 0.14's sum(p.numel() for p in model.parameters()) at 1000 classes (the issue's figures; the script
// scripts/golden/torchvision_zoo.py writes the same numbers to golden/param_counts.json).
const TORCHVISION_PARAMS: Record<string, number> = {
  resnet18: 11_689_512,
  resnet34: 21_797_672,
  resnet50: 25_557_032,
  mobilenet_v2: 3_504_872,
  mobilenet_v3_small: 2_542_856,
  efficientnet_b0: 5_288_548,
  convnext_tiny: 28_589_128,
  vit_b_16: 86_567_656,
};

let tmp: string;
beforeAll(async () => {
  await initBackend('wasm', { log: () => undefined, env: {} });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zoo-test-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A torch-layout state dict of the model's weights filled by the golden formula. */
function filledStateDict(model: tf.LayersModel): Map<string, tf.Tensor> {
  return new Map(
    torchWeights(model).map((w) => [w.torchName, tf.tensor(fillValues(w.torchName, w.torchShape), w.torchShape)]),
  );
}

function predict(model: tf.LayersModel, shape: number[]): Float32Array {
  return tf.tidy(
    () => (model.predict(tf.tensor(fillValues('input', shape), shape)) as tf.Tensor).dataSync() as Float32Array,
  );
}

describe('parameter counts at 1000 classes', () => {
  it('the script wrote the same torchvision counts as the issue states', () => {
    const written = JSON.parse(fs.readFileSync(path.join(__dirname, 'golden', 'param_counts.json'), 'utf8')) as {
      parameters: Record<string, number>;
    };
    expect(written.parameters).toEqual(TORCHVISION_PARAMS);
  });

  it.each(Object.entries(TORCHVISION_PARAMS))("%s has exactly torchvision's parameter count", (name, expected) => {
    const model = createModel(name);
    expect(countTorchParameters(model)).toBe(expected);
    // What tfjs counts on top are exactly the BatchNorm running statistics (torch buffers).
    const buffers = model.layers
      .filter((l) => l.getClassName() === 'BatchNormalization')
      .reduce((n, l) => n + 2 * l.getWeights()[0].size, 0);
    expect(model.countParams()).toBe(expected + buffers);
    expect(model.inputs[0].shape).toEqual([null, 224, 224, 3]);
    expect(model.outputs[0].shape).toEqual([null, 1000]);
    model.dispose();
  });

  it('registers the eight torchvision architectures and the two custom ones with descriptions', () => {
    for (const name of [...Object.keys(TORCHVISION_PARAMS), 'simple_cnn', 'tiny_net']) {
      expect(listModels()).toContain(name);
      expect(describeModel(name)).not.toBe('');
    }
  });

  it('custom models default to 28x28x1 and 10 classes and take RGB 32x32', () => {
    const grey = createModel('simple_cnn');
    expect(grey.inputs[0].shape).toEqual([null, 28, 28, 1]);
    expect(grey.outputs[0].shape).toEqual([null, 10]);
    expect(countTorchParameters(grey)).toBe(140_458);
    const explicit = createModel('tiny_net', { inputShape: undefined, numClasses: undefined });
    expect(explicit.inputs[0].shape).toEqual([null, 28, 28, 1]);
    explicit.dispose();
    const rgb = createModel('tiny_net', { inputShape: [32, 32, 3], numClasses: 5 });
    expect(countTorchParameters(rgb)).toBe(16 * 27 + 32 + 32 * 16 * 9 + 64 + 32 * 5 + 5);
    grey.dispose();
    rgb.dispose();
  });

  it('simple_cnn_gn is simple_cnn with GroupNorm for BatchNorm: the same trainable weights, no running statistics', () => {
    const bn = createModel('simple_cnn');
    const gn = createModel('simple_cnn_gn');
    expect(gn.layers.map((l) => l.getClassName())).not.toContain('BatchNormalization');
    expect(gn.layers.filter((l) => l.getClassName() === 'GroupNorm')).toHaveLength(5);
    expect(gn.countParams()).toBe(140_458);
    expect(gn.trainableWeights.map((w) => w.shape)).toEqual(bn.trainableWeights.map((w) => w.shape));
    bn.dispose();
    gn.dispose();
  });

  it('rejects a bad input shape or class count by name', () => {
    expect(() => createModel('resnet18', { inputShape: [64, 64] })).toThrow(
      /resnet18: inputShape must be \[height, width, channels\]/,
    );
    expect(() => createModel('tiny_net', { numClasses: 0 })).toThrow(
      /tiny_net: numClasses must be a positive integer, got 0/,
    );
    expect(() => createModel('vit_b_16', { inputShape: [200, 200, 3] })).toThrow(
      /vit_b_16: input 200x200 is not divisible by patchSize 16/,
    );
    // 28x28 would leave ConvNeXt's last stages with 0x0 maps (a crash in predict, a broken ONNX graph).
    expect(() => createModel('convnext_tiny', { inputShape: [28, 28, 3], numClasses: 10 })).toThrow(
      /convnext_tiny: the input must be at least 32x32/,
    );
  });
});

describe('torch weight loading', () => {
  it('maps names and layouts: conv OIHW, depthwise [C, 1, k, k], linear [out, in], BatchNorm buffers', () => {
    const model = createModel('mobilenet_v3_small', { inputShape: [32, 32, 3], numClasses: 7 });
    const byName = new Map(torchWeights(model).map((w) => [w.torchName, w]));
    expect(byName.get('features.0.0.weight')?.torchShape).toEqual([16, 3, 3, 3]);
    expect(byName.get('features.1.block.0.0.weight')?.torchShape).toEqual([16, 1, 3, 3]);
    expect(byName.get('features.1.block.1.fc1.bias')?.torchShape).toEqual([8]);
    expect(byName.get('classifier.3.weight')?.torchShape).toEqual([7, 1024]);
    expect(byName.get('features.0.1.running_var')?.isBuffer).toBe(true);
    expect(byName.get('features.0.1.weight')?.isBuffer).toBe(false);
    model.dispose();
  });

  it('transposes: a torch conv weight w[o][i][y][x] lands at tfjs kernel[y][x][i][o]', () => {
    const model = createModel('tiny_net', { inputShape: [8, 8, 2], numClasses: 3 });
    const stateDict = filledStateDict(model);
    const tensors = tf.memory().numTensors;
    loadTorchStateDict(model, stateDict);
    expect(tf.memory().numTensors).toBe(tensors); // the converted values now live in the variables, nothing else
    const torchConv = stateDict.get('features.0.weight') as tf.Tensor4D; // [16, 2, 3, 3]
    const tfConv = model.getLayer('features.0').getWeights()[0]; // [3, 3, 2, 16]
    const [o, i, y, x] = [5, 1, 2, 0];
    expect(tfConv.shape).toEqual([3, 3, 2, 16]);
    expect((tfConv.arraySync() as number[][][][])[y][x][i][o]).toBe(
      (torchConv.arraySync() as number[][][][])[o][i][y][x],
    );
    const torchFc = stateDict.get('classifier.weight') as tf.Tensor2D; // [3, 32]
    expect((model.getLayer('classifier').getWeights()[0].arraySync() as number[][])[7][2]).toBe(
      (torchFc.arraySync() as number[][])[2][7],
    );
    tf.dispose([...stateDict.values()]);
    model.dispose();
  });

  it('names every missing, unexpected and mis-shaped key, ignores num_batches_tracked, and changes nothing on error', () => {
    const model = createModel('tiny_net', { inputShape: [8, 8, 1], numClasses: 3 });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const stateDict = filledStateDict(model);
    stateDict.get('features.1.running_mean')?.dispose();
    stateDict.delete('features.1.running_mean');
    stateDict.set('features.9.weight', tf.zeros([4]));
    stateDict.get('classifier.bias')?.dispose();
    stateDict.set('classifier.bias', tf.zeros([4]));
    stateDict.set('features.1.num_batches_tracked', tf.scalar(3, 'int32'));
    expect(() => loadTorchStateDict(model, stateDict, 'weights.safetensors')).toThrow(
      "weights.safetensors does not fit model 'tiny_net': missing 1 key(s): features.1.running_mean; " +
        'unexpected 1 key(s): features.9.weight; 1 mis-shaped key(s): classifier.bias (file [4], model [3])',
    );
    model.getWeights().forEach((w, k) => expect(w.dataSync()).toEqual(before[k]));
    tf.dispose([...stateDict.values()]);
    model.dispose();
  });

  it('pretrained: true loads a safetensors file (same predictions as the source weights); bad options are errors', () => {
    const source = createModel('simple_cnn', { inputShape: [16, 16, 3], numClasses: 4 });
    const stateDict = filledStateDict(source);
    stateDict.set('features.1.num_batches_tracked', tf.scalar(100, 'int32'));
    const file = path.join(tmp, 'simple_cnn.safetensors');
    saveSafetensors(file, stateDict);
    stateDict.delete('features.1.num_batches_tracked');
    loadTorchStateDict(source, stateDict);
    tf.dispose([...stateDict.values()]);

    const loaded = createModel('simple_cnn', {
      inputShape: [16, 16, 3],
      numClasses: 4,
      pretrained: true,
      weightsPath: file,
    });
    expect(predict(loaded, [2, 16, 16, 3])).toEqual(predict(source, [2, 16, 16, 3]));
    expect(() =>
      createModel('simple_cnn', { inputShape: [16, 16, 3], numClasses: 5, pretrained: true, weightsPath: file }),
    ).toThrow(
      /simple_cnn\.safetensors does not fit model 'simple_cnn': 2 mis-shaped key\(s\): classifier\.1\.weight \(file \[4,128\], model \[5,128\]\)/,
    );
    expect(() => createModel('simple_cnn', { pretrained: true })).toThrow(
      /simple_cnn: pretrained: true needs weightsPath/,
    );
    expect(() =>
      createModel('simple_cnn', {
        inputShape: [16, 16, 3],
        numClasses: 4,
        pretrained: true,
        weightsPath: file,
        weightsLayout: 'keras',
      }),
    ).toThrow(/weightsLayout 'keras' is not one of auto, torchvision for model 'simple_cnn'/);
    source.dispose();
    loaded.dispose();
  });
});

describe('timm layouts', () => {
  it("renames timm ViT keys to torchvision's", () => {
    const table: [string, string][] = [
      ['cls_token', 'class_token'],
      ['pos_embed', 'encoder.pos_embedding'],
      ['patch_embed.proj.weight', 'conv_proj.weight'],
      ['blocks.11.norm1.bias', 'encoder.layers.encoder_layer_11.ln_1.bias'],
      ['blocks.0.attn.qkv.weight', 'encoder.layers.encoder_layer_0.self_attention.in_proj_weight'],
      ['blocks.0.attn.qkv.bias', 'encoder.layers.encoder_layer_0.self_attention.in_proj_bias'],
      ['blocks.3.attn.proj.weight', 'encoder.layers.encoder_layer_3.self_attention.out_proj.weight'],
      ['blocks.3.norm2.weight', 'encoder.layers.encoder_layer_3.ln_2.weight'],
      ['blocks.3.mlp.fc1.bias', 'encoder.layers.encoder_layer_3.mlp.0.bias'],
      ['blocks.3.mlp.fc2.weight', 'encoder.layers.encoder_layer_3.mlp.3.weight'],
      ['norm.weight', 'encoder.ln.weight'],
      ['head.bias', 'heads.head.bias'],
    ];
    for (const [timm, torchvision] of table) expect(timmVitName(timm)).toBe(torchvision);
  });

  it("renames timm ConvNeXt keys to torchvision's", () => {
    const table: [string, string][] = [
      ['stem.0.weight', 'features.0.0.weight'],
      ['stem.1.bias', 'features.0.1.bias'],
      ['stages.0.blocks.2.gamma', 'features.1.2.layer_scale'],
      ['stages.2.blocks.8.conv_dw.weight', 'features.5.8.block.0.weight'],
      ['stages.1.blocks.0.norm.weight', 'features.3.0.block.2.weight'],
      ['stages.3.blocks.1.mlp.fc1.weight', 'features.7.1.block.3.weight'],
      ['stages.3.blocks.1.mlp.fc2.bias', 'features.7.1.block.5.bias'],
      ['stages.1.downsample.0.weight', 'features.2.0.weight'],
      ['stages.3.downsample.1.bias', 'features.6.1.bias'],
      ['head.norm.weight', 'classifier.0.weight'],
      ['head.fc.weight', 'classifier.2.weight'],
    ];
    for (const [timm, torchvision] of table) expect(timmConvnextName(timm)).toBe(torchvision);
  });

  it('recognises a timm ConvNeXt state dict and reshapes gamma [C] to layer_scale [C, 1, 1]', () => {
    const timm = new Map<string, tf.Tensor>([
      ['stages.0.blocks.0.gamma', tf.tensor1d([1, 2, 3])],
      ['stem.0.bias', tf.zeros([3])],
    ]);
    expect(timmConvnextLayout.detect([...timm.keys()])).toBe(true);
    expect(timmConvnextLayout.detect(['features.0.0.weight'])).toBe(false);
    const torchvision = timmConvnextLayout.toTorchvision(timm);
    expect([...torchvision.keys()].sort()).toEqual(['features.0.0.bias', 'features.1.0.layer_scale']);
    expect(torchvision.get('features.1.0.layer_scale')?.shape).toEqual([3, 1, 1]);
    expect(Array.from(torchvision.get('features.1.0.layer_scale')?.dataSync() ?? [])).toEqual([1, 2, 3]);
    tf.dispose([...timm.values(), ...torchvision.values()]);
  });

  it('loads a timm-named ViT file like the torchvision-named one', () => {
    const options = {
      inputShape: [16, 16, 3],
      numClasses: 3,
      patchSize: 8,
      numLayers: 2,
      numHeads: 2,
      hiddenDim: 16,
      mlpDim: 32,
    };
    const reference = visionTransformer(options);
    const stateDict = filledStateDict(reference);
    loadTorchStateDict(reference, stateDict);
    // timm's own key list for this model, written out; each maps onto a torchvision tensor.
    const timmKeys = [
      'cls_token',
      'pos_embed',
      'patch_embed.proj.weight',
      'patch_embed.proj.bias',
      'norm.weight',
      'norm.bias',
      'head.weight',
      'head.bias',
    ];
    for (const i of [0, 1]) {
      for (const m of ['norm1', 'attn.qkv', 'attn.proj', 'norm2', 'mlp.fc1', 'mlp.fc2'])
        timmKeys.push(`blocks.${i}.${m}.weight`, `blocks.${i}.${m}.bias`);
    }
    const timm = new Map(timmKeys.map((k) => [k, stateDict.get(timmVitName(k)) as tf.Tensor]));
    expect(timm.size).toBe(stateDict.size);
    expect([...timm.values()].every(Boolean)).toBe(true);
    const file = path.join(tmp, 'vit_timm.safetensors');
    saveSafetensors(file, timm);
    tf.dispose([...stateDict.values()]);
    const loaded = visionTransformer({ ...options, pretrained: true, weightsPath: file });
    expect(predict(loaded, [1, 16, 16, 3])).toEqual(predict(reference, [1, 16, 16, 3]));
    expect(() =>
      visionTransformer({ ...options, pretrained: true, weightsPath: file, weightsLayout: 'torchvision' }),
    ).toThrow(
      /vit_timm\.safetensors does not fit model 'vision_transformer': missing 32 key\(s\): .*unexpected 32 key\(s\)/,
    );
    reference.dispose();
    loaded.dispose();
  });
});

describe('torchvision before 0.13', () => {
  it('loads a ViT whose MLP is named mlp.linear_1 / mlp.linear_2', () => {
    const options = {
      inputShape: [8, 8, 1],
      numClasses: 2,
      patchSize: 4,
      numLayers: 1,
      numHeads: 1,
      hiddenDim: 8,
      mlpDim: 8,
    };
    const reference = visionTransformer(options);
    const stateDict = filledStateDict(reference);
    loadTorchStateDict(reference, stateDict);
    const legacy = new Map(
      [...stateDict].map(([k, t]) => [k.replace('.mlp.0.', '.mlp.linear_1.').replace('.mlp.3.', '.mlp.linear_2.'), t]),
    );
    expect([...legacy.keys()]).toContain('encoder.layers.encoder_layer_0.mlp.linear_2.weight');
    const file = path.join(tmp, 'vit_v1.safetensors');
    saveSafetensors(file, legacy);
    tf.dispose([...stateDict.values()]);
    const loaded = visionTransformer({ ...options, pretrained: true, weightsPath: file });
    expect(predict(loaded, [1, 8, 8, 1])).toEqual(predict(reference, [1, 8, 8, 1]));
    reference.dispose();
    loaded.dispose();
  });
});

describe('torch layers', () => {
  it("hardswish and hardsigmoid are torch's (not Keras's 0.2x + 0.5)", () => {
    const x = tf.tensor1d([-4, -3, -1, 0, 1, 3, 4]);
    const hs = new TorchActivation({ fn: 'hardswish' }).apply(x) as tf.Tensor;
    const hsig = new TorchActivation({ fn: 'hardsigmoid' }).apply(x) as tf.Tensor;
    const close = (t: tf.Tensor, want: number[]) =>
      Array.from(t.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    close(hs, [0, 0, -1 / 3, 0, 2 / 3, 3, 4]);
    close(hsig, [0, 0, 1 / 3, 0.5, 2 / 3, 1, 1]);
    tf.dispose([x, hs, hsig]);
  });

  it('stochastic depth is the identity at inference and drops whole samples (survivors / (1 - p)) in training', () => {
    const layer = new StochasticDepth({ rate: 0.25 });
    const x = tf.ones([400, 2, 2, 3]);
    const inference = layer.apply(x) as tf.Tensor;
    expect(Array.from(inference.dataSync()).every((v) => v === 1)).toBe(true);
    const trained = layer.apply(x, { training: true }) as tf.Tensor;
    const perSample = trained.reshape([400, 12]).arraySync() as number[][];
    for (const row of perSample) expect(new Set(row).size).toBe(1); // all of a sample kept or dropped together
    const kept = perSample.filter((row) => row[0] !== 0);
    kept.forEach((row) => expect(row[0]).toBeCloseTo(1 / 0.75, 6));
    expect(kept.length / 400).toBeGreaterThan(0.65);
    expect(kept.length / 400).toBeLessThan(0.85);
    expect(() => new StochasticDepth({ rate: 1 })).toThrow(/rate must be in \[0, 1\)/);
    tf.dispose([x, inference, trained]);
  });

  it('zoo layers survive model.save / tf.loadLayersModel (custom classes registered)', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    let y = new TorchActivation({ fn: 'hardswish' }).apply(input) as tf.SymbolicTensor;
    y = new LayerScale({ initValue: 0.5 }).apply(y) as tf.SymbolicTensor;
    y = new StochasticDepth({ rate: 0.1 }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(predict(loaded, [1, 4, 4, 3])).toEqual(predict(model, [1, 4, 4, 3]));
    model.dispose();
    loaded.dispose();
  });
});

describe('training', () => {
  it.each(['tiny_net', 'mobilenet_v3_small', 'efficientnet_b0'])(
    '%s gets a gradient for every trainable weight',
    (name) => {
      tf.tidy(() => {
        const model = createModel(name, { inputShape: [32, 32, 3], numClasses: 4 });
        const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
        const y = tf.oneHot(tf.tensor1d([0, 3], 'int32'), 4);
        const loss = () =>
          tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
        const { value, grads } = tf.variableGrads(loss);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        expect(Object.keys(grads).length).toBe(model.trainableWeights.length);
        model.dispose();
      });
    },
  );

  it('simple_cnn lowers its loss in a few Adam steps without leaking tensors', () => {
    const model = createModel('simple_cnn');
    const x = tf.randomNormal([8, 28, 28, 1], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const optimizer = tf.train.adam(1e-2);
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const first = tf.tidy(() => loss().dataSync()[0]);
    optimizer.minimize(loss); // creates the optimizer's slots
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(optimizer.minimize(loss, true) ?? []);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.tidy(() => loss().dataSync()[0])).toBeLessThan(first);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});
