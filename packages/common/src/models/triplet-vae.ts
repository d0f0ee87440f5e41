// The two models of papers/triplet-vae (a ViT trained with a triplet loss, optionally as a VAE), built from the shared
// ViT layers:
// - ImageTransformer (simple mode): ViT encoder -> class-token features -> embedding head (L2-normalised) + classifier.
// - MultiTaskImageTransformer: ViT encoder -> VAE latent (mu, logvar heads, reparameterised sample z) -> embedding
//   head (L2-normalised) + classifier on z, and a decoder (dense, then two stride-2 transposed convolutions) that
//   reconstructs the image from z. At inference z = mu.
// Each part is its own tf.LayersModel so the Trainer checkpoints them by name; the sampling between them is plain ops.
// The registry's triplet_vae_vit / triplet_vae_vit_multitask are the classifier path of each as one graph.
import * as tf from '@tensorflow/tfjs';
import {
  ClassTokenPosition,
  layerNorm,
  PatchEmbedding,
  TakeToken,
  torchDefaultInit,
  transformerEncoderBlock,
} from './layers';
import type { ModelOptions } from './registry';
import { countTorchParameters } from './zoo/torch-weights';

export interface ImageTransformerOptions {
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  numClasses: number;
  patchSize: number;
  dim: number;
  depth: number;
  heads: number;
  mlpDim: number;
  embeddingDim: number;
}

export interface MultiTaskImageTransformerOptions extends ImageTransformerOptions {
  latentDim: number;
  /** Channels of the decoder's first feature map (at 1/4 of the image size); halved by the first transposed conv. */
  decoderChannels: number;
}

/** What a forward pass returns; the VAE entries exist in multi-task mode only. */
export interface TripletVaeOutputs {
  /** L2-normalised embeddings [B, embeddingDim]. */
  embedding: tf.Tensor2D;
  logits: tf.Tensor2D;
  mu?: tf.Tensor2D;
  logvar?: tf.Tensor2D;
  /** Reconstructed images in [0, 1], same shape as the input. */
  reconstruction?: tf.Tensor4D;
}

export interface TripletVaeModel {
  readonly mode: 'simple' | 'multitask';
  /** The weight-holding parts, by name (what TrainModule.models and checkpoints use). */
  readonly models: Record<string, tf.LayersModel>;
  /** `training` draws z ~ N(mu, sigma²); otherwise z = mu. */
  forward(images: tf.Tensor4D, training: boolean): TripletVaeOutputs;
}

/** x / max(‖x‖₂, 1e-12) per row, as torch.nn.functional.normalize. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)));
}

function checkOptions(opts: ImageTransformerOptions): void {
  const [h, w] = opts.inputShape;
  if (h % opts.patchSize !== 0 || w % opts.patchSize !== 0) {
    throw new Error(`model.patch_size ${opts.patchSize} must divide the image size ${h}x${w}`);
  }
  if (opts.dim % opts.heads !== 0)
    throw new Error(`model.dim ${opts.dim} must be divisible by model.heads ${opts.heads}`);
}

/** image [B, H, W, C] -> class-token features [B, dim] after the final layer norm. */
function vitEncoder(
  opts: ImageTransformerOptions,
  extraHeads: (features: tf.SymbolicTensor) => tf.SymbolicTensor[],
  name: string,
): tf.LayersModel {
  checkOptions(opts);
  const input = tf.input({ shape: opts.inputShape, name: 'image' });
  const patches = new PatchEmbedding({ patchSize: opts.patchSize, dim: opts.dim, name: 'patch_embed' }).apply(
    input,
  ) as tf.SymbolicTensor;
  let x = new ClassTokenPosition({ initStddev: 0.02, name: 'cls_pos' }).apply(patches) as tf.SymbolicTensor;
  for (let i = 0; i < opts.depth; i++)
    x = transformerEncoderBlock(x, { numHeads: opts.heads, mlpDim: opts.mlpDim, name: `block${i}` });
  const features = new TakeToken({ index: 0, name: 'cls_token' }).apply(
    layerNorm('norm').apply(x),
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: extraHeads(features), name });
}

