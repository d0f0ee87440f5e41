import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeIdx, parseIdx, readIdx, writeIdx } from './idx';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));

describe('IDX', () => {
  it('reads a hand-written big-endian file', () => {
    // int16 [2, 2]: 1, -2, 258, 32767
    const bytes = Uint8Array.from([0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0xff, 0xfe, 1, 2, 0x7f, 0xff]);
    expect(parseIdx(bytes)).toEqual({ dtype: 'int16', dims: [2, 2], data: Int16Array.from([1, -2, 258, 32767]) });
  });

  it('round-trips every dtype, raw and gzip', () => {
    const arrays = [
      { dtype: 'uint8' as const, dims: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
      { dtype: 'int8' as const, dims: [3], data: Int8Array.from([-128, 0, 127]) },
      { dtype: 'int32' as const, dims: [2], data: Int32Array.from([-5, 2 ** 31 - 1]) },
      { dtype: 'float32' as const, dims: [1, 2], data: Float32Array.from([0.5, -1.25]) },
      { dtype: 'float64' as const, dims: [2], data: Float64Array.from([Math.PI, -1e300]) },
    ];
    for (const array of arrays) {
      for (const name of ['a.idx', 'a.idx.gz']) {
        const file = path.join(tmp, `${array.dtype}-${name}`);
        writeIdx(file, array);
        expect(readIdx(file)).toEqual(array);
      }
    }
    // gzip is detected from the content, not the name
    const file = path.join(tmp, 'compressed-without-suffix');
    fs.writeFileSync(file, zlib.gzipSync(encodeIdx(arrays[0])));
    expect(readIdx(file)).toEqual(arrays[0]);
  });

  it('reports a bad magic number, a truncated file and a corrupt gzip with the file name', () => {
    const good = encodeIdx({ dtype: 'uint8', dims: [4, 5], data: new Uint8Array(20) });
    const badMagic = path.join(tmp, 'bad-magic');
    fs.writeFileSync(badMagic, Uint8Array.from([0x50, 0x4b, 3, 4, ...good.subarray(4)]));
    expect(() => readIdx(badMagic)).toThrow(`${badMagic}: not an IDX file (magic number 50 4b 03 04`);

    const truncated = path.join(tmp, 'truncated');
    fs.writeFileSync(truncated, good.subarray(0, good.length - 3));
    expect(() => readIdx(truncated)).toThrow(
      `${truncated}: truncated: header says uint8 [4, 5], i.e. 32 bytes, but the data has 29`,
    );

    const trailing = path.join(tmp, 'trailing');
    fs.writeFileSync(trailing, Uint8Array.from([...good, 9]));
    expect(() => readIdx(trailing)).toThrow('has trailing bytes');

    const gz = zlib.gzipSync(good);
    const corrupt = path.join(tmp, 'corrupt.gz');
    fs.writeFileSync(corrupt, gz.subarray(0, gz.length - 6));
    expect(() => readIdx(corrupt)).toThrow(`${corrupt}: corrupt or truncated gzip data`);

    expect(() => readIdx(path.join(tmp, 'missing'))).toThrow(/cannot read IDX file .*missing/);
  });
});
