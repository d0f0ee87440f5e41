import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { requireEsm } from '../io/esm-require';
import { readIdxImageFolder } from './datasets';
import { findParquetSplitFiles, loadParquetImageSplit, readParquetImageDataset, writeIdxImageFolder } from './parquet';

const { parquetWriteBuffer } = requireEsm<{ parquetWriteBuffer(o: Record<string, unknown>): ArrayBuffer }>(
  'hyparquet-writer',
);

/** A PNG of `pixels` (HWC): greyscale when `channels` is 1, RGB when 3. */
function png(pixels: Uint8Array, h: number, w: number, channels: 1 | 3): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let p = 0; p < h * w; p++) {
    for (let c = 0; c < 3; c++) img.data[p * 4 + c] = pixels[p * channels + (channels === 1 ? 0 : c)];
    img.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(img, { colorType: channels === 1 ? 0 : 2 });
}

const NAMES = ['zero', 'one', 'two', 'three'];

/** A parquet file in the Hub's layout: image {bytes, path} struct + int64 label, ClassLabel names in metadata. */
function hubParquet(images: Buffer[], labels: number[], opts: { labelColumn?: string; names?: string[] } = {}): Buffer {
  const labelColumn = opts.labelColumn ?? 'label';
  const features = { image: { _type: 'Image' }, [labelColumn]: { names: opts.names ?? NAMES, _type: 'ClassLabel' } };
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'image', data: images.map((b, i) => ({ bytes: new Uint8Array(b), path: `${i}.png` })) },
        { name: labelColumn, data: labels.map((l) => BigInt(l)) },
      ],
      schema: [
        { name: 'schema', num_children: 2 },
        { name: 'image', num_children: 2, repetition_type: 'OPTIONAL' },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: labelColumn, type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
      rowGroupSize: 3, // several row groups per file
      kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features } }) }],
    }),
  );
}

/** `n` images of [h, w, c] whose pixel values depend on (image, position). */
function pixels(n: number, h: number, w: number, c: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n * h * w * c }, (_, i) => (i * 37 + seed * 101) % 256);
}

