import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './safetensors';

const GOLDEN = path.join(__dirname, '../../scripts/golden/safetensors_golden');
type Expected = {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
};

/** A file of `header` (as JSON) followed by `dataBytes` zero bytes. */
function fileWith(header: unknown, dataBytes = 0): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + dataBytes);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

describe('safetensors', () => {
  beforeAll(async () => {
    tf.enableProdMode(); // no "install tfjs-node" banner
    await tf.setBackend('cpu');
  });

  it('reads the golden file written by Python: every dtype, converted to float32/int32/bool', () => {
    const expected = JSON.parse(fs.readFileSync(`${GOLDEN}.json`, 'utf8')) as Expected;
    const bytes = fs.readFileSync(`${GOLDEN}.safetensors`);
    const { tensors, metadata } = decodeSafetensors(bytes, 'golden');
    expect(metadata).toEqual(expected.metadata);
    expect([...tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    const tfDtype: Record<string, string> = {
      F32: 'float32',
      F16: 'float32',
      BF16: 'float32',
      F64: 'float32',
      BOOL: 'bool',
    };
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = tensors.get(name)!;
      expect(t.shape).toEqual(e.shape);
      expect(t.dtype).toBe(tfDtype[e.dtype] ?? 'int32');
      // Floats: the float32 of Python's decoded value (exact for F32/F16/BF16; F64 rounds to the nearest float32).
      const want = t.dtype === 'float32' ? e.values.map((v) => Math.fround(v)) : e.values;
      expect(Array.from(t.dataSync())).toEqual(want);
    }
    tensors.forEach((t) => t.dispose());
  });

  it('round-trips float32, int32 and bool tensors with metadata through a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
    const file = path.join(dir, 'w.safetensors');
    const input = {
      'layer.0.kernel': tf.tensor(
        [
          [1.5, -2],
          [3.25, 1e-8],
        ],
        [2, 2],
        'float32',
      ),
      'layer.0.bias': tf.tensor([7, -8, 2147483647], [3], 'int32'),
      flag: tf.tensor([true, false], [2], 'bool'),
      scalar: tf.scalar(0.25),
    };
    saveSafetensors(file, input, { epoch: '3' });
    expect(fs.readdirSync(dir)).toEqual(['w.safetensors']);
    const bytes = fs.readFileSync(file);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    for (const [name, t] of Object.entries(input)) {
      const back = tensors.get(name)!;
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(Array.from(back.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    expect(loadSafetensors(file).size).toBe(4);
    [...Object.values(input), ...tensors.values()].forEach((t) => t.dispose());
    fs.rmSync(dir, { recursive: true });
  });

  it('re-encodes the golden file to the same tensors', () => {
    const { tensors } = decodeSafetensors(fs.readFileSync(`${GOLDEN}.safetensors`));
    const again = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    for (const [name, t] of tensors) expect(Array.from(again.get(name)!.dataSync())).toEqual(Array.from(t.dataSync()));
    [...tensors.values(), ...again.values()].forEach((t) => t.dispose());
  });

  it('rejects malformed headers with what is wrong and where', () => {
    const f32 = (offsets: number[], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    expect(() => decodeSafetensors(new Uint8Array(4), 'a.st')).toThrow(
      'a.st: not a valid safetensors file: 4 bytes, shorter than the 8-byte header length',
    );
    const long = Buffer.alloc(16);
    long.writeBigUInt64LE(100n, 0);
    expect(() => decodeSafetensors(long, 'b.st')).toThrow('header length 100 runs past the end of the file (16 bytes)');
    const notJson = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x:')]);
    expect(() => decodeSafetensors(notJson, 'c.st')).toThrow(
      /c.st: not a valid safetensors file: the header is not JSON/,
    );
    expect(() => decodeSafetensors(fileWith({ w: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, 1))).toThrow(
      'tensor "w": unknown dtype "Q8"',
    );
    expect(() => decodeSafetensors(fileWith({ w: f32([0, 4]) }, 4))).toThrow(
      'tensor "w": F32 of shape [2] needs 8 bytes, data_offsets span 4',
    );
    expect(() => decodeSafetensors(fileWith({ w: f32([0, 8]) }, 4))).toThrow(
      'tensor "w": data_offsets end 8 beyond the 4 data bytes',
    );
    expect(() => decodeSafetensors(fileWith({ a: f32([0, 8]), b: f32([4, 12]) }, 12))).toThrow(
      'starts at 4, expected 8 (overlap or hole)',
    );
    expect(() => decodeSafetensors(fileWith({ a: f32([0, 8]) }, 12))).toThrow(
      'the tensors cover 8 of the 12 data bytes',
    );
    expect(() => decodeSafetensors(fileWith({ __metadata__: { n: 1 } }))).toThrow(
      '"__metadata__" must map strings to strings',
    );
  });

  it('refuses 64-bit integers that do not fit in int32', () => {
    const bytes = fileWith({ big: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8);
    Buffer.from(bytes.buffer).writeBigInt64LE(2n ** 40n, bytes.length - 8);
    expect(() => decodeSafetensors(bytes, 'i.st')).toThrow(
      'i.st: tensor "big": value 1099511627776 at index 0 does not fit in int32',
    );
  });
});
