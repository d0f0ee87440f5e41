// PyTorch state-dict names for the weights of a tfjs model whose weight-holding layers are named with torch module
// paths (see torch-builders.ts), and a strict loader from a state dict / safetensors file: torch layouts are
// transposed to tfjs's (conv OIHW -> HWIO, depthwise [C, 1, kh, kw] -> [kh, kw, C, 1], Linear [out, in] -> [in, out]).
import * as tf from '@tensorflow/tfjs';
import { loadSafetensors } from '../../io/safetensors';
import type { ModelOptions } from '../registry';

/** One tfjs weight and where it lives in a PyTorch state dict. */
export interface TorchWeight {
  variable: tf.LayerVariable;
  torchName: string;
  torchShape: number[];
  /** A BatchNorm running statistic: a torch buffer, not a parameter. */
  isBuffer: boolean;
  /** Converts a tensor in torch layout to this weight's tfjs layout (a new tensor). */
  fromTorch(t: tf.Tensor): tf.Tensor;
}

interface Rule {
  /** The torch name from the layer name. */
  name: (layer: string) => string;
  torchShape: (tfShape: number[]) => number[];
  fromTorch: (t: tf.Tensor, tfShape: number[]) => tf.Tensor;
  isBuffer?: boolean;
}

const identity: Pick<Rule, 'torchShape' | 'fromTorch'> = { torchShape: (s) => s, fromTorch: (t) => t.clone() };
const conv: Pick<Rule, 'torchShape' | 'fromTorch'> = {
  torchShape: ([h, w, i, o]) => [o, i, h, w],
  fromTorch: (t) => tf.transpose(t, [2, 3, 1, 0]),
};
const depthwise: Pick<Rule, 'torchShape' | 'fromTorch'> = {
  torchShape: ([h, w, c, m]) => [c * m, 1, h, w],
  fromTorch: (t, s) => tf.reshape(tf.transpose(t, [2, 3, 0, 1]), s),
};
const linear: Pick<Rule, 'torchShape' | 'fromTorch'> = {
  torchShape: ([i, o]) => [o, i],
  fromTorch: (t) => tf.transpose(t),
};
const suffix = (s: string) => (layer: string) => `${layer}.${s}`;

/** By layer class, then tfjs weight name. */
const RULES: Record<string, Record<string, Rule>> = {
  Conv2D: { kernel: { name: suffix('weight'), ...conv }, bias: { name: suffix('bias'), ...identity } },
  DepthwiseConv2D: {
    depthwise_kernel: { name: suffix('weight'), ...depthwise },
    bias: { name: suffix('bias'), ...identity },
  },
  Dense: { kernel: { name: suffix('weight'), ...linear }, bias: { name: suffix('bias'), ...identity } },
  BatchNormalization: {
    gamma: { name: suffix('weight'), ...identity },
    beta: { name: suffix('bias'), ...identity },
    moving_mean: { name: suffix('running_mean'), ...identity, isBuffer: true },
    moving_variance: { name: suffix('running_var'), ...identity, isBuffer: true },
  },
  LayerNorm: { gamma: { name: suffix('weight'), ...identity }, beta: { name: suffix('bias'), ...identity } },
  PatchEmbedding: { kernel: { name: suffix('weight'), ...conv }, bias: { name: suffix('bias'), ...identity } },
  MultiHeadSelfAttention: {
    qkv_kernel: { name: suffix('in_proj_weight'), ...linear },
    qkv_bias: { name: suffix('in_proj_bias'), ...identity },
    out_kernel: { name: suffix('out_proj.weight'), ...linear },
    out_bias: { name: suffix('out_proj.bias'), ...identity },
  },
  // torchvision's VisionTransformer: the class token is a top-level parameter, the position embedding belongs to
  // the encoder (the layer is named `encoder`).
  ClassTokenPosition: {
    cls: { name: () => 'class_token', ...identity },
    pos: { name: suffix('pos_embedding'), ...identity },
  },
  // ConvNeXt's layer_scale is [C, 1, 1] in torch, [C] here.
  LayerScale: {
    scale: { name: (layer) => layer, torchShape: ([c]) => [c, 1, 1], fromTorch: (t, s) => tf.reshape(t, s) },
  },
};

/** State-dict entries that hold no model state we keep (BatchNorm's step counter). */
export function isIgnoredTorchKey(name: string): boolean {
  return name.endsWith('.num_batches_tracked');
}

/** Every weight of the model with its torch name and shape, in the model's weight order. */
export function torchWeights(model: tf.LayersModel): TorchWeight[] {
  const out: TorchWeight[] = [];
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      const weightName = variable.originalName.split('/').pop() as string;
      const rule = RULES[layer.getClassName()]?.[weightName];
      if (!rule)
        throw new Error(
          `torchWeights: no torch name for weight '${variable.originalName}' of a ${layer.getClassName()} layer`,
        );
      const tfShape = variable.shape as number[];
      out.push({
        variable,
        torchName: rule.name(layer.name),
        torchShape: rule.torchShape(tfShape),
        isBuffer: rule.isBuffer ?? false,
        fromTorch: (t) => rule.fromTorch(t, tfShape),
      });
    }
  }
  const seen = new Set<string>();
  for (const w of out) {
    if (seen.has(w.torchName)) throw new Error(`torchWeights: two weights map to the torch name '${w.torchName}'`);
    seen.add(w.torchName);
  }
  return out;
}

/**
 * What torch's sum(p.numel() for p in model.parameters()) counts: every weight, trainable or not, except BatchNorm's
 * running mean and variance (torch buffers). Works for any tfjs model, mapped to torch names or not.
 */
