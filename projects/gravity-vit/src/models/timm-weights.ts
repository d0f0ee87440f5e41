// Loads timm-layout ViT weights (a state_dict saved as safetensors, e.g. timm/vit_base_patch16_224.augreg2_in21k_ft_in1k's
// model.safetensors) into a timmVit model: PyTorch's Linear [out, in] and Conv2d [out, in, kh, kw] become tfjs'
// [in, out] and [kh, kw, in, out]; pos_embed is resampled bicubically when the model's patch grid differs; a
// 3-channel patch projection is summed to 1 channel for grey inputs (timm's adapt_input_conv); a head whose class
// count differs is left at its initialisation.
import * as tf from '@tensorflow/tfjs';
import { type PatchEmbedding, loadSafetensors } from '@research/common';
import { resampleAbsPosEmbed } from './pos-embed';
import { EMBED_LAYER } from './timm-vit';

export interface TimmLoadOptions {
  /** The checkpoint's patch grid when it is not square (a square grid is inferred from pos_embed). */
  sourceGrid?: [number, number];
  /** Load `head.*` when its shape fits (default true). */
  loadHead?: boolean;
}

export interface TimmLoadReport {
  loaded: string[];
  /** Checkpoint keys not used (with why). */
  skipped: string[];
  /** Set when pos_embed was resampled: the grids. */
  resampledPosEmbed?: { from: [number, number]; to: [number, number] };
  /** Set when a 3-channel projection was summed to 1 channel. */
  adaptedInputChannels?: { from: number; to: number };
}

type Weights = Map<string, tf.Tensor>;

function take(weights: Weights, key: string, source: string): tf.Tensor {
  const t = weights.get(key);
  if (!t)
    throw new Error(
      `${source}: no tensor '${key}' (a timm VisionTransformer state_dict has it; keys: ${[...weights.keys()].slice(0, 8).join(', ')}, ...)`,
    );
  return t;
}

function layer(model: tf.LayersModel, name: string): tf.layers.Layer {
  try {
    return model.getLayer(name);
  } catch (err) {
    throw new Error(`loadTimmVitWeights: the model has no layer '${name}' (is it a timmVit?)`, { cause: err });
  }
}

function assign(target: tf.layers.Layer, values: tf.Tensor[], what: string): void {
  const current = target.getWeights();
  values.forEach((v, i) => {
    const want = current[i].shape;
    if (v.shape.length !== want.length || v.shape.some((d, k) => d !== want[k])) {
      throw new Error(
        `loadTimmVitWeights: ${what}[${i}] has shape [${v.shape}] after conversion, the model expects [${want}]`,
      );
    }
  });
  target.setWeights(values);
}

/** Linear [out, in] -> [in, out]. */
const linear = (w: tf.Tensor) => tf.transpose(w);

function gridOf(tokens: number, given: [number, number] | undefined, source: string): [number, number] {
  if (given) {
    if (given[0] * given[1] !== tokens)
      throw new Error(`${source}: sourceGrid ${given.join('x')} does not hold ${tokens} patch tokens`);
    return given;
  }
  const side = Math.round(Math.sqrt(tokens));
  if (side * side !== tokens)
    throw new Error(`${source}: pos_embed has ${tokens} patch tokens, not a square grid: pass sourceGrid`);
  return [side, side];
}

