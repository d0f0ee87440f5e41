// IndexedImageDataset: batches of the images an index file lists (<data_dir>/splits/*.txt), decoded with sharp and
// transformed as torchvision does (resize, center / random resized crop, flip, colour jitter, normalise), and the
// per-channel statistics used to normalise.
export { IndexedImageDataset, type IndexedImageDatasetOptions } from './indexed-dataset';
export {
  checkTransforms,
  loadTransformedImage,
  outputSize,
  decodeToChannels,
  type ImageTransformSpec,
  type PipelineOptions,
} from './image-pipeline';
export { centerCropBox, randomResizedCropBox, resizedSize, roundHalfEven, type CropBox } from './crop-geometry';
export { resizeBilinearPil } from './pil-resize';
export {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  flipHorizontal,
  normalizeInPlace,
  type FloatImage,
} from './pixel-ops';
export {
  computeChannelStats,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type ChannelStats,
  type ChannelStatsOptions,
} from './channel-stats';
