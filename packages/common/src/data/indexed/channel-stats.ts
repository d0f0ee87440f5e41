// Per-channel mean and standard deviation of an image list, for `normalize` with a dataset's own statistics.
import * as path from 'node:path';
import { decodeToChannels } from './image-pipeline';
import { resizeBilinearPil } from './pil-resize';

/** torchvision's ImageNet statistics (RGB), for pretrained models. */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

export interface ChannelStats {
  mean: number[];
  std: number[];
  /** Pixels per channel the statistics cover. */
  pixels: number;
}

export interface ChannelStatsOptions {
  channels: 1 | 3;
  /** Resize every image to [height, width] first (Pillow's bilinear), as training sees them; default: native sizes. */
  size?: [number, number];
  concurrency?: number;
}

/**
 * Mean and population standard deviation (numpy's `x.std()`, ddof 0) of every pixel value / 255, per channel, over
 * all the images `files` (relative to `dataDir`) lists; sums in float64.
 */
export async function computeChannelStats(
  dataDir: string,
  files: readonly string[],
  opts: ChannelStatsOptions,
): Promise<ChannelStats> {
  if (files.length === 0) throw new Error('computeChannelStats: no image to compute statistics from');
  const c = opts.channels;
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  let pixels = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = path.join(dataDir, files[next++]);
      let img = await decodeToChannels(file, c);
      if (opts.size) {
        const [height, width] = opts.size;
        img = {
          data: resizeBilinearPil(img.data, img.height, img.width, c, height, width),
          height,
          width,
          channels: c,
        };
      }
      for (let p = 0; p < img.data.length; p += c) {
        for (let k = 0; k < c; k++) {
          const v = img.data[p + k] / 255;
          sum[k] += v;
          sumSq[k] += v * v;
        }
      }
      pixels += img.height * img.width;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, files.length)) }, worker));
  const mean = Array.from(sum, (s) => s / pixels);
  const std = Array.from(sumSq, (s, k) => Math.sqrt(Math.max(0, s / pixels - mean[k] * mean[k])));
  return { mean, std, pixels };
}
