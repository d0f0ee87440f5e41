// Scans a Gravity Spy HDF5 file's groups (metadata only, no pixels) into sample entries, listing every malformed
// entry instead of stopping at the first, and reads one view of one sample on demand.
import { type H5Dataset, type H5File, type H5Group } from './h5wasm-loader';
import {
  DURATIONS,
  type Duration,
  GRAVITY_SPY_CLASSES,
  SPLITS,
  type Split,
  VIEW_HEIGHT,
  VIEW_WIDTH,
  classIndex,
  viewName,
} from './classes';

export interface SampleEntry {
  label: string;
  classIndex: number;
  split: Split;
  id: string;
  /** The sample's group, `/<label>/<split>/<id>`. */
  path: string;
  /** Whether each view is stored as uint8 0-255 (else float in [0, 1]). */
  uint8: boolean;
}

export type ProblemKind =
  | 'unknown_class'
  | 'unknown_split'
  | 'not_a_group'
  | 'missing_view'
  | 'wrong_shape'
  | 'wrong_dtype'
  | 'unreadable'
  | 'csv_without_image'
  | 'csv_mismatch'
  | 'image_without_csv'
  | 'csv_malformed';

export interface LayoutProblem {
  kind: ProblemKind;
  /** The HDF5 path (or `csv:<line>` for metadata rows). */
  path: string;
  message: string;
}

export interface FileScan {
  samples: SampleEntry[];
  problems: LayoutProblem[];
  /** The stored shape of the first well-formed view, e.g. [1, 140, 170]. */
  viewShape?: number[];
}

const VIEW_SIZE = VIEW_HEIGHT * VIEW_WIDTH;

/** Accepted view shapes: (1, 140, 170) as in the real file, or (140, 170). */
function viewShapeOk(shape: number[] | null): boolean {
  if (!shape) return false;
  const s = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape;
  return s.length === 2 && s[0] === VIEW_HEIGHT && s[1] === VIEW_WIDTH;
}

/** 'uint8', 'float' or undefined for any other stored type. */
function viewKind(ds: H5Dataset): 'uint8' | 'float' | undefined {
  const meta = ds.metadata as { type: number; size: number; signed: boolean };
  // HDF5 type classes: 0 = integer, 1 = float.
  if (meta.type === 1) return 'float';
  if (meta.type === 0 && meta.size === 1 && !meta.signed) return 'uint8';
  return undefined;
}

function isGroup(node: unknown): node is H5Group {
  return !!node && typeof (node as H5Group).keys === 'function' && typeof (node as H5Dataset).slice !== 'function';
}

function isDataset(node: unknown): node is H5Dataset {
  return !!node && typeof (node as H5Dataset).slice === 'function';
}

/** Checks one sample group's four views; returns the entry or pushes what is wrong with it. */
function scanSample(
  group: H5Group,
  label: string,
  split: Split,
  id: string,
  problems: LayoutProblem[],
  shapes: number[][],
): SampleEntry | undefined {
  const path = `/${label}/${split}/${id}`;
  const kinds = new Set<string>();
  let ok = true;
  for (const duration of DURATIONS) {
    const node = guarded(() => group.get(viewName(duration)), `${path}/${viewName(duration)}`, problems);
    if (node === FAILED) {
      ok = false;
      continue;
    }
    const at = `${path}/${viewName(duration)}`;
    if (!isDataset(node)) {
      problems.push({
        kind: 'missing_view',
        path: at,
        message: `sample ${id} has no ${duration} s view (expected dataset ${at})`,
      });
      ok = false;
      continue;
    }
    if (!viewShapeOk(node.shape)) {
      problems.push({
        kind: 'wrong_shape',
        path: at,
        message: `view ${at} has shape (${node.shape?.join(', ')}), expected (1, ${VIEW_HEIGHT}, ${VIEW_WIDTH})`,
      });
      ok = false;
      continue;
    }
    const kind = viewKind(node);
    if (!kind) {
      problems.push({
        kind: 'wrong_dtype',
        path: at,
        message: `view ${at} has dtype ${JSON.stringify(node.dtype)}, expected float in [0, 1] or uint8 0-255`,
      });
      ok = false;
      continue;
    }
    kinds.add(kind);
    if (shapes.length === 0) shapes.push(node.shape as number[]);
  }
  if (!ok) return undefined;
  if (kinds.size > 1) {
    problems.push({ kind: 'wrong_dtype', path, message: `sample ${id} mixes uint8 and float views` });
    return undefined;
  }
  return { label, classIndex: classIndex(label), split, id, path, uint8: kinds.has('uint8') };
}

