// Lists and checks the images of <data_dir>/raw before splitting: every file is decoded once, and files that are
// empty, unreadable or undecodable are reported by name and left out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { listImageFolder } from '../image-folder';

export interface RejectedImage {
  /** Path relative to the data folder, e.g. raw/cat/broken.jpg. */
  file: string;
  reason: string;
}

export interface RawImageScan {
  /** The data folder: the parent of the raw folder; index files hold paths relative to it. */
  dataDir: string;
  /** Class folder names, sorted by code point (torchvision ImageFolder's order); a label is an index into it. */
  classes: string[];
  /** Usable images relative to `dataDir` (`raw/<class>/<image>`), in ImageFolder order. */
  files: string[];
  labels: Int32Array;
  rejected: RejectedImage[];
}

/** Why a file cannot be used, or undefined when it decodes. */
async function checkImage(file: string): Promise<string | undefined> {
  let size: number;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    size = fs.statSync(file).size;
  } catch (err) {
    return `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  if (size === 0) return 'empty file';
  try {
    // A full decode, not just the header: truncated files fail here.
    await sharp(file, { failOn: 'error' }).raw().toBuffer();
    return undefined;
  } catch (err) {
    return `cannot be decoded (${(err as Error).message.split('\n')[0]})`;
  }
}

/**
 * Scans `rawDir` (`<data_dir>/raw/<class>/**\/<image>`, the extensions torchvision's ImageFolder lists) and decodes
 * every image, `concurrency` at a time. Throws when the folder is missing or has no class folder, or a class has no
 * image file.
 */
export async function scanRawImages(rawDir: string, concurrency = 4): Promise<RawImageScan> {
  const index = listImageFolder(rawDir);
  const dataDir = path.dirname(index.root);
  const reasons: (string | undefined)[] = new Array(index.files.length);
  let next = 0;
  const worker = async () => {
    while (next < index.files.length) {
      const i = next++;
      reasons[i] = await checkImage(index.files[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const files: string[] = [];
  const labels: number[] = [];
  const rejected: RejectedImage[] = [];
  index.files.forEach((file, i) => {
    const relative = path.relative(dataDir, file).split(path.sep).join('/');
    if (reasons[i] === undefined) {
      files.push(relative);
      labels.push(index.labels[i]);
    } else {
      rejected.push({ file: relative, reason: reasons[i] as string });
    }
  });
  return { dataDir, classes: index.classes, files, labels: Int32Array.from(labels), rejected };
}
