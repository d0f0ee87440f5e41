import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from '../registry';
import { inputAndClasses } from '../zoo/torch-builders';
import { withPretrained } from '../zoo/torch-weights';
import { checkHrnetConfig, type HrnetBlockType, type HrnetModelConfig, type HrnetStageConfig } from './architecture';
import { add, batchNorm, conv, convBn, Initialisers, type InitOptions, relu, type Sym } from './layers';
import { hrnetStages, type HrnetVariant } from './variants';

/**
 * HRNet classification network (HRNet-W*-C) after the official HRNet-Image-Classification `lib/models/cls_hrnet.py`:
 * stem, stage-1 residual layer, transitions and HighResolutionModules of stages 2-4, and the classification head.
 * Layers are named with the official module paths, so the official state dicts load through the zoo's torch loader.
 */

export const BLOCK_EXPANSION: Record<HrnetBlockType, number> = { BASIC: 1, BOTTLENECK: 4 };

/** Bottleneck widths of the head per resolution; with expansion 4 they give 128/256/512/1024 channels. */
export const HEAD_CHANNELS = [32, 64, 128, 256];
export const HEAD_FEATURES = 2048;

function channelsOf(x: Sym): number {
  return x.shape[x.shape.length - 1] as number;
}

/** BasicBlock: two 3x3 convolutions with a residual connection. */
function basicBlock(x: Sym, name: string, planes: number, stride: number, inits: Initialisers): Sym {
  let out = relu(
    batchNorm(conv(x, `${name}.conv1`, { filters: planes, kernel: 3, stride }, inits), `${name}.bn1`),
    `${name}.relu1`,
  );
  out = batchNorm(conv(out, `${name}.conv2`, { filters: planes, kernel: 3 }, inits), `${name}.bn2`);
  const residual = needsDownsample(x, planes, 'BASIC', stride)
    ? convBn(x, `${name}.downsample`, { filters: planes, kernel: 1, stride }, inits, false)
    : x;
  return relu(add([out, residual], `${name}.add`), `${name}.relu`);
}

/** Bottleneck: 1x1 reduce, 3x3, 1x1 expand (x4), with a residual connection. */
function bottleneck(x: Sym, name: string, planes: number, stride: number, inits: Initialisers): Sym {
  let out = relu(
    batchNorm(conv(x, `${name}.conv1`, { filters: planes, kernel: 1 }, inits), `${name}.bn1`),
    `${name}.relu1`,
  );
  out = relu(
    batchNorm(conv(out, `${name}.conv2`, { filters: planes, kernel: 3, stride }, inits), `${name}.bn2`),
    `${name}.relu2`,
  );
  out = batchNorm(conv(out, `${name}.conv3`, { filters: planes * 4, kernel: 1 }, inits), `${name}.bn3`);
  const residual = needsDownsample(x, planes, 'BOTTLENECK', stride)
    ? convBn(x, `${name}.downsample`, { filters: planes * 4, kernel: 1, stride }, inits, false)
    : x;
  return relu(add([out, residual], `${name}.add`), `${name}.relu`);
}

function needsDownsample(x: Sym, planes: number, block: HrnetBlockType, stride: number): boolean {
  return stride !== 1 || channelsOf(x) !== planes * BLOCK_EXPANSION[block];
}

/** `_make_layer` / `_make_one_branch`: `count` blocks, the first one projecting the residual if shapes change. */
function residualLayer(
  x: Sym,
  prefix: string,
  block: HrnetBlockType,
  planes: number,
  count: number,
  inits: Initialisers,
): Sym {
  const makeBlock = block === 'BASIC' ? basicBlock : bottleneck;
  let y = x;
  for (let b = 0; b < count; b++) y = makeBlock(y, `${prefix}.${b}`, planes, 1, inits);
  return y;
}

/**
 * `_make_transition_layer`: a branch that exists keeps its input (or gets a 3x3 conv if its width changes); a new,
 * lower-resolution branch comes from the previous lowest one through a chain of 3x3 stride-2 convs.
 */