function dense(units: number, fanIn: number, name: string, activation?: 'relu' | 'gelu'): tf.layers.Layer {
  return tf.layers.dense({ units, activation, name, ...torchDefaultInit(fanIn) });
}

/** A small MLP head: dense(in -> in, GELU) -> dense(in -> out). */
function head(inputDim: number, outputDim: number, name: string): tf.LayersModel {
  const input = tf.input({ shape: [inputDim], name: `${name}_in` });
  const hidden = dense(inputDim, inputDim, `${name}_hidden`, 'gelu').apply(input);
  const out = dense(outputDim, inputDim, `${name}_out`).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

function linear(inputDim: number, outputDim: number, name: string): tf.LayersModel {
  const input = tf.input({ shape: [inputDim], name: `${name}_in` });
  return tf.model({
    inputs: input,
    outputs: dense(outputDim, inputDim, `${name}_out`).apply(input) as tf.SymbolicTensor,
    name,
  });
}

/** z [B, latent] -> dense -> [H/4, W/4, C] -> convT(C/2, stride 2) -> convT(channels, stride 2) -> sigmoid. */
function decoder(opts: MultiTaskImageTransformerOptions): tf.LayersModel {
  const [h, w, channels] = opts.inputShape;
  if (h % 4 !== 0 || w % 4 !== 0)
    throw new Error(`the decoder upsamples by 4: the image size ${h}x${w} must be divisible by 4`);
  const c = opts.decoderChannels;
  const input = tf.input({ shape: [opts.latentDim], name: 'z' });
  let x = dense((h / 4) * (w / 4) * c, opts.latentDim, 'dec_dense', 'relu').apply(input) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [h / 4, w / 4, c], name: 'dec_reshape' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2dTranspose({
      filters: Math.max(1, c / 2),
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      name: 'dec_up1',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2dTranspose({
      filters: channels,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      activation: 'sigmoid',
      name: 'dec_up2',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'decoder' });
}

/** Simple mode: triplet embedding and classifier on the encoder features. */
export class ImageTransformer implements TripletVaeModel {
  readonly mode = 'simple' as const;
  readonly models: Record<string, tf.LayersModel>;

  constructor(readonly options: ImageTransformerOptions) {
    this.models = {
      encoder: vitEncoder(options, (features) => [features], 'encoder'),
      embedding_head: head(options.dim, options.embeddingDim, 'embedding_head'),
      classifier: linear(options.dim, options.numClasses, 'classifier'),
    };
  }

  forward(images: tf.Tensor4D, training: boolean): TripletVaeOutputs {
    return tf.tidy(() => {
      const features = this.models.encoder.apply(images, { training }) as tf.Tensor2D;
      return {
        embedding: l2Normalize(this.models.embedding_head.apply(features, { training }) as tf.Tensor2D),
        logits: this.models.classifier.apply(features, { training }) as tf.Tensor2D,
      };
    });
  }
}

/** Multi-task mode: VAE latent, embedding, classifier and decoder. */
export class MultiTaskImageTransformer implements TripletVaeModel {
  readonly mode = 'multitask' as const;
  readonly models: Record<string, tf.LayersModel>;

  constructor(readonly options: MultiTaskImageTransformerOptions) {
    const { dim, latentDim } = options;
    this.models = {
      encoder: vitEncoder(
        options,
        (features) => [
          dense(latentDim, dim, 'mu').apply(features) as tf.SymbolicTensor,
          dense(latentDim, dim, 'logvar').apply(features) as tf.SymbolicTensor,
        ],
        'encoder',
      ),
      embedding_head: head(latentDim, options.embeddingDim, 'embedding_head'),
      classifier: linear(latentDim, options.numClasses, 'classifier'),
      decoder: decoder(options),
    };
  }

  forward(images: tf.Tensor4D, training: boolean): TripletVaeOutputs {
    return tf.tidy(() => {
      const [mu, logvar] = this.models.encoder.apply(images, { training }) as tf.Tensor2D[];
      // Reparameterisation: z = mu + sigma * eps keeps the sample differentiable in mu and logvar.
      const z = training ? tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.randomNormal(mu.shape))) : mu;
      return {
        mu,
        logvar,
        embedding: l2Normalize(this.models.embedding_head.apply(z, { training }) as tf.Tensor2D),
        logits: this.models.classifier.apply(z, { training }) as tf.Tensor2D,
        reconstruction: this.models.decoder.apply(z, { training }) as tf.Tensor4D,
      };
    });
  }
}

/** Total parameters of a model's parts, as PyTorch counts them. */
export function countTripletVaeParameters(model: TripletVaeModel): number {
  return Object.values(model.models).reduce((sum, m) => sum + countTorchParameters(m), 0);
}

/** image [B, H, W, C] -> logits [B, classes], what `forward(images, false).logits` computes, as one graph for export. */
export function tripletVaeClassifier(model: TripletVaeModel): tf.LayersModel {
  const { encoder, classifier } = model.models;
  const input = tf.input({ shape: encoder.inputs[0].shape.slice(1) as number[], name: 'image' });
  const encoded = encoder.apply(input) as tf.SymbolicTensor | tf.SymbolicTensor[];
  // Multitask: the encoder gives [mu, logvar]; inference uses z = mu.
  const features = Array.isArray(encoded) ? encoded[0] : encoded;
  const logits = classifier.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'triplet_vae_classifier' });
}

