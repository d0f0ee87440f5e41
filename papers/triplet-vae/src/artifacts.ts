// Pictures a run leaves behind: triplet samples, reconstruction grids in TensorBoard, the t-SNE of test embeddings.
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import {
  imageGrid,
  plotEmbedding2d,
  savePlot,
  SummaryWriter,
  tsne,
  type Callback,
  type EpochRecord,
  type ImageDataset,
  type RawImage,
  type TrainerView,
  type TrainModule,
  type TripletVaeModel,
} from '@research/common';
import type { TripletDataset } from './triplet-dataset';

/** Splits a [B, H, W, C] float batch in [0, 1] into raw images. */
function rawImages(batch: tf.Tensor4D): RawImage[] {
  const [b, height, width, channels] = batch.shape;
  const data = batch.dataSync();
  const size = height * width * channels;
  return Array.from({ length: b }, (_, i) => ({
    data: Float32Array.from(data.subarray(i * size, (i + 1) * size)),
    width,
    height,
    channels,
  }));
}

/** One row per triplet (anchor, positive, negative) from the first batch of epoch 0, as trained (augmented). */
export function saveTripletSamples(source: TripletDataset, file: string, rows = 8): string[] {
  const triplets = source.triplets(0);
  const batch = source.makeBatch(triplets, 0, 0);
  try {
    const count = Math.min(rows, batch.anchor.shape[0]);
    const [a, p, n] = ['anchor', 'positive', 'negative'].map((k) => rawImages(batch[k] as tf.Tensor4D));
    const ya = batch.y.dataSync();
    const yn = batch.y_negative.dataSync();
    const names = source.dataset.classNames;
    const name = (label: number) => names?.[label] ?? String(label);
    const images: RawImage[] = [];
    const labels: string[] = [];
    for (let i = 0; i < count; i++) {
      images.push(a[i], p[i], n[i]);
      labels.push(`A: ${name(ya[i])}`, `P: ${name(ya[i])}`, `N: ${name(yn[i])}`);
    }
    return savePlot(imageGrid(images, { cols: 3, upscale: 3, labels }), file);
  } finally {
    tf.dispose(batch);
  }
}

/** The first `count` images of a dataset as a float batch in [0, 1]. */
export function firstImages(dataset: ImageDataset, count: number): tf.Tensor4D {
  const n = Math.min(count, dataset.length);
  const size = dataset.pixelsPerImage;
  const pixels = Float32Array.from(dataset.images.subarray(0, n * size), (v) => v / 255);
  return tf.tensor4d(pixels, [n, ...dataset.imageShape]);
}

/**
 * After each epoch, writes `reconstructions` to the run's TensorBoard folder: the same validation images (top row)
 * and their reconstructions from z = mu (bottom row). Multi-task mode only.
 */
export class ReconstructionGrid implements Callback {
  private writer?: SummaryWriter;

  constructor(
    private readonly model: TripletVaeModel,
    private readonly images: tf.Tensor4D,
  ) {}

  onFitStart(trainer: TrainerView): void {
    if (trainer.runDir) this.writer = new SummaryWriter(path.join(trainer.runDir, 'tensorboard'));
  }

  onEpochEnd(_trainer: TrainerView, _module: TrainModule, record: EpochRecord): void {
    if (!this.writer) return;
    const reconstruction = this.model.forward(this.images, false).reconstruction;
    if (!reconstruction) return;
    try {
      const both = [...rawImages(this.images), ...rawImages(reconstruction)];
      const grid = imageGrid(both, { cols: this.images.shape[0], upscale: 2 });
      this.writer.addImage('reconstructions', grid.png as Buffer, record.epoch);
      this.writer.flush();
    } finally {
      tf.dispose(reconstruction);
    }
  }

  onFitEnd(): void {
    this.writer?.close();
    this.images.dispose();
  }
}

/** Writes `triplet_samples_<dataset>.png` into the run folder when the fit starts. */
export function tripletSamplesCallback(source: TripletDataset, dataset: string): Callback {
  return {
    onFitStart(trainer) {
      if (trainer.runDir) saveTripletSamples(source, path.join(trainer.runDir, `triplet_samples_${dataset}.png`));
    },
  };
}

/** t-SNE of (up to `points`) embeddings coloured by class, saved as PNG. */
export function saveEmbeddingTsne(
  embeddings: Float32Array,
  dim: number,
  labels: ArrayLike<number>,
  file: string,
  opts: { points: number; iterations: number; seed: number; classNames?: readonly string[]; title: string },
): string[] {
  const n = Math.min(opts.points, labels.length);
  const result = tsne(
    { data: embeddings.subarray(0, n * dim), rows: n, cols: dim },
    { perplexity: Math.min(30, Math.floor((n - 1) / 3)), iterations: opts.iterations, seed: opts.seed },
  );
  const plot = plotEmbedding2d(result.embedding, Array.from(labels).slice(0, n), {
    classNames: opts.classNames ? [...opts.classNames] : undefined,
    title: opts.title,
  });
  return savePlot(plot, file);
}
