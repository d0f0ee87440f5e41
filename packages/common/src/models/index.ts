// The public surface of the models module: the registry, shared layers, and the registered architectures.
import { referenceCnn } from './reference-cnn';
import { registerModel } from './registry';
import { vitTiny } from './vit';

export { registerModel, createModel, listModels, describeModel } from './registry';
export type { ModelFactory, ModelOptions } from './registry';
export * from './layers';
export * from './zoo';
export { referenceCnn } from './reference-cnn';
export { vit, vitTiny } from './vit';
export type { VitOptions } from './vit';

registerModel('reference-cnn', referenceCnn, 'The CNN of torch_reference.py (225,034 parameters)');
registerModel('vit-tiny', vitTiny, 'The ViT of torch_reference.py: patch 7, dim 64, depth 4, heads 4, MLP 128');