/** Copies a timm state_dict (name -> tensor, PyTorch layouts) into `model`. Tensors in `weights` are not disposed. */
export function assignTimmVitWeights(
  model: tf.LayersModel,
  weights: Weights,
  opts: TimmLoadOptions = {},
  source = 'timm weights',
): TimmLoadReport {
  const report: TimmLoadReport = { loaded: [], skipped: [] };
  const used = new Set<string>();
  const get = (key: string) => {
    used.add(key);
    report.loaded.push(key);
    return take(weights, key, source);
  };
  tf.tidy(() => {
    // Patch projection.
    const proj = layer(model, 'patch_embed.proj');
    let kernel = tf.transpose(get('patch_embed.proj.weight'), [2, 3, 1, 0]); // [kh, kw, in, out]
    const wantIn = proj.getWeights()[0].shape[2] as number;
    const haveIn = kernel.shape[2] as number;
    if (wantIn !== haveIn) {
      if (wantIn !== 1)
        throw new Error(
          `${source}: patch_embed.proj has ${haveIn} input channels, the model ${wantIn} (only 3 -> 1 is adapted)`,
        );
      kernel = kernel.sum(2, true);
      report.adaptedInputChannels = { from: haveIn, to: wantIn };
    }
    assign(proj, [kernel, get('patch_embed.proj.bias')], 'patch_embed.proj');

    // Class token and positional embedding (resampled to the model's grid when it differs).
    const embed = layer(model, EMBED_LAYER);
    const posShape = embed.getWeights()[1].shape as number[];
    let pos = get('pos_embed');
    const dim = pos.shape[2] as number;
    if (pos.shape[1] !== posShape[1]) {
      const from = gridOf((pos.shape[1] as number) - 1, opts.sourceGrid, source);
      const image = model.inputs[0].shape as number[];
      const patch = (proj as PatchEmbedding).patchSize;
      const to: [number, number] = [Math.floor(image[1] / patch), Math.floor(image[2] / patch)];
      const resampled = resampleAbsPosEmbed(pos.dataSync() as Float32Array, { oldGrid: from, newGrid: to, dim });
      pos = tf.tensor3d(resampled, [1, 1 + to[0] * to[1], dim]);
      report.resampledPosEmbed = { from, to };
    }
    assign(embed, [get('cls_token'), pos], EMBED_LAYER);

    for (let i = 0; ; i++) {
      const p = `blocks.${i}`;
      if (!weights.has(`${p}.norm1.weight`)) break;
      assign(layer(model, `${p}.norm1`), [get(`${p}.norm1.weight`), get(`${p}.norm1.bias`)], `${p}.norm1`);
      assign(
        layer(model, `${p}.attn`),
        [
          linear(get(`${p}.attn.qkv.weight`)),
          get(`${p}.attn.qkv.bias`),
          linear(get(`${p}.attn.proj.weight`)),
          get(`${p}.attn.proj.bias`),
        ],
        `${p}.attn`,
      );
      assign(layer(model, `${p}.norm2`), [get(`${p}.norm2.weight`), get(`${p}.norm2.bias`)], `${p}.norm2`);
      assign(
        layer(model, `${p}.mlp.fc1`),
        [linear(get(`${p}.mlp.fc1.weight`)), get(`${p}.mlp.fc1.bias`)],
        `${p}.mlp.fc1`,
      );
      assign(
        layer(model, `${p}.mlp.fc2`),
        [linear(get(`${p}.mlp.fc2.weight`)), get(`${p}.mlp.fc2.bias`)],
        `${p}.mlp.fc2`,
      );
    }
    const depth = model.layers.filter((l) => /^blocks\.\d+\.norm1$/.test(l.name)).length;
    const loadedDepth = report.loaded.filter((k) => /^blocks\.\d+\.norm1\.weight$/.test(k)).length;
    if (depth !== loadedDepth)
      throw new Error(`${source}: the checkpoint has ${loadedDepth} blocks, the model ${depth}`);
    assign(layer(model, 'norm'), [get('norm.weight'), get('norm.bias')], 'norm');

    const head = model.layers.find((l) => l.name === 'head');
    const headW = weights.get('head.weight');
    if (head && headW && opts.loadHead !== false && headW.shape[0] === head.getWeights()[0].shape[1]) {
      assign(head, [linear(get('head.weight')), get('head.bias')], 'head');
    }
  });
  for (const key of weights.keys()) if (!used.has(key)) report.skipped.push(key);
  return report;
}

/** Reads `<file>.safetensors` and assigns it (see assignTimmVitWeights). */
export function loadTimmVitWeights(model: tf.LayersModel, file: string, opts: TimmLoadOptions = {}): TimmLoadReport {
  const weights = loadSafetensors(file);
  try {
    return assignTimmVitWeights(model, weights, opts, file);
  } finally {
    tf.dispose([...weights.values()]);
  }
}
