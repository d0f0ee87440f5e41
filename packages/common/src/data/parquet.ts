// Image datasets in the Hugging Face Hub's parquet layout (Fashion-MNIST, MNIST, CIFAR-10, ...): one row per example,
// an image column of PNG bytes (a struct {bytes, path}) and an integer label column. Read with hyparquet, PNGs decoded
// with pngjs, into the data module's ImageDataset; optionally cached as IDX files next to the parquet files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import type { FileMetaData, ParquetReadOptions } from 'hyparquet';
import { parquetConfigSplit } from './hub-files';
import { requireEsm } from '../io/esm-require';
import { readIdx, writeIdx } from './idx';
import { ImageDataset } from './image-dataset';

interface Hyparquet {
  parquetMetadata(file: ArrayBuffer): FileMetaData;
  parquetReadObjects(options: ParquetReadOptions): Promise<Record<string, unknown>[]>;
}

const hyparquet = () => requireEsm<Hyparquet>('hyparquet');

export interface ParquetImageOptions {
  /** The image column; default the first column holding `{bytes, path}` structs or binary values. */
  imageColumn?: string;
  /** The label column; default "label", "labels", "fine_label" or "coarse_label", whichever exists first. */
  labelColumn?: string;
  /** Class names by label; default the ClassLabel names in the file's Hugging Face metadata, if any. */
  classNames?: readonly string[];
  /** Keep decoded images and labels as `<file>.images.idx` / `<file>.labels.idx` next to each file and reuse them. */
  cache?: boolean;
}