export function countTorchParameters(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    const isBatchNorm = layer.getClassName() === 'BatchNormalization';
    for (const w of layer.weights) {
      const weightName = w.originalName.split('/').pop() as string;
      if (isBatchNorm && (weightName === 'moving_mean' || weightName === 'moving_variance')) continue;
      n += w.shape.reduce((a: number, b) => a * (b as number), 1);
    }
  }
  return n;
}

function listSome(names: string[], limit = 20): string {
  return names.length <= limit
    ? names.join(', ')
    : `${names.slice(0, limit).join(', ')}, ... (${names.length - limit} more)`;
}

/**
 * Sets every weight of the model from a torch-layout state dict. Strict: a key the model needs that is absent, a
 * key the model does not have (other than `*.num_batches_tracked`) or a shape that differs is an error naming them
 * all, and then no weight is changed. The caller keeps ownership of `stateDict`.
 */
export function loadTorchStateDict(
  model: tf.LayersModel,
  stateDict: Map<string, tf.Tensor>,
  source = 'state dict',
): void {
  const weights = torchWeights(model);
  const wanted = new Set(weights.map((w) => w.torchName));
  const missing = weights.filter((w) => !stateDict.has(w.torchName)).map((w) => w.torchName);
  const unexpected = [...stateDict.keys()].filter((k) => !wanted.has(k) && !isIgnoredTorchKey(k));
  const misShaped = weights
    .filter((w) => stateDict.has(w.torchName))
    .filter((w) => {
      const shape = (stateDict.get(w.torchName) as tf.Tensor).shape;
      return shape.length !== w.torchShape.length || shape.some((d, i) => d !== w.torchShape[i]);
    })
    .map((w) => `${w.torchName} (file [${(stateDict.get(w.torchName) as tf.Tensor).shape}], model [${w.torchShape}])`);
  const problems = [
    missing.length ? `missing ${missing.length} key(s): ${listSome(missing)}` : '',
    unexpected.length ? `unexpected ${unexpected.length} key(s): ${listSome(unexpected)}` : '',
    misShaped.length ? `${misShaped.length} mis-shaped key(s): ${listSome(misShaped)}` : '',
  ].filter(Boolean);
  if (problems.length) throw new Error(`${source} does not fit model '${model.name}': ${problems.join('; ')}`);
  const values = tf.tidy(() =>
    weights.map((w) => tf.keep(tf.cast(w.fromTorch(stateDict.get(w.torchName) as tf.Tensor), 'float32'))),
  );
  weights.forEach((w, i) => w.variable.write(values[i]));
  tf.dispose(values);
}

/** A translation of another library's state-dict names (e.g. timm's) into torchvision's. */
export interface WeightLayout {
  name: string;
  /** True when the keys are in this layout. */
  detect(keys: string[]): boolean;
  /** New torchvision-named tensors (the caller disposes both maps). */
  toTorchvision(stateDict: Map<string, tf.Tensor>): Map<string, tf.Tensor>;
}

/**
 * Loads a safetensors file of torchvision-named (or, for architectures that pass `layouts`, e.g. timm-named)
 * weights into the model; the file's name is in every error.
 */
export function loadTorchWeightsFile(
  model: tf.LayersModel,
  file: string,
  layouts: WeightLayout[] = [],
  layout = 'auto',
): void {
  const known = ['auto', 'torchvision', ...layouts.map((l) => l.name)];
  if (!known.includes(layout))
    throw new Error(`weightsLayout '${layout}' is not one of ${known.join(', ')} for model '${model.name}'`);
  const tensors = loadSafetensors(file);
  try {
    const keys = [...tensors.keys()];
    const chosen = layout === 'auto' ? layouts.find((l) => l.detect(keys)) : layouts.find((l) => l.name === layout);
    if (!chosen) {
      loadTorchStateDict(model, tensors, file);
      return;
    }
    const translated = chosen.toTorchvision(tensors);
    try {
      loadTorchStateDict(model, translated, `${file} (${chosen.name} layout)`);
    } finally {
      tf.dispose([...translated.values()]);
    }
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** Applies `pretrained: true` of model options (with `weightsPath`); returns the model. */
export function withPretrained(
  model: tf.LayersModel,
  options: ModelOptions,
  layouts: WeightLayout[] = [],
): tf.LayersModel {
  if (options.pretrained === undefined || options.pretrained === false) return model;
  if (options.pretrained !== true)
    throw new Error(`${model.name}: pretrained must be true or false, got ${JSON.stringify(options.pretrained)}`);
  if (typeof options.weightsPath !== 'string' || options.weightsPath === '') {
    model.dispose();
    throw new Error(
      `${model.name}: pretrained: true needs weightsPath, the .safetensors file to load (e.g. from tools download-hf-model)`,
    );
  }
  const layout = options.weightsLayout === undefined ? 'auto' : String(options.weightsLayout);
  try {
    loadTorchWeightsFile(model, options.weightsPath, layouts, layout);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** A layout whose names are a key-by-key rename (with an optional reshape to the torchvision shape). */
export function renameLayout(
  name: string,
  detect: (keys: string[]) => boolean,
  rename: (key: string) => string,
  reshape: (torchvisionKey: string, t: tf.Tensor) => tf.Tensor = (_, t) => t.clone(),
): WeightLayout {
  return {
    name,
    detect,
    toTorchvision(stateDict) {
      const out = new Map<string, tf.Tensor>();
      for (const [key, t] of stateDict) {
        const renamed = rename(key);
        if (out.has(renamed)) {
          tf.dispose([...out.values()]);
          throw new Error(`${name} layout: two keys map to '${renamed}' (one is '${key}')`);
        }
        out.set(renamed, reshape(renamed, t));
      }
      return out;
    },
  };
}