function transition(xs: Sym[], prefix: string, channels: number[], inits: Initialisers): Sym[] {
  const pre = xs.length;
  return channels.map((c, i) => {
    if (i < pre) {
      // (The official forward feeds y_list[-1] here when the width changes; no official configuration changes it.)
      return channelsOf(xs[i]) === c ? xs[i] : convBn(xs[i], `${prefix}.${i}`, { filters: c, kernel: 3 }, inits, true);
    }
    let y = xs[pre - 1];
    for (let k = 0; k <= i - pre; k++) {
      const filters = k === i - pre ? c : channelsOf(xs[pre - 1]);
      y = convBn(y, `${prefix}.${i}.${k}`, { filters, kernel: 3, stride: 2 }, inits, true);
    }
    return y;
  });
}

/**
 * One HighResolutionModule: residual branches, then every output resolution i sums all branches brought to it:
 * lower resolutions (j > i) by 1x1 conv + BN + nearest upsampling, higher ones (j < i) by i-j 3x3 stride-2 convs.
 */
function highResolutionModule(
  xs: Sym[],
  prefix: string,
  stage: HrnetStageConfig,
  multiScaleOutput: boolean,
  inits: Initialisers,
): Sym[] {
  const branches = xs.map((x, i) =>
    residualLayer(x, `${prefix}.branches.${i}`, stage.BLOCK, stage.NUM_CHANNELS[i], stage.NUM_BLOCKS[i], inits),
  );
  if (branches.length === 1) return branches;
  const widths = branches.map(channelsOf);
  const outputs = multiScaleOutput ? branches.length : 1;
  const fused: Sym[] = [];
  for (let i = 0; i < outputs; i++) {
    const terms = branches.map((x, j) => {
      const name = `${prefix}.fuse_layers.${i}.${j}`;
      if (j === i) return x;
      if (j > i) {
        const y = convBn(x, name, { filters: widths[i], kernel: 1 }, inits, false);
        const scale = 2 ** (j - i);
        return tf.layers
          .upSampling2d({ name: `${name}.2`, size: [scale, scale], interpolation: 'nearest' })
          .apply(y) as Sym;
      }
      let y = x;
      for (let k = 0; k < i - j; k++) {
        const last = k === i - j - 1;
        y = convBn(y, `${name}.${k}`, { filters: last ? widths[i] : widths[j], kernel: 3, stride: 2 }, inits, !last);
      }
      return y;
    });
    fused.push(relu(add(terms, `${prefix}.fuse_add.${i}`), `${prefix}.fuse_relu.${i}`));
  }
  return fused;
}

function stageModules(xs: Sym[], prefix: string, stage: HrnetStageConfig, inits: Initialisers): Sym[] {
  let ys = xs;
  // The classification network builds every stage with multi_scale_output=True (all resolutions are kept).
  for (let m = 0; m < stage.NUM_MODULES; m++) ys = highResolutionModule(ys, `${prefix}.${m}`, stage, true, inits);
  return ys;
}

/** Head: per-resolution bottlenecks, strided 3x3 convs merging high into low resolution, 1x1 conv to 2048, pooling. */
function classificationHead(ys: Sym[], numClasses: number, inits: Initialisers): Sym {
  const incre = ys.map((y, i) => residualLayer(y, `incre_modules.${i}`, 'BOTTLENECK', HEAD_CHANNELS[i], 1, inits));
  let y = incre[0];
  for (let i = 0; i + 1 < incre.length; i++) {
    const down = convBn(
      y,
      `downsamp_modules.${i}`,
      { filters: HEAD_CHANNELS[i + 1] * 4, kernel: 3, stride: 2, bias: true },
      inits,
      true,
    );
    y = add([incre[i + 1], down], `head_add.${i}`);
  }
  y = convBn(y, 'final_layer', { filters: HEAD_FEATURES, kernel: 1, bias: true }, inits, true);
  const pooled = tf.layers.globalAveragePooling2d({ name: POOLED_LAYER }).apply(y) as Sym;
  return tf.layers
    .dense({
      name: 'classifier',
      units: numClasses,
      kernelInitializer: inits.fanInUniform(HEAD_FEATURES),
      biasInitializer: inits.fanInUniform(HEAD_FEATURES),
    })
    .apply(pooled) as Sym;
}

