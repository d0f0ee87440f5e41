// The IDX format of MNIST-family files: a 4-byte magic (0, 0, dtype code, number of dims), big-endian uint32 dims,
// then the values row-major and big-endian. Files may be gzip-compressed.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from '../io';

const dtypes = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;
type DtypeCode = keyof typeof dtypes;
export type IdxDtype = (typeof dtypes)[DtypeCode]['name'];

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses IDX bytes (already decompressed); `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (bytes.length < 4)
    throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX header (4-byte magic number expected)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = bytes[2] as DtypeCode;
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !(code in dtypes)) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${name}: not an IDX file (magic number ${magic}; expected 00 00 <type 08|09|0b|0c|0d|0e> <ndims>)`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerBytes) {
    throw new Error(
      `${name}: IDX header declares ${ndims} dimensions; expected at least 1 and ${headerBytes} header bytes, file has ${bytes.length}`,
    );
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const { name: dtype, bytes: itemBytes } = dtypes[code];
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * itemBytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw new Error(
      `${name}: ${what}: header says ${dtype} [${dims.join(', ')}], i.e. ${expected} bytes, but the data has ${bytes.length}`,
    );
  }
  const body = headerBytes;
  let data: IdxData;
  switch (dtype) {
    // Copied into a plain typed array: `bytes` may be a Buffer view into Node's shared pool.
    case 'uint8':
      data = new Uint8Array(bytes.subarray(body, expected));
      break;
    case 'int8':
      data = new Int8Array(new Uint8Array(bytes.subarray(body, expected)).buffer);
      break;
    case 'int16':
      data = Int16Array.from({ length: count }, (_, i) => view.getInt16(body + 2 * i, false));
      break;
    case 'int32':
      data = Int32Array.from({ length: count }, (_, i) => view.getInt32(body + 4 * i, false));
      break;
    case 'float32':
      data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(body + 4 * i, false));
      break;
    case 'float64':
      data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(body + 8 * i, false));
      break;
  }
  return { dtype, dims, data };
}

/** Reads an IDX file, gzip-compressed or raw (detected from its first bytes, not its name). */
export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read IDX file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (isGzip(bytes)) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (err) {
      throw new Error(`${file}: corrupt or truncated gzip data (${(err as Error).message})`, { cause: err });
    }
  }
  return parseIdx(bytes, file);
}

/** Reads an IDX file and checks it is uint8 with the given number of dims (e.g. 3 for images, 1 for labels). */
export function readIdxUint8(file: string, ndims: number, what: string): { dims: number[]; data: Uint8Array } {
  const idx = readIdx(file);
  if (idx.dtype !== 'uint8' || idx.dims.length !== ndims) {
    throw new Error(
      `${file}: expected ${what} as uint8 with ${ndims} dims, found ${idx.dtype} [${idx.dims.join(', ')}]`,
    );
  }
  return { dims: idx.dims, data: idx.data as Uint8Array };
}

/** Encodes an array as IDX bytes. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const entry = Object.entries(dtypes).find(([, d]) => d.name === array.dtype);
  if (!entry) throw new Error(`encodeIdx: unknown dtype ${array.dtype}`);
  const [code, { bytes: itemBytes }] = [Number(entry[0]), entry[1]];
  const count = array.dims.reduce((a, b) => a * b, 1);
  if (count !== array.data.length)
    throw new Error(
      `encodeIdx: dims [${array.dims.join(', ')}] hold ${count} values but data has ${array.data.length}`,
    );
  const header = 4 + 4 * array.dims.length;
  const out = new Uint8Array(header + count * itemBytes);
  const view = new DataView(out.buffer);
  out.set([0, 0, code, array.dims.length]);
  array.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const setters = {
    uint8: (i: number, v: number) => view.setUint8(header + i, v),
    int8: (i: number, v: number) => view.setInt8(header + i, v),
    int16: (i: number, v: number) => view.setInt16(header + 2 * i, v, false),
    int32: (i: number, v: number) => view.setInt32(header + 4 * i, v, false),
    float32: (i: number, v: number) => view.setFloat32(header + 4 * i, v, false),
    float64: (i: number, v: number) => view.setFloat64(header + 8 * i, v, false),
  };
  const set = setters[array.dtype];
  for (let i = 0; i < count; i++) set(i, array.data[i]);
  return out;
}

/** Writes an IDX file (gzip-compressed when the name ends in .gz), to a temporary name then renamed. */
export function writeIdx(file: string, array: IdxArray): void {
  const raw = encodeIdx(array);
  // mtime 0 in the gzip header (zlib writes 0) keeps the output byte-identical across runs.
  const bytes = file.endsWith('.gz') ? zlib.gzipSync(raw, { level: 9 }) : raw;
  writeFileAtomic(file, bytes);
}