describe('Hub parquet image datasets', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parquet-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes a split of `n` greyscale 5x4 images over `files` files under `<config>/`. */
  function writeSplit(config: string, split: string, n: number, files: number, seed: number) {
    const px = pixels(n, 5, 4, 1, seed);
    const labels = Array.from({ length: n }, (_, i) => (i + seed) % 4);
    const per = Math.ceil(n / files);
    fs.mkdirSync(path.join(dir, config), { recursive: true });
    for (let f = 0; f < files; f++) {
      const idx = Array.from({ length: Math.min(per, n - f * per) }, (_, k) => f * per + k);
      const pngs = idx.map((i) => png(px.subarray(i * 20, (i + 1) * 20), 5, 4, 1));
      const name = `${split}-${String(f).padStart(5, '0')}-of-${String(files).padStart(5, '0')}.parquet`;
      fs.writeFileSync(
        path.join(dir, config, name),
        hubParquet(
          pngs,
          idx.map((i) => labels[i]),
        ),
      );
    }
    return { px, labels };
  }

  it('reads greyscale PNG rows across files and row groups into uint8 NHWC images, labels and class names', async () => {
    const { px, labels } = writeSplit('fashion_mnist', 'train', 8, 2, 1);
    const files = findParquetSplitFiles(dir, 'train');
    expect(files.map((f) => path.relative(dir, f))).toEqual([
      'fashion_mnist/train-00000-of-00002.parquet',
      'fashion_mnist/train-00001-of-00002.parquet',
    ]);
    const ds = await readParquetImageDataset(files);
    expect(ds.length).toBe(8);
    expect(ds.imageShape).toEqual([5, 4, 1]);
    expect(Array.from(ds.images)).toEqual(Array.from(px));
    expect(Array.from(ds.labels)).toEqual(labels);
    expect(ds.classNames).toEqual(NAMES);
  });

  it('reads RGB images with the channels last, and a named label column', async () => {
    const px = pixels(3, 2, 3, 3, 7);
    const pngs = [0, 1, 2].map((i) => png(px.subarray(i * 18, (i + 1) * 18), 2, 3, 3));
    const file = path.join(dir, 'cifar.parquet');
    fs.writeFileSync(file, hubParquet(pngs, [2, 0, 1], { labelColumn: 'fine_label', names: ['a', 'b', 'c'] }));
    const ds = await readParquetImageDataset(file);
    expect(ds.imageShape).toEqual([2, 3, 3]);
    expect(Array.from(ds.images)).toEqual(Array.from(px));
    expect(Array.from(ds.labels)).toEqual([2, 0, 1]);
    expect(ds.classNames).toEqual(['a', 'b', 'c']);
  });

  it('finds a split in a downloaded folder by config, and loads it', async () => {
    writeSplit('a', 'test', 3, 1, 2);
    const { px } = writeSplit('b', 'test', 4, 1, 3);
    expect(() => findParquetSplitFiles(dir, 'validation')).toThrow(
      /no parquet files of split "validation" \(found: a\/test-00000-of-00001.parquet, b\/test/,
    );
    const ds = await loadParquetImageSplit({ dir, split: 'test', config: 'b' });
    expect(Array.from(ds.images)).toEqual(Array.from(px));
  });

  it('caches the decoded split as IDX next to the file and reuses it until the parquet file changes', async () => {
    const { px } = writeSplit('c', 'train', 4, 1, 4);
    const [file] = findParquetSplitFiles(dir, 'train');
    await readParquetImageDataset(file, { cache: true });
    expect(fs.existsSync(`${file}.images.idx`) && fs.existsSync(`${file}.labels.idx`)).toBe(true);

    // Mark the cache: a read that returns the mark came from the cache, not from the parquet file.
    const cached = fs.readFileSync(`${file}.images.idx`);
    cached[cached.length - 1] ^= 0xff;
    fs.writeFileSync(`${file}.images.idx`, cached);
    const fromCache = await readParquetImageDataset(file, { cache: true });
    expect(fromCache.images[fromCache.images.length - 1]).toBe(px[px.length - 1] ^ 0xff);

    const later = new Date(Date.now() + 10_000);
    fs.utimesSync(file, later, later);
    const again = await readParquetImageDataset(file, { cache: true });
    expect(Array.from(again.images)).toEqual(Array.from(px));
  });

  it('writes MNIST-layout IDX files that the IDX folder reader loads', async () => {
    const { px, labels } = writeSplit('d', 'test', 5, 1, 5);
    const ds = await loadParquetImageSplit({ dir, split: 'test' });
    const out = path.join(dir, 'idx');
    writeIdxImageFolder(ds, out, 't10k');
    const back = readIdxImageFolder(out, 'test');
    expect(back.imageShape).toEqual([5, 4, 1]);
    expect(Array.from(back.images)).toEqual(Array.from(px));
    expect(Array.from(back.labels)).toEqual(labels);
  });

  it('names the file, row and column of bad data', async () => {
    const notPng = path.join(dir, 'jpeg.parquet');
    fs.writeFileSync(notPng, hubParquet([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0])], [1]));
    await expect(readParquetImageDataset(notPng)).rejects.toThrow(
      `${notPng}: row 0, column "image": the image is not a PNG`,
    );

    const unlabelled = path.join(dir, 'unlabelled.parquet');
    fs.writeFileSync(
      unlabelled,
      hubParquet([png(new Uint8Array(4), 2, 2, 1), png(new Uint8Array(4), 2, 2, 1)], [0, -1]),
    );
    await expect(readParquetImageDataset(unlabelled)).rejects.toThrow(
      `${unlabelled}: row 1, column "label": label -1 is not a non-negative integer (an unlabelled split?)`,
    );
    await expect(readParquetImageDataset(unlabelled, { labelColumn: 'nope' })).rejects.toThrow(
      `${unlabelled}: no column "nope" (columns: image, label)`,
    );

    const noLabel = path.join(dir, 'nolabel.parquet');
    fs.writeFileSync(noLabel, hubParquet([png(new Uint8Array(4), 2, 2, 1)], [1], { labelColumn: 'target' }));
    await expect(readParquetImageDataset(noLabel)).rejects.toThrow(
      `${noLabel}: no label column (label, labels, fine_label, coarse_label) among image, target`,
    );
  });
});
