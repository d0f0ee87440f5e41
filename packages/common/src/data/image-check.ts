// A pre-pass over the image files a run will read, before anything trains or any run folder exists: a corrupt or
// truncated file in the validation split fails in seconds, named with its reason, instead of after a whole training
// epoch. Batches decode lazily (image-folder.ts, indexed/), so without it the first sign is that batch's error.
import * as fs from 'node:fs';
import sharp, { type Metadata } from 'sharp';

export interface CheckImagesOptions {
  /**
   * 'full' (default) decodes every file to pixels, which finds truncated data too; 'header' reads only the format
   * and size (about 5x faster, see the README's figure).
   */
  depth?: 'header' | 'full';
  /** Files checked at once (sharp runs on libuv's threads). Default 8. */
  concurrency?: number;
  /** Progress lines (`checked 3000/6000 images`) every `progressSeconds` while the check runs. */
  log?: (line: string) => void;
  progressSeconds?: number;
  /** How many bad files the error lists by name (the count covers all). Default 20. */
  listLimit?: number;
}

/** Why one file cannot be read as an image, or undefined when it can. */
export async function imageFileProblem(file: string, depth: 'header' | 'full' = 'full'): Promise<string | undefined> {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    return `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  if (size === 0) return 'the file is empty';
  const image = sharp(file, { failOn: 'error' });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch (err) {
    return sharpMessage(err);
  }
  if (!meta.width || !meta.height) return `no image size in its ${meta.format ?? ''} header`;
  if (depth === 'header') return undefined;
  try {
    await image.raw().toBuffer();
    return undefined;
  } catch (err) {
    // The header read, the pixels do not: truncated or corrupt data. libvips's own text for it is "libpng read
    // error", or "Unknown error" when decoders run in parallel (what a training batch used to report).
    return `${meta.format ?? 'the'} image data does not decode: truncated or corrupt (${sharpMessage(err)})`;
  }
}

/** sharp's message on one line (it spreads some over several, ending lines with a colon). */
function sharpMessage(err: unknown): string {
  return (err as Error).message
    .split('\n')
    .map((line) => line.trim().replace(/:$/, ''))
    .filter(Boolean)
    .join('; ');
}

/**
 * Checks that every file decodes (or has a readable header, with depth 'header'); throws one error listing the files
 * that do not, each with its reason. `what` names the set in messages ("the images of fold 0").
 */
export async function checkImageFiles(
  files: readonly string[],
  what: string,
  opts: CheckImagesOptions = {},
): Promise<void> {
  const depth = opts.depth ?? 'full';
  const concurrency = opts.concurrency ?? 8;
  const unique = [...new Set(files)];
  const bad: { file: string; why: string }[] = [];
  const started = performance.now();
  let lastReport = started;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < unique.length) {
      const file = unique[next++];
      const why = await imageFileProblem(file, depth);
      if (why !== undefined) bad.push({ file, why });
      done++;
      const now = performance.now();
      if (opts.log && now - lastReport > (opts.progressSeconds ?? 5) * 1000) {
        lastReport = now;
        opts.log(`checking ${what}: ${done}/${unique.length} images decoded, ${bad.length} unreadable`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  if (bad.length === 0) return;
  bad.sort((a, b) => a.file.localeCompare(b.file));
  const limit = opts.listLimit ?? 20;
  const listed = bad.slice(0, limit).map((b) => `  ${b.file}: ${b.why}`);
  if (bad.length > limit) listed.push(`  ... and ${bad.length - limit} more`);
  throw new Error(
    `${bad.length} of ${unique.length} files of ${what} cannot be read as images ` +
      `(${depth === 'full' ? 'decoded' : 'header read'} before training):\n${listed.join('\n')}\n` +
      'replace or remove them (and their lines in the index files)',
  );
}
