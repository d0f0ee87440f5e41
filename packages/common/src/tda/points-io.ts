// Point clouds from .csv, .json and .npy files (float32/float64, C order), as Float64 PointMatrix.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { PointMatrix } from './distances';

/** Reads a point cloud; the extension (.csv, .json, .npy) selects the format. Errors name the file and the problem. */
export function readPointsFile(path: string): PointMatrix {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.json' && ext !== '.npy')
    throw new Error(`${path}: unsupported point file extension '${ext}': expected .csv, .json or .npy`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as Error).message})`, { cause: err });
  }
  if (ext === '.npy') return parseNpyPoints(bytes, path);
  const text = bytes.toString('utf8');
  return ext === '.csv' ? parseCsvPoints(text, path) : parseJsonPoints(text, path);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Comma-separated rows of numbers; blank lines are skipped; one header line of non-numeric names is allowed. */
export function parseCsvPoints(text: string, source = 'CSV'): PointMatrix {
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  let cols = -1;
  for (let l = 0; l < lines.length; l++) {
    if (lines[l].trim() === '') continue;
    const fields = lines[l].split(',').map((f) => f.trim());
    if (rows.length === 0 && cols < 0 && fields.every((f) => f !== '' && !NUMBER.test(f))) {
      cols = fields.length; // header
      continue;
    }
    if (cols >= 0 && fields.length !== cols)
      throw new Error(`${source}: line ${l + 1} has ${fields.length} values, expected ${cols}`);
    cols = fields.length;
    rows.push(
      fields.map((f, c) => {
        if (!NUMBER.test(f)) throw new Error(`${source}: line ${l + 1} column ${c + 1}: '${f}' is not a finite number`);
        return Number(f);
      }),
    );
  }
  return fromRows(rows, source);
}

/** A JSON array of rows of numbers, or {"points": [...]}. */
export function parseJsonPoints(text: string, source = 'JSON'): PointMatrix {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const rows = Array.isArray(doc) ? doc : (doc as { points?: unknown } | null)?.points;
  if (!Array.isArray(rows))
    throw new Error(`${source}: expected an array of points [[x, y, ...], ...] or {"points": [...]}`);
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) throw new Error(`${source}: point ${i} is not an array of coordinates`);
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`${source}: point ${i} coordinate ${j} is not a finite number: ${JSON.stringify(v)}`);
    });
  });
  return fromRows(rows as number[][], source);
}

function fromRows(rows: number[][], source: string): PointMatrix {
  const cols = rows.length > 0 ? rows[0].length : 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`${source}: point ${i} has ${row.length} coordinates, expected ${cols}`);
    data.set(row, i * cols);
  });
  return { rows: rows.length, cols, data };
}

/** A NumPy .npy file (format 1.0, 2.0 or 3.0) holding a 2-D float32 or float64 array in C order. */
export function parseNpyPoints(bytes: Uint8Array, source = 'NPY'): PointMatrix {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m))
    throw new Error(`${source}: not a .npy file (missing the \\x93NUMPY magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new Error(`${source}: unsupported .npy format version ${major}.${bytes[7]}`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new Error(`${source}: truncated .npy header`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart)
    throw new Error(`${source}: truncated .npy header (expected ${headerLength} header bytes)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new Error(`${source}: malformed .npy header ${JSON.stringify(header.trim())}`);
  const dtype = /^([<>=|]?)f([48])$/.exec(descr);
  if (!dtype) throw new Error(`${source}: unsupported dtype '${descr}': expected float32 or float64 ('<f4', '<f8')`);
  if (fortran === 'True')
    throw new Error(`${source}: Fortran-order arrays are not supported: save a C-order array (np.ascontiguousarray)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.length !== 2 || shape.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`${source}: expected a 2-D array (points x coordinates), got shape (${shapeText.trim()})`);
  const [rows, cols] = shape;
  const itemSize = Number(dtype[2]);
  const littleEndian = dtype[1] !== '>';
  const expected = rows * cols * itemSize;
  if (bytes.length - dataStart !== expected)
    throw new Error(
      `${source}: expected ${expected} data bytes for shape (${rows}, ${cols}) ${descr}, found ${bytes.length - dataStart}`,
    );
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) {
    const v =
      itemSize === 8
        ? view.getFloat64(dataStart + 8 * k, littleEndian)
        : view.getFloat32(dataStart + 4 * k, littleEndian);
    if (!Number.isFinite(v))
      throw new Error(`${source}: point ${Math.floor(k / cols)} coordinate ${k % cols} is not finite (${v})`);
    data[k] = v;
  }
  return { rows, cols, data };
}
