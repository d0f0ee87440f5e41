// The model zoo: torchvision-equivalent architectures (parameter counts equal torchvision 0.14's at 1000 classes)
// and small custom CNNs, each registered by name; torch-layout weight loading (torchvision and timm names).
import { registerModel } from '../registry';
import { convnextTiny } from './convnext';
import { efficientnetB0 } from './efficientnet';
import { mobilenetV2 } from './mobilenet-v2';
import { mobilenetV3Small } from './mobilenet-v3';
import { resnet18, resnet34, resnet50 } from './resnet';
import { simpleCnn, simpleCnnGn, tinyNet } from './simple-cnn';
import { vitB16 } from './vision-transformer';

export { convnextTiny, timmConvnextLayout, timmConvnextName } from './convnext';
export { efficientnetB0 } from './efficientnet';
export { mobilenetV2 } from './mobilenet-v2';
export { mobilenetV3Small } from './mobilenet-v3';
export { resnet18, resnet34, resnet50 } from './resnet';
export { simpleCnn, simpleCnnGn, tinyNet } from './simple-cnn';
export { visionTransformer, vitB16, timmVitName } from './vision-transformer';
export type { VisionTransformerOptions } from './vision-transformer';
export { LayerScale, StochasticDepth, TorchActivation } from './torch-layers';
export {
  countTorchParameters,
  isIgnoredTorchKey,
  loadTorchStateDict,
  loadTorchWeightsFile,
  torchWeights,
  withPretrained,
} from './torch-weights';
export type { TorchWeight, WeightLayout } from './torch-weights';

// One line per architecture: name, factory, description.
registerModel('resnet18', resnet18, 'torchvision ResNet-18 (BasicBlock x [2, 2, 2, 2])');
registerModel('resnet34', resnet34, 'torchvision ResNet-34 (BasicBlock x [3, 4, 6, 3])');
registerModel('resnet50', resnet50, 'torchvision ResNet-50 v1.5 (Bottleneck x [3, 4, 6, 3])');
registerModel('mobilenet_v2', mobilenetV2, 'torchvision MobileNetV2 (width 1.0, ReLU6)');
registerModel('mobilenet_v3_small', mobilenetV3Small, 'torchvision MobileNetV3-Small (hardswish, SE, BN eps 1e-3)');
registerModel(
  'efficientnet_b0',
  efficientnetB0,
  'torchvision EfficientNet-B0 (MBConv, SiLU, SE, stochastic depth 0.2)',
);
registerModel(
  'convnext_tiny',
  convnextTiny,
  'torchvision ConvNeXt-Tiny (LayerNorm eps 1e-6, layer scale, stochastic depth 0.1)',
);
registerModel('vit_b_16', vitB16, 'torchvision ViT-B/16 (224x224, 12 layers, width 768, LayerNorm eps 1e-6)');
registerModel(
  'simple_cnn',
  simpleCnn,
  'custom: 5 conv3x3-BN-ReLU (32, 32, 64, 64, 128), 2 max pools, GAP, dropout 0.3, linear',
);
registerModel(
  'simple_cnn_gn',
  simpleCnnGn,
  'custom: simple_cnn with GroupNorm(8) in place of BatchNorm (for trainer_type dp, as Opacus ModuleValidator.fix)',
);
registerModel('tiny_net', tinyNet, 'custom: 2 conv3x3-BN-ReLU (16, 32) each with a max pool, GAP, linear');
