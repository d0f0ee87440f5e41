// The public surface of the data module.
export type { Batch, BatchSource } from './batch';
export {
  readIdx,
  parseIdx,
  readIdxUint8,
  encodeIdx,
  writeIdx,
  type IdxArray,
  type IdxData,
  type IdxDtype,
} from './idx';
export { ImageDataset, seededSplit, splitIndices, stratifiedSubset, type SplitOptions } from './image-dataset';
export {
  loadFashionMnist,
  loadMnist,
  loadCifar10,
  readIdxImageFolder,
  decodeCifarBatch,
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  CIFAR10_CLASSES,
  FASHION_MNIST_SAMPLE_DIR,
  type DatasetSplit,
  type LoadedDataset,
  type LoadOptions,
} from './datasets';
export { DataLoader, type DataLoaderOptions } from './loader';
export {
  composeTransforms,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  randomRotation,
  randomAffine,
  randomPerspective,
  resize,
  warpImages,
  type ImageTransform,
  type WarpOptions,
  type AffineOptions,
} from './transforms';
export { affineAboutCentre, perspectiveRow, transformRow, type Matrix3 } from './geometry';
export {
  readParquetImageDataset,
  loadParquetImageSplit,
  findParquetSplitFiles,
  writeIdxImageFolder,
  type ParquetImageOptions,
} from './parquet';
export {
  listImageFolder,
  decodeImageFile,
  decodeImageBatch,
  loadImageFolderDataset,
  ImageFolderSource,
  IMAGE_FOLDER_EXTENSIONS,
  type ImageFolderIndex,
  type DecodeImageOptions,
  type DecodedImage,
  type ImageFolderSourceOptions,
} from './image-folder';
export { checkImageFiles, imageFileProblem, type CheckImagesOptions } from './image-check';
export { parquetConfigSplit, selectDatasetFiles } from './hub-files';
export * from './image-export';
export * from './splits';
export * from './indexed';
