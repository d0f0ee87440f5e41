// Writes in-memory image datasets (e.g. Fashion-MNIST's IDX files) as an ImageFolder tree of PNG files:
// <out>/raw/<class>/<split>_<index>.png, built in a temporary folder and renamed into place when complete.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ImageDataset } from '../image-dataset';

/**
 * A class name as a folder name that is safe on every file system: characters other than letters, digits, '.', '_'
 * and '-' become '_' (Fashion-MNIST's 'T-shirt/top' -> 'T-shirt_top', 'Ankle boot' -> 'Ankle_boot').
 */
export function folderSafeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === '' || safe === '.' || safe === '..')
    throw new Error(`folderSafeName: '${name}' cannot be a folder name`);
  return safe;
}

export interface ImageFolderPart {
  /** The split's name, the prefix of its file names (`train` -> `train_<index>.png`). */
  split: string;
  dataset: ImageDataset;
}

export interface WriteImageFolderOptions {
  /** Class names indexed by label; folder names are their `folderSafeName`. */
  classNames: readonly string[];
  /** Keep the first N images of each class of each part (in the dataset's order); default all. */
  perClass?: number;
  /** Files encoded at once (sharp encodes on libuv's threads); default 4. */
  concurrency?: number;
}

export interface ImageFolderSummary {
  root: string;
  /** Files written per class folder. */
  counts: Record<string, number>;
  total: number;
}

interface PendingImage {
  part: ImageFolderPart;
  index: number;
  file: string;
}

/** The images to write: per part, per class, the first `perClass` indices. */
function selectImages(
  parts: readonly ImageFolderPart[],
  folders: readonly string[],
  perClass?: number,
): PendingImage[] {
  const selected: PendingImage[] = [];
  for (const part of parts) {
    const taken = new Array<number>(folders.length).fill(0);
    for (let i = 0; i < part.dataset.length; i++) {
      const label = part.dataset.labels[i];
      if (!(label >= 0 && label < folders.length)) {
        throw new Error(
          `writeImageFolder: ${part.split} image ${i} has label ${label}, outside the ${folders.length} class names`,
        );
      }
      if (perClass !== undefined && taken[label] >= perClass) continue;
      taken[label]++;
      selected.push({ part, index: i, file: path.join(folders[label], `${part.split}_${i}.png`) });
    }
  }
  return selected;
}

/**
 * Writes `<rawDir>/<class folder>/<split>_<index>.png` for every selected image (uint8 grey or RGB, lossless PNG).
 * Refuses to touch an existing `rawDir`; the tree is built as `<rawDir>.tmp-<pid>` and renamed when complete, so an
 * interrupted export leaves no partial folder under the final name.
 */
export async function writeImageFolder(
  rawDir: string,
  parts: readonly ImageFolderPart[],
  opts: WriteImageFolderOptions,
): Promise<ImageFolderSummary> {
  if (opts.perClass !== undefined && !(Number.isInteger(opts.perClass) && opts.perClass > 0)) {
    throw new Error(`writeImageFolder: perClass must be a positive integer, got ${opts.perClass}`);
  }
  const root = path.resolve(rawDir);
  if (fs.existsSync(root))
    throw new Error(`writeImageFolder: ${root} already exists; remove it or choose another --out`);
  const folders = opts.classNames.map(folderSafeName);
  const duplicate = folders.find((f, i) => folders.indexOf(f) !== i);
  if (duplicate !== undefined) throw new Error(`writeImageFolder: two classes map to the folder name '${duplicate}'`);
  const images = selectImages(parts, folders, opts.perClass);

  const tmp = `${root}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    for (const folder of folders) fs.mkdirSync(path.join(tmp, folder), { recursive: true });
    let next = 0;
    const worker = async () => {
      while (next < images.length) {
        const { part, index, file } = images[next++];
        const [height, width, channels] = part.dataset.imageShape;
        if (channels !== 1 && channels !== 3)
          throw new Error(`writeImageFolder: ${part.split} images have ${channels} channels, expected 1 or 3`);
        const pixels = Buffer.from(part.dataset.image(index));
        const image = sharp(pixels, { raw: { width, height, channels } });
        // Without 'b-w', sharp would write one-channel pixels as an RGB PNG.
        await (channels === 1 ? image.toColourspace('b-w') : image)
          .png({ compressionLevel: 9 })
          .toFile(path.join(tmp, file));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
    fs.mkdirSync(path.dirname(root), { recursive: true });
    fs.renameSync(tmp, root);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const counts = Object.fromEntries(folders.map((f) => [f, 0]));
  for (const image of images) counts[path.dirname(image.file)]++;
  return { root, counts, total: images.length };
}