const FAILED = Symbol('failed');

/** Runs one read of the file's structure; a node HDF5 cannot read becomes a problem instead of an exception. */
function guarded<T>(read: () => T, at: string, problems: LayoutProblem[]): T | typeof FAILED {
  try {
    return read();
  } catch (err) {
    problems.push({ kind: 'unreadable', path: at, message: `${at} cannot be read: ${(err as Error).message}` });
    return FAILED;
  }
}

/** Every well-formed sample of the file, sorted by (split, class, id), and every problem found. */
export function scanGravitySpyFile(file: H5File): FileScan {
  const samples: SampleEntry[] = [];
  const problems: LayoutProblem[] = [];
  const shapes: number[][] = [];
  for (const label of file.keys().sort()) {
    const labelGroup = guarded(() => file.get(label), `/${label}`, problems);
    if (labelGroup === FAILED) continue;
    if (classIndex(label) < 0) {
      problems.push({
        kind: 'unknown_class',
        path: `/${label}`,
        message: `unknown class '${label}' (expected one of ${GRAVITY_SPY_CLASSES.join(', ')})`,
      });
      continue;
    }
    if (!isGroup(labelGroup)) {
      problems.push({ kind: 'not_a_group', path: `/${label}`, message: `/${label} is not a group` });
      continue;
    }
    for (const split of labelGroup.keys().sort()) {
      if (!(SPLITS as readonly string[]).includes(split)) {
        problems.push({
          kind: 'unknown_split',
          path: `/${label}/${split}`,
          message: `unknown sample_type '${split}' (expected ${SPLITS.join(', ')})`,
        });
        continue;
      }
      const splitGroup = guarded(() => labelGroup.get(split), `/${label}/${split}`, problems);
      if (splitGroup === FAILED) continue;
      if (!isGroup(splitGroup)) {
        problems.push({
          kind: 'not_a_group',
          path: `/${label}/${split}`,
          message: `/${label}/${split} is not a group`,
        });
        continue;
      }
      for (const id of splitGroup.keys().sort()) {
        const sampleGroup = guarded(() => splitGroup.get(id), `/${label}/${split}/${id}`, problems);
        if (sampleGroup === FAILED) continue;
        if (!isGroup(sampleGroup)) {
          problems.push({
            kind: 'not_a_group',
            path: `/${label}/${split}/${id}`,
            message: `/${label}/${split}/${id} is not a group of views`,
          });
          continue;
        }
        const entry = scanSample(sampleGroup, label, split as Split, id, problems, shapes);
        if (entry) samples.push(entry);
      }
    }
  }
  const splitOrder = (s: Split) => SPLITS.indexOf(s);
  samples.sort(
    (a, b) =>
      splitOrder(a.split) - splitOrder(b.split) ||
      a.classIndex - b.classIndex ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { samples, problems, viewShape: shapes[0] };
}

/** One view of a sample as float32 [140 * 170] in [0, 1] (uint8 views divided by 255): one dataset read. */
export function readView(file: H5File, entry: SampleEntry, duration: Duration): Float32Array {
  const at = `${entry.path}/${viewName(duration)}`;
  const node = file.get(at);
  if (!isDataset(node)) throw new Error(`${file.filename}: ${at} is missing`);
  const values = node.value as ArrayLike<number> | null;
  if (!values || values.length !== VIEW_SIZE)
    throw new Error(`${file.filename}: ${at} holds ${values?.length ?? 0} values, expected ${VIEW_SIZE}`);
  const out = new Float32Array(VIEW_SIZE);
  const scale = entry.uint8 ? 1 / 255 : 1;
  for (let i = 0; i < VIEW_SIZE; i++) out[i] = values[i] * scale;
  return out;
}
