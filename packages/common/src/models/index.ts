// The public surface of the models module: the registry, shared layers, and the registered architectures.
import { referenceCnn } from './reference-cnn';
import { registerModel } from './registry';
import { createTripletVaeClassifier } from './triplet-vae';
import { vitTiny } from './vit';

export {
  registerModel,
  registerModelAlias,
  createModel,
  listModels,
  listModelAliases,
  describeModel,
} from './registry';
export type { ModelFactory, ModelOptions } from './registry';
export * from './layers';
export * from './zoo';
export * from './hrnet';
export { referenceCnn } from './reference-cnn';
export { vit, vitTiny } from './vit';
export type { VitOptions } from './vit';
export {
  countTripletVaeParameters,
  createTripletVaeClassifier,
  ImageTransformer,
  l2Normalize,
  MultiTaskImageTransformer,
  tripletVaeClassifier,
  tripletVaeOptions,
} from './triplet-vae';
export type {
  ImageTransformerOptions,
  MultiTaskImageTransformerOptions,
  TripletVaeModel,
  TripletVaeOutputs,
} from './triplet-vae';

registerModel('reference-cnn', referenceCnn, 'The CNN of torch_reference.py (225,034 parameters)');
registerModel('vit-tiny', vitTiny, 'The ViT of torch_reference.py: patch 7, dim 64, depth 4, heads 4, MLP 128');
registerModel(
  'triplet_vae_vit',
  (options) => createTripletVaeClassifier('simple', options),
  'papers/triplet-vae simple mode, classifier path: ViT (patch 7, dim 64, depth 4, heads 4, MLP 128) -> linear',
);
registerModel(
  'triplet_vae_vit_multitask',
  (options) => createTripletVaeClassifier('multitask', options),
  'papers/triplet-vae multitask mode, classifier path: ViT encoder -> VAE mean (latent 32) -> linear',
);