/** Name of the global-average-pooling layer whose output is the 2048-d image representation. */
export const POOLED_LAYER = 'avgpool';

export interface HrnetBuild {
  model: tf.LayersModel;
  /** Output layer names of each stage's branches, highest resolution first: [stage1], [stage2 x2], ..., [stage4 x4]. */
  stageOutputs: string[][];
}

/** Builds HRNet-C for `config` (NHWC input [H, W, IN_CHANNELS], logits [B, NUM_CLASSES]). */
export function buildHrnet(config: HrnetModelConfig, options: InitOptions = { init: 'official' }): HrnetBuild {
  const inits = new Initialisers(options);
  const [width, height] = config.IMAGE_SIZE;
  const input = tf.input({ name: 'input', shape: [height, width, config.IN_CHANNELS] });
  const [s1, s2] = config.EXTRA.STEM_STRIDES;

  let x = relu(batchNorm(conv(input, 'conv1', { filters: 64, kernel: 3, stride: s1 }, inits), 'bn1'), 'relu1');
  x = relu(batchNorm(conv(x, 'conv2', { filters: 64, kernel: 3, stride: s2 }, inits), 'bn2'), 'relu2');

  const stage1 = config.EXTRA.STAGE1;
  x = residualLayer(x, 'layer1', stage1.BLOCK, stage1.NUM_CHANNELS[0], stage1.NUM_BLOCKS[0], inits);
  let ys: Sym[] = [x];
  const stageOutputs: Sym[][] = [ys];
  const later = [config.EXTRA.STAGE2, config.EXTRA.STAGE3, config.EXTRA.STAGE4];
  later.forEach((stage, k) => {
    const widths = stage.NUM_CHANNELS.map((c) => c * BLOCK_EXPANSION[stage.BLOCK]);
    ys = stageModules(transition(ys, `transition${k + 1}`, widths, inits), `stage${k + 2}`, stage, inits);
    stageOutputs.push(ys);
  });

  const logits = classificationHead(ys, config.NUM_CLASSES, inits);
  const model = tf.model({ name: 'cls_hrnet', inputs: input, outputs: logits });
  return { model, stageOutputs: stageOutputs.map((branches) => branches.map((s) => s.sourceLayer.name)) };
}

/** A model sharing `model`'s weights that outputs the named layers (e.g. stage branches and the pooled features). */
export function featureModel(model: tf.LayersModel, layerNames: string[]): tf.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: layerNames.map((n) => model.getLayer(n).output as Sym) });
}

/**
 * The registry's factory for an official variant: `inputShape` [H, W, C] (default [224, 224, 3]; H and W multiples of
 * 32), `numClasses` (default 1000), `init` ('official', default, or 'zeros' to skip random draws, e.g. before loading
 * weights or to count parameters), `seed`, and `pretrained`/`weightsPath` (an official cls_hrnet state dict).
 */
export function createHrnet(variant: HrnetVariant, options: ModelOptions = {}): tf.LayersModel {
  const source = `hrnet_${variant}`;
  const { inputShape, numClasses } = inputAndClasses(options, source);
  const [height, width, channels] = inputShape;
  const init = options.init ?? 'official';
  if (init !== 'official' && init !== 'zeros')
    throw new Error(`${source}: init must be 'official' or 'zeros', got ${JSON.stringify(init)}`);
  const config: HrnetModelConfig = {
    NUM_CLASSES: numClasses,
    IMAGE_SIZE: [width, height],
    IN_CHANNELS: channels,
    EXTRA: { STEM_STRIDES: [2, 2], ...hrnetStages(variant) },
  };
  checkHrnetConfig(config, source);
  const seed = typeof options.seed === 'number' ? options.seed : undefined;
  return withPretrained(buildHrnet(config, { init, seed }).model, options);
}