const LABEL_COLUMNS = ['label', 'labels', 'fine_label', 'coarse_label'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Reads one or more parquet files (in order) into one uint8 NHWC ImageDataset with int32 labels. */
export async function readParquetImageDataset(
  files: string | string[],
  opts: ParquetImageOptions = {},
): Promise<ImageDataset> {
  const list = typeof files === 'string' ? [files] : files;
  if (list.length === 0) throw new Error('readParquetImageDataset: no parquet files given');
  const parts: Decoded[] = [];
  let classNames = opts.classNames;
  for (const file of list) {
    const bytes = readArrayBuffer(file);
    const metadata = parquetMetadataOf(file, bytes);
    const labelColumn = opts.labelColumn ?? pickLabelColumn(metadata, file);
    classNames ??= hubClassNames(metadata, labelColumn);
    parts.push(
      opts.cache
        ? await cachedDecode(file, bytes, metadata, labelColumn, opts)
        : await decodeFile(file, bytes, metadata, labelColumn, opts),
    );
  }
  const shape = parts[0].shape;
  const mismatch = parts.findIndex((p) => p.shape.join() !== shape.join());
  if (mismatch >= 0) {
    throw new Error(`${list[mismatch]}: images are [${parts[mismatch].shape}], but ${list[0]} has [${shape}]`);
  }
  const images = concat(
    parts.map((p) => p.images),
    Uint8Array,
  );
  const labels = concat(
    parts.map((p) => p.labels),
    Int32Array,
  );
  return new ImageDataset(images, labels, shape, classNames);
}

/**
 * The parquet files of one split in a downloaded Hub dataset folder (e.g. `assets/datasets/<name>`), sorted, in any of
 * the Hub's layouts (`<config>/<split>-*.parquet`, `data/<split>-*.parquet`, `<config>/<split>/*.parquet`).
 */
export function findParquetSplitFiles(dir: string, split: string, config?: string): string[] {
  const all = listFiles(dir).filter((f) => f.endsWith('.parquet'));
  const found = all.filter((f) => {
    const cs = parquetConfigSplit(f);
    return cs.split === split && (!config || cs.config === config);
  });
  if (found.length === 0) {
    throw new Error(
      `${dir}: no parquet files of split "${split}"${config ? ` in config "${config}"` : ''} (found: ${all.join(', ') || 'none'})`,
    );
  }
  return found.sort().map((f) => path.join(dir, f));
}

/** Reads the split of a downloaded Hub parquet dataset; see findParquetSplitFiles and readParquetImageDataset. */
export function loadParquetImageSplit(
  opts: ParquetImageOptions & { dir: string; split: string; config?: string },
): Promise<ImageDataset> {
  return readParquetImageDataset(findParquetSplitFiles(opts.dir, opts.split, opts.config), opts);
}

/**
 * Writes a dataset as MNIST-layout IDX files `<prefix>-images-idx3-ubyte.gz` and `<prefix>-labels-idx1-ubyte.gz`
 * (prefix "train" or "t10k"), the files the data module's IDX loaders read. Colour images get 4 dims [n, h, w, c].
 */
export function writeIdxImageFolder(
  dataset: ImageDataset,
  dir: string,
  prefix: string,
): { images: string; labels: string } {
  const [h, w, c] = dataset.imageShape;
  const images = path.join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labels = path.join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  const bad = dataset.labels.findIndex((l) => l < 0 || l > 255);
  if (bad >= 0)
    throw new Error(
      `writeIdxImageFolder: label ${dataset.labels[bad]} at index ${bad} does not fit in a uint8 IDX label file`,
    );
  writeIdx(images, {
    dtype: 'uint8',
    dims: c === 1 ? [dataset.length, h, w] : [dataset.length, h, w, c],
    data: dataset.images,
  });
  writeIdx(labels, { dtype: 'uint8', dims: [dataset.length], data: Uint8Array.from(dataset.labels) });
  return { images, labels };
}

interface Decoded {
  images: Uint8Array;
  labels: Int32Array;
  shape: [number, number, number];
}

async function decodeFile(
  file: string,
  bytes: ArrayBuffer,
  metadata: FileMetaData,
  labelColumn: string,
  opts: ParquetImageOptions,
): Promise<Decoded> {
  const imageColumn = opts.imageColumn ?? pickImageColumn(metadata, file);
  const columns = [...topColumns(metadata).keys()];
  for (const c of [imageColumn, labelColumn]) {
    if (!columns.includes(c)) throw new Error(`${file}: no column "${c}" (columns: ${columns.join(', ')})`);
  }
  let rows: Record<string, unknown>[];
  try {
    rows = await hyparquet().parquetReadObjects({
      file: bytes,
      metadata,
      columns: [imageColumn, labelColumn],
      utf8: false,
    });
  } catch (err) {
    throw new Error(
      `${file}: cannot read its rows (${(err as Error).message}); truncated download? delete it and download again`,
      { cause: err },
    );
  }
  const n = rows.length;
  const labels = new Int32Array(n);
  let images = new Uint8Array(0);
  let shape: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const where = `${file}: row ${i}`;
    const cell = `${where}, column "${imageColumn}"`;
    const png = decodePng(imageBytes(rows[i][imageColumn], cell), cell);
    const { colorType } = png as PNG & { colorType: number };
    const channels = colorType === 0 || colorType === 4 ? 1 : 3; // grey(+alpha) or colour; alpha is dropped
    if (i === 0) {
      shape = [png.height, png.width, channels];
      images = new Uint8Array(n * png.height * png.width * channels);
    } else if (png.height !== shape[0] || png.width !== shape[1] || channels !== shape[2]) {
      throw new Error(`${where}: image is [${png.height}, ${png.width}, ${channels}], the first one is [${shape}]`);
    }
    const size = shape[0] * shape[1] * shape[2];
    const out = images.subarray(i * size, (i + 1) * size);
    for (let p = 0; p < shape[0] * shape[1]; p++) {
      for (let ch = 0; ch < channels; ch++) out[p * channels + ch] = png.data[p * 4 + ch];
    }
    labels[i] = toLabel(rows[i][labelColumn], `${where}, column "${labelColumn}"`);
  }
  if (n === 0) throw new Error(`${file}: no rows`);
  return { images, labels, shape };
}

/** decodeFile through `<file>.images.idx` / `<file>.labels.idx`, used when they are newer than the file. */
async function cachedDecode(
  file: string,
  bytes: ArrayBuffer,
  metadata: FileMetaData,
  labelColumn: string,
  opts: ParquetImageOptions,
): Promise<Decoded> {
  const imagesCache = `${file}.images.idx`;
  const labelsCache = `${file}.labels.idx`;
  const source = fs.statSync(file).mtimeMs;
  const fresh = [imagesCache, labelsCache].every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= source);
  if (fresh) {
    const images = readIdx(imagesCache);
    const labels = readIdx(labelsCache);
    if (
      images.dtype === 'uint8' &&
      images.dims.length === 4 &&
      labels.dtype === 'int32' &&
      labels.dims[0] === images.dims[0]
    ) {
      const [, h, w, c] = images.dims;
      return { images: images.data as Uint8Array, labels: labels.data as Int32Array, shape: [h, w, c] };
    }
  }
  const decoded = await decodeFile(file, bytes, metadata, labelColumn, opts);
  writeIdx(imagesCache, { dtype: 'uint8', dims: [decoded.labels.length, ...decoded.shape], data: decoded.images });
  writeIdx(labelsCache, { dtype: 'int32', dims: [decoded.labels.length], data: decoded.labels });
  return decoded;
}

