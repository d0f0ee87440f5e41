// safetensors, the format the Hub ships weights in: an 8-byte little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}, then the tensors' bytes
// (little-endian, row-major, offsets relative to the end of the header, packed without holes).
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { writeFileAtomic } from '.';

export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** The spec's limit on the header; anything larger is a corrupt or hostile file. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range [begin, end) of the data, relative to the end of the header. */
  dataOffsets: [number, number];
}

export interface SafetensorsContent {
  tensors: Map<string, tf.Tensor>;
  metadata: Record<string, string>;
}

if (os.endianness() !== 'LE') throw new Error('the safetensors reader assumes a little-endian machine');

/**
 * Loads every tensor of a .safetensors file by name. Floats become float32 (F16, BF16 and F64 are converted), integers
 * int32 (an I64/U64/U32 value outside the int32 range is an error), BOOL bool. The caller disposes the tensors.
 */
export function loadSafetensors(file: string): Map<string, tf.Tensor> {
  return decodeSafetensors(fs.readFileSync(file), file).tensors;
}

/** Parses and validates the header; `source` names the file in errors. */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  source = 'safetensors data',
): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string>; dataStart: number } {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES)
    fail(`header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerLength > bytes.length)
    fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8'));
  } catch (err) {
    fail(`the header is not JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail('the header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      const ok = raw && typeof raw === 'object' && Object.values(raw).every((v) => typeof v === 'string');
      if (!ok) fail('"__metadata__" must map strings to strings');
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== 'object') fail(`tensor "${name}": expected {dtype, shape, data_offsets}`);
    if (typeof e.dtype !== 'string' || !(e.dtype in ITEM_SIZE)) {
      fail(
        `tensor "${name}": unknown dtype ${JSON.stringify(e.dtype)} (expected one of ${Object.keys(ITEM_SIZE).join(', ')})`,
      );
    }
    const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
    if (!Array.isArray(e.shape) || !e.shape.every(isCount))
      fail(`tensor "${name}": shape ${JSON.stringify(e.shape)} is not a list of sizes`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      fail(`tensor "${name}": data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const dtype = e.dtype as SafetensorsDtype;
    const shape = e.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
    if (end - begin !== expected) {
      fail(`tensor "${name}": ${dtype} of shape [${shape}] needs ${expected} bytes, data_offsets span ${end - begin}`);
    }
    if (end > dataLength) fail(`tensor "${name}": data_offsets end ${end} beyond the ${dataLength} data bytes`);
    entries.set(name, { dtype, shape, dataOffsets: [begin, end] });
  }
  // The data must be covered exactly once, in some order, without holes.
  let covered = 0;
  for (const [name, e] of [...entries].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0])) {
    if (e.dataOffsets[0] !== covered)
      fail(`tensor "${name}" starts at ${e.dataOffsets[0]}, expected ${covered} (overlap or hole)`);
    covered = e.dataOffsets[1];
  }
  if (covered !== dataLength) fail(`the tensors cover ${covered} of the ${dataLength} data bytes`);
  return { entries, metadata, dataStart };
}

/** Decodes a whole .safetensors buffer into tensors. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContent {
  const { entries, metadata, dataStart } = parseSafetensorsHeader(bytes, source);
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const [name, e] of entries) {
      // A copy into a fresh, aligned buffer that the typed arrays below can view (Buffer#slice would not copy).
      const raw = new Uint8Array(bytes.subarray(dataStart + e.dataOffsets[0], dataStart + e.dataOffsets[1])).buffer;
      tensors.set(name, toTensor(raw, e, `${source}: tensor "${name}"`));
    }
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
  return { tensors, metadata };
}

function toTensor(raw: ArrayBuffer, e: SafetensorsEntry, what: string): tf.Tensor {
  switch (e.dtype) {
    case 'F32':
      return tf.tensor(new Float32Array(raw), e.shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(new Float64Array(raw)), e.shape, 'float32');
    case 'F16':
      return tf.tensor(Float32Array.from(new Uint16Array(raw), halfToFloat), e.shape, 'float32');
    case 'BF16': {
      // A bfloat16 is the upper half of a float32.
      const bits = Uint32Array.from(new Uint16Array(raw), (h) => h << 16);
      return tf.tensor(new Float32Array(bits.buffer), e.shape, 'float32');
    }
    case 'I32':
      return tf.tensor(new Int32Array(raw), e.shape, 'int32');
    case 'I16':
      return tf.tensor(Int32Array.from(new Int16Array(raw)), e.shape, 'int32');
    case 'I8':
      return tf.tensor(Int32Array.from(new Int8Array(raw)), e.shape, 'int32');
    case 'U16':
      return tf.tensor(Int32Array.from(new Uint16Array(raw)), e.shape, 'int32');
    case 'U8':
      return tf.tensor(Int32Array.from(new Uint8Array(raw)), e.shape, 'int32');
    case 'U32':
      return tf.tensor(toInt32(new Uint32Array(raw), what), e.shape, 'int32');
    case 'I64':
      return tf.tensor(toInt32(new BigInt64Array(raw), what), e.shape, 'int32');
    case 'U64':
      return tf.tensor(toInt32(new BigUint64Array(raw), what), e.shape, 'int32');
    case 'BOOL':
      return tf.tensor(new Uint8Array(raw), e.shape, 'bool');
  }
}

/** tfjs has no 64-bit or unsigned 32-bit integers: narrow to int32, refusing values that do not fit. */
function toInt32(values: ArrayLike<number | bigint>, what: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < -2147483648 || v > 2147483647)
      throw new Error(`${what}: value ${values[i]} at index ${i} does not fit in int32`);
    out[i] = v;
  }
  return out;
}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits) to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal (or zero)
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const DTYPE_OF: Partial<Record<tf.DataType, SafetensorsDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/**
 * Encodes tensors (float32 -> F32, int32 -> I32, bool -> BOOL) into the safetensors format, in name order, with the
 * header padded to 8 bytes like the reference writer.
 */
export function encodeSafetensors(
  tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const named = [...(tensors instanceof Map ? tensors : Object.entries(tensors))].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of named) {
    if (name === '__metadata__') throw new Error('a tensor cannot be named "__metadata__"');
    const dtype = DTYPE_OF[t.dtype];
    if (!dtype)
      throw new Error(`tensor "${name}": dtype ${t.dtype} cannot be written to safetensors (float32, int32, bool)`);
    const data = t.dataSync() as Float32Array | Int32Array | Uint8Array;
    const blob = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + blob.length] };
    blobs.push(blob);
    offset += blob.length;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc(-json.length & 7, ' ')]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Writes tensors to a .safetensors file, through a temporary name and a rename. */
export function saveSafetensors(
  file: string,
  tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
