// The public surface of the viz module: TensorBoard event files, plots (SVG/PNG), embeddings.
export * from './tensorboard';
export * from './plot';
export type { ImageInput, RasterImage, RawImage, TensorLike } from './raster';
