import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadSafetensors } from '@research/common';
import { baselineCnn } from './baseline-cnn';
import { ENCODER_NAME, multiviewVit } from './multiview-vit';
import { assignTimmVitWeights } from './timm-weights';

const GOLDEN_DIR = path.join(__dirname, '..', '..', 'scripts', 'golden');
const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'timm_vit_golden.json'), 'utf8'));

const small = () =>
  multiviewVit({
    views: 4,
    numClasses: 22,
    encoder: { imgSize: [48, 64], patchSize: 16, inChans: 3, dim: 32, depth: 2, numHeads: 4, mlpDim: 64 },
    fusion: { layers: 2, heads: 8, mlpDim: 64, dropout: 0.1 },
    headDim: 32,
  });

describe('multiviewVit', () => {
  it('maps [B, 4, H, W, C] to logits [B, 22] and per-class view attention [B, 22, 4] that sums to 1 over views', () => {
    const model = small();
    const x = tf.randomUniform([3, 4, 48, 64, 3], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const [logits, attention] = model.predict(x) as tf.Tensor[];
      expect(logits.shape).toEqual([3, 22]);
      expect(attention.shape).toEqual([3, 22, 4]);
      const sums = attention.sum(2);
      expect(Math.max(...Array.from(sums.dataSync()).map((s) => Math.abs(s - 1)))).toBeLessThan(1e-5);
      tf.dispose([logits, attention, sums]);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('shares one encoder across views: timm weights load into it and its features give the PyTorch logits', () => {
    const model = small();
    const encoder = model.getLayer(ENCODER_NAME) as tf.LayersModel;
    const weights = loadSafetensors(path.join(GOLDEN_DIR, 'timm_vit_small.safetensors'));
    const report = assignTimmVitWeights(encoder, weights);
    expect(report.skipped.sort()).toEqual(['head.bias', 'head.weight']); // the encoder has no head
    const data = new Float32Array(2 * 48 * 64 * 3);
    let i = 0;
    for (let b = 0; b < 2; b++)
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < 64; x++)
          for (let c = 0; c < 3; c++) data[i++] = Math.sin(0.1 * (y + 1) * (c + 1) + 0.07 * x + b);
    const logits = tf.tidy(() => {
      const features = encoder.predict(tf.tensor4d(data, [2, 48, 64, 3])) as tf.Tensor2D;
      return features
        .matMul(weights.get('head.weight') as tf.Tensor2D, false, true)
        .add(weights.get('head.bias') as tf.Tensor);
    });
    const want = golden.native.logits.flat() as number[];
    const got = logits.dataSync();
    expect(Math.max(...want.map((v, k) => Math.abs(v - got[k])))).toBeLessThan(1e-4);
    tf.dispose([logits, ...weights.values()]);
    model.dispose();
  });

  it('trains: every weight group (encoder, view embedding, queries, fusion, head) gets a gradient', () => {
    const model = small();
    const x = tf.randomUniform([2, 4, 48, 64, 3], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.tensor1d([3, 21], 'int32'), 22);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      const [logits] = model.apply(x, { training: true }) as tf.Tensor[];
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, vars);
    const norms = Object.fromEntries(
      model.trainableWeights.map((w) => [
        w.originalName ?? w.name,
        tf.tidy(() => grads[(w.read() as tf.Variable).name].norm().dataSync()[0]),
      ]),
    );
    for (const key of [
      'patch_embed.proj/kernel',
      'blocks.1.mlp.fc2/kernel',
      'view_embed/embedding',
      'class_queries/queries',
      'fusion.0/kv_kernel',
      'fusion.1/q_kernel',
      'head.classes/kernel',
    ]) {
      const match = Object.keys(norms).find((k) => k.startsWith(key));
      expect({ key, found: !!match }).toEqual({ key, found: true });
      expect(norms[match as string]).toBeGreaterThan(0);
    }
    tf.dispose([x, y, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('baselineCnn', () => {
  it("has Bahaadini et al.'s layer sizes on the full merged view (280x340)", () => {
    const model = baselineCnn({ inputShape: [280, 340, 1], numClasses: 22 });
    // 280x340 -> conv 276x336 -> pool 138x168 -> 134x164 -> 67x82 -> 63x78 -> 31x39 -> 27x35 -> 13x17, x 64 channels.
    expect(model.getLayer('flatten').outputShape).toEqual([null, 13 * 17 * 64]);
    const convs = (25 * 1 + 1) * 16 + (25 * 16 + 1) * 32 + (25 * 32 + 1) * 64 + (25 * 64 + 1) * 64;
    expect(model.countParams()).toBe(convs + (13 * 17 * 64 + 1) * 256 + (256 + 1) * 22);
    model.dispose();
    expect(() => baselineCnn({ inputShape: [40, 40, 1], numClasses: 22 })).toThrow(/too small/);
  });
});
