// The public surface of the viz module: TensorBoard event files, plots (SVG/PNG), embeddings (t-SNE, UMAP).
export * from './tensorboard';
export * from './plot';
export * from './charts';
export * from './runs';
export * from './report';
export * from './search';
export * from './embedding';
export type { ImageInput, RasterImage, RawImage, TensorLike } from './raster';
