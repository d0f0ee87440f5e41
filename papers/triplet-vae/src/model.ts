// The config's model section -> one of the two triplet-VAE models (their builders are common's, models/triplet-vae).
import { ImageTransformer, MultiTaskImageTransformer, type TripletVaeModel } from '@research/common';

/** The config's model section and the data's shape -> a model. */
export function buildTripletVaeModel(
  model: {
    mode: 'simple' | 'multitask';
    patch_size: number;
    dim: number;
    depth: number;
    heads: number;
    mlp_dim: number;
    latent_dim: number;
    embedding_dim: number;
    decoder_channels: number;
  },
  inputShape: readonly [number, number, number],
  numClasses: number,
): TripletVaeModel {
  const base = {
    inputShape: [...inputShape] as [number, number, number],
    numClasses,
    patchSize: model.patch_size,
    dim: model.dim,
    depth: model.depth,
    heads: model.heads,
    mlpDim: model.mlp_dim,
    embeddingDim: model.embedding_dim,
  };
  if (model.mode === 'simple') return new ImageTransformer(base);
  return new MultiTaskImageTransformer({
    ...base,
    latentDim: model.latent_dim,
    decoderChannels: model.decoder_channels,
  });
}