/** The file's parquet footer; a truncated or non-parquet file is an error that names it. */
function parquetMetadataOf(file: string, bytes: ArrayBuffer): FileMetaData {
  try {
    return hyparquet().parquetMetadata(bytes);
  } catch (err) {
    throw new Error(
      `${file}: not a readable parquet file (${(err as Error).message}); truncated download? delete it and download again`,
      { cause: err },
    );
  }
}

function readArrayBuffer(file: string): ArrayBuffer {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read parquet file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return new Uint8Array(buf).buffer; // a copy that owns its whole ArrayBuffer (a Buffer may be a view into a pool)
}

/** Top-level columns with their leaf types: `image` -> ['image.bytes', 'image.path'] etc. */
function topColumns(metadata: FileMetaData): Map<string, { type?: string; children: string[] }> {
  const columns = new Map<string, { type?: string; children: string[] }>();
  const schema = metadata.schema;
  let i = 1;
  const skip = (at: number): number => {
    let next = at + 1;
    for (let k = 0; k < (schema[at].num_children ?? 0); k++) next = skip(next);
    return next;
  };
  for (let k = 0; k < (schema[0].num_children ?? 0); k++) {
    const el = schema[i];
    const children: string[] = [];
    for (let c = i + 1, left = el.num_children ?? 0; left > 0; left--) {
      children.push(schema[c].name);
      c = skip(c);
    }
    columns.set(el.name, { type: el.type, children });
    i = skip(i);
  }
  return columns;
}

function pickImageColumn(metadata: FileMetaData, file: string): string {
  const columns = topColumns(metadata);
  for (const [name, c] of columns) if (c.children.includes('bytes') || c.type === 'BYTE_ARRAY') return name;
  throw new Error(
    `${file}: no image column (a struct with "bytes" or a binary column) among ${[...columns.keys()].join(', ')}`,
  );
}

function pickLabelColumn(metadata: FileMetaData, file: string): string {
  const columns = topColumns(metadata);
  const name = LABEL_COLUMNS.find((c) => columns.has(c));
  if (!name)
    throw new Error(
      `${file}: no label column (${LABEL_COLUMNS.join(', ')}) among ${[...columns.keys()].join(', ')}; pass labelColumn`,
    );
  return name;
}

/** The datasets library stores features as JSON under the "huggingface" key: a ClassLabel has `names`. */
function hubClassNames(metadata: FileMetaData, labelColumn: string): string[] | undefined {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface');
  if (!entry?.value) return undefined;
  try {
    const names = JSON.parse(entry.value)?.info?.features?.[labelColumn]?.names;
    return Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : undefined;
  } catch {
    return undefined;
  }
}

function imageBytes(value: unknown, where: string): Uint8Array {
  const bytes = value && typeof value === 'object' && 'bytes' in value ? (value as { bytes: unknown }).bytes : value;
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes == null) {
    const p = value && typeof value === 'object' && 'path' in value ? (value as { path: unknown }).path : undefined;
    throw new Error(`${where}: no image bytes${p ? ` (only a path, "${p}", which is not supported)` : ''}`);
  }
  throw new Error(`${where}: expected image bytes, found ${typeof bytes}`);
}

function decodePng(bytes: Uint8Array, where: string): PNG {
  if (bytes.length < 8 || !PNG_SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8))) {
    throw new Error(`${where}: the image is not a PNG (only PNG images are supported)`);
  }
  try {
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new Error(`${where}: corrupt PNG (${(err as Error).message})`, { cause: err });
  }
}

function toLabel(value: unknown, where: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 2147483647) {
    throw new Error(`${where}: label ${String(value)} is not a non-negative integer (an unlabelled split?)`);
  }
  return n;
}

function concat<T extends Uint8Array | Int32Array>(arrays: T[], Ctor: { new (n: number): T }): T {
  if (arrays.length === 1) return arrays[0];
  const out = new Ctor(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Paths of all files under `dir`, relative and with '/' separators. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}
