// Golden forward test: each architecture filled with the deterministic weights of scripts/golden/torchvision_zoo.py,
// written in torch layout under torch names, loaded through the same mapping as `pretrained: true`, must give
// torchvision's logits (eval mode, float64 reference) within 1e-4 (relative above 1). Any wrong layer, stride, padding,
// activation or weight name/transposition changes the logits far beyond that. Normalisation eps/momentum move the
// logits too little to be seen there, so they are compared with torch's modules one by one.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../io/safetensors';
import { initBackend } from '../../backend';
import { LayerNorm } from '../layers';
import { createModel } from '../registry';
import { fillValues } from './golden/deterministic-fill';
import { countTorchParameters, loadTorchStateDict, torchWeights } from './torch-weights';
import { visionTransformer } from './vision-transformer';
import './index';

interface Golden {
  numClasses: number;
  inputShapeNCHW: number[];
  parameters: number;
  stateDictKeys: number;
  stateDictSha256: string;
  /** [kind, eps, torch momentum (null for LayerNorm), count]. */
  norms: [string, number, number | null, number][];
  logits: number[][];
}

const readGolden = (name: string): Golden =>
  JSON.parse(fs.readFileSync(path.join(__dirname, 'golden', `${name}.json`), 'utf8')) as Golden;

/** The model of each golden case at the golden's input size and class count. */
const CASES: Record<string, (inputShape: number[], numClasses: number) => tf.LayersModel> = {
  resnet18: (inputShape, numClasses) => createModel('resnet18', { inputShape, numClasses }),
  resnet34: (inputShape, numClasses) => createModel('resnet34', { inputShape, numClasses }),
  resnet50: (inputShape, numClasses) => createModel('resnet50', { inputShape, numClasses }),
  mobilenet_v2: (inputShape, numClasses) => createModel('mobilenet_v2', { inputShape, numClasses }),
  mobilenet_v3_small: (inputShape, numClasses) => createModel('mobilenet_v3_small', { inputShape, numClasses }),
  efficientnet_b0: (inputShape, numClasses) => createModel('efficientnet_b0', { inputShape, numClasses }),
  convnext_tiny: (inputShape, numClasses) => createModel('convnext_tiny', { inputShape, numClasses }),
  // vit_b_16's code path at a reduced size (torchvision's VisionTransformer(32, 8, 2, 2, 32, 64) in the script).
  vision_transformer_small: (inputShape, numClasses) =>
    visionTransformer({ inputShape, numClasses, patchSize: 8, numLayers: 2, numHeads: 2, hiddenDim: 32, mlpDim: 64 }),
  simple_cnn: (inputShape, numClasses) => createModel('simple_cnn', { inputShape, numClasses }),
  tiny_net: (inputShape, numClasses) => createModel('tiny_net', { inputShape, numClasses }),
};

// The wasm backend: on the cpu backend resnet50's forward pass and weight transposes take minutes.
beforeAll(async () => {
  await initBackend('wasm', { log: () => undefined, env: {} });
});

/** The model's normalisation layers grouped like the script's norm_settings. */
function normSettings(model: tf.LayersModel): [string, number, number | null, number][] {
  const counts = new Map<string, [string, number, number | null, number]>();
  for (const layer of model.layers) {
    let key: [string, number, number | null];
    if (layer.getClassName() === 'BatchNormalization') {
      const config = layer.getConfig();
      // tfjs's momentum is the weight of the old statistic: torch's is 1 - it (rounded off float noise).
      key = ['BatchNorm2d', config.epsilon as number, Number((1 - (config.momentum as number)).toFixed(12))];
    } else if (layer instanceof LayerNorm) key = ['LayerNorm', layer.epsilon, null];
    else continue;
    const id = JSON.stringify(key);
    counts.set(id, [...key, (counts.get(id)?.[3] ?? 0) + 1]);
  }
  return [...counts.values()].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
}

describe.each(Object.keys(CASES))('%s against torchvision', (name) => {
  const golden = readGolden(name);
  const [n, c, h, w] = golden.inputShapeNCHW;

  it('has the state-dict names, shapes and parameter count of the PyTorch model, and its logits', () => {
    const model = CASES[name]([h, w, c], golden.numClasses);
    const weights = torchWeights(model);
    const lines = weights.map((x) => `${x.torchName}:[${x.torchShape.join(', ')}]`).sort();
    expect(lines.length).toBe(golden.stateDictKeys);
    expect(createHash('sha256').update(lines.join('\n')).digest('hex')).toBe(golden.stateDictSha256);
    expect(countTorchParameters(model)).toBe(golden.parameters);
    expect(normSettings(model)).toEqual(golden.norms);

    // torch-layout tensors under torch names, through a safetensors round trip, into the model.
    const stateDict = new Map(
      weights.map((x) => [x.torchName, tf.tensor(fillValues(x.torchName, x.torchShape), x.torchShape)]),
    );
    const bytes = encodeSafetensors(stateDict);
    tf.dispose([...stateDict.values()]);
    const { tensors } = decodeSafetensors(bytes, `${name} golden weights`);
    loadTorchStateDict(model, tensors);
    tf.dispose([...tensors.values()]);

    const logits = tf.tidy(() => {
      const x = tf.transpose(tf.tensor(fillValues('input', [n, c, h, w]), [n, c, h, w]), [0, 2, 3, 1]);
      return model.predict(x) as tf.Tensor;
    });
    const got = logits.arraySync() as number[][];
    logits.dispose();
    model.dispose();
    let worst = 0;
    golden.logits.forEach((row, i) =>
      row.forEach((want, j) => {
        worst = Math.max(worst, Math.abs(got[i][j] - want) / Math.max(1, Math.abs(want)));
      }),
    );
    if (process.env.ZOO_GOLDEN_VERBOSE) console.log(`${name}: worst relative logit error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });
});