/** The paper's defaults (configs/model/*.yaml): a Fashion-MNIST-sized ViT. */
const DEFAULTS: MultiTaskImageTransformerOptions = {
  inputShape: [28, 28, 1],
  numClasses: 10,
  patchSize: 7,
  dim: 64,
  depth: 4,
  heads: 4,
  mlpDim: 128,
  embeddingDim: 64,
  latentDim: 32,
  decoderChannels: 32,
};

function positiveInt(options: ModelOptions, key: keyof MultiTaskImageTransformerOptions, source: string): number {
  const value = options[key] ?? DEFAULTS[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new Error(`${source}: ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** Registry options (inputShape, numClasses, patchSize, dim, depth, heads, mlpDim, embeddingDim, latentDim,
 * decoderChannels; defaults: the paper's) -> the full options of a triplet-VAE model. */
export function tripletVaeOptions(options: ModelOptions, source: string): MultiTaskImageTransformerOptions {
  const inputShape = options.inputShape ?? DEFAULTS.inputShape;
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new Error(`${source}: inputShape must be [height, width, channels], got ${JSON.stringify(inputShape)}`);
  const keys = ['numClasses', 'patchSize', 'dim', 'depth', 'heads', 'mlpDim', 'embeddingDim', 'latentDim'] as const;
  const read = Object.fromEntries(keys.map((k) => [k, positiveInt(options, k, source)]));
  return {
    ...(read as Omit<MultiTaskImageTransformerOptions, 'inputShape' | 'decoderChannels'>),
    inputShape: inputShape as [number, number, number],
    decoderChannels: positiveInt(options, 'decoderChannels', source),
  };
}

/** The registry's factory: the classifier path of a fresh triplet-VAE model (the unused parts are disposed). */
export function createTripletVaeClassifier(mode: 'simple' | 'multitask', options: ModelOptions): tf.LayersModel {
  const full = tripletVaeOptions(options, mode === 'simple' ? 'triplet_vae_vit' : 'triplet_vae_vit_multitask');
  const model = mode === 'simple' ? new ImageTransformer(full) : new MultiTaskImageTransformer(full);
  const graph = tripletVaeClassifier(model);
  for (const [name, part] of Object.entries(model.models))
    if (name !== 'encoder' && name !== 'classifier') part.dispose();
  return graph;
}
