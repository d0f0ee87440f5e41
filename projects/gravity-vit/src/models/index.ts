// gravity-vit's models: the timm-layout ViT (+ weight loader, positional-embedding resampling), the multi-view ViT
// with cross-attention fusion, and the Bahaadini-style CNN on the merged view; the ONNX converters of their layers.
import './onnx-converters';
export { timmVit, patchGrid, EMBED_LAYER, VIT_BASE_PATCH16, type TimmVitOptions } from './timm-vit';
export { assignTimmVitWeights, loadTimmVitWeights, type TimmLoadOptions, type TimmLoadReport } from './timm-weights';
export { bicubicResize, resampleAbsPosEmbed } from './pos-embed';
export { multiviewVit, ENCODER_NAME, type MultiviewVitOptions } from './multiview-vit';
export { baselineCnn, type BaselineCnnOptions } from './baseline-cnn';
export { ClassQueries, CrossAttentionBlock, PerClassLinear } from './fusion';
export { FoldViews, UnfoldViews, ViewEmbedding } from './view-layers';
