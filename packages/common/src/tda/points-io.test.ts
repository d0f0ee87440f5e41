import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvPoints, parseJsonPoints, parseNpyPoints, readPointsFile } from './points-io';

/** A .npy file as numpy.save writes it (format 1.0, header padded to a multiple of 64 bytes). */
function npy(
  descr: string,
  shape: number[],
  values: number[],
  options: { fortran?: boolean; bigEndian?: boolean } = {},
): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const size = descr.endsWith('4') ? 4 : 8;
  const data = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (size === 4 && options.bigEndian) data.writeFloatBE(v, 4 * i);
    else if (size === 4) data.writeFloatLE(v, 4 * i);
    else if (options.bigEndian) data.writeDoubleBE(v, 8 * i);
    else data.writeDoubleLE(v, 8 * i);
  });
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

describe('point readers', () => {
  it('reads CSV with or without a header, skipping blank lines', () => {
    const expected = { rows: 2, cols: 3, data: Float64Array.from([1, -2.5, 3e-3, 4, 5, 6]) };
    expect(parseCsvPoints('1,-2.5,3e-3\n4, 5 ,6\n\n')).toEqual(expected);
    expect(parseCsvPoints('x,y,z\r\n1,-2.5,3e-3\r\n4,5,6')).toEqual(expected);
  });

  it('rejects ragged and non-numeric CSV with line numbers', () => {
    expect(() => parseCsvPoints('1,2\n3\n', 'p.csv')).toThrow('p.csv: line 2 has 1 values, expected 2');
    expect(() => parseCsvPoints('1,2\n3,abc\n', 'p.csv')).toThrow(
      "p.csv: line 2 column 2: 'abc' is not a finite number",
    );
    expect(() => parseCsvPoints('1,2\n3,\n', 'p.csv')).toThrow("p.csv: line 2 column 2: '' is not a finite number");
    expect(() => parseCsvPoints('1,nan\n', 'p.csv')).toThrow(/'nan' is not a finite number/);
  });

  it('reads JSON arrays and {"points": ...}, rejecting bad values', () => {
    expect(parseJsonPoints('[[1,2],[3,4]]')).toEqual({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 3, 4]) });
    expect(parseJsonPoints('{"points": [[1],[2]]}').rows).toBe(2);
    expect(() => parseJsonPoints('[[1,2],[3]]', 'p.json')).toThrow('p.json: point 1 has 1 coordinates, expected 2');
    expect(() => parseJsonPoints('[[1,"2"]]', 'p.json')).toThrow(
      'p.json: point 0 coordinate 1 is not a finite number: "2"',
    );
    expect(() => parseJsonPoints('{"x": 1}', 'p.json')).toThrow(/p.json: expected an array of points/);
  });

  it('reads float32 and float64 .npy in either byte order', () => {
    const values = [0.5, -1, 2.25, 1e6, 3, 4];
    expect(parseNpyPoints(npy('<f8', [3, 2], values))).toEqual({ rows: 3, cols: 2, data: Float64Array.from(values) });
    expect(parseNpyPoints(npy('<f4', [2, 3], values)).data).toEqual(Float64Array.from(values));
    expect(parseNpyPoints(npy('>f8', [2, 3], values, { bigEndian: true })).data).toEqual(Float64Array.from(values));
  });

  it('rejects malformed .npy files with the reason', () => {
    const good = npy('<f8', [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => parseNpyPoints(Buffer.from('hello world'), 'p.npy')).toThrow('p.npy: not a .npy file');
    expect(() => parseNpyPoints(good.subarray(0, good.length - 8), 'p.npy')).toThrow(
      'p.npy: expected 48 data bytes for shape (3, 2) <f8, found 40',
    );
    expect(() => parseNpyPoints(npy('<i8', [3, 2], [1, 2, 3, 4, 5, 6]), 'p.npy')).toThrow(
      "p.npy: unsupported dtype '<i8'",
    );
    expect(() => parseNpyPoints(npy('<f8', [6], [1, 2, 3, 4, 5, 6]), 'p.npy')).toThrow(
      'p.npy: expected a 2-D array (points x coordinates), got shape (6,)',
    );
    expect(() => parseNpyPoints(npy('<f8', [3, 2], [1, 2, 3, 4, 5, 6], { fortran: true }), 'p.npy')).toThrow(
      /Fortran-order arrays are not supported/,
    );
    expect(() => parseNpyPoints(npy('<f8', [1, 2], [1, NaN]), 'p.npy')).toThrow(
      'p.npy: point 0 coordinate 1 is not finite (NaN)',
    );
  });

  it('dispatches on the file extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tda-points-'));
    try {
      writeFileSync(join(dir, 'p.csv'), '1,2\n3,4\n');
      writeFileSync(join(dir, 'p.npy'), npy('<f8', [2, 2], [1, 2, 3, 4]));
      writeFileSync(join(dir, 'p.txt'), '1,2\n');
      expect(readPointsFile(join(dir, 'p.csv'))).toEqual(readPointsFile(join(dir, 'p.npy')));
      expect(() => readPointsFile(join(dir, 'p.txt'))).toThrow(/p.txt: unsupported point file extension '.txt'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
