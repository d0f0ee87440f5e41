// Reads TensorBoard event files (SummaryWriter's, PyTorch's, TF1's simple values and TF2's tensor summaries):
// scalars, images, text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeEvent, DT_DOUBLE, DT_FLOAT, type SummaryValueMessage } from './protos';
import { maskedCrc32c } from './tfrecord';

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

export interface ImageEvent {
  step: number;
  wallTime: number;
  width: number;
  height: number;
  /** The encoded image as stored (PNG for SummaryWriter). */
  png: Buffer;
}

export interface TextEvent {
  step: number;
  wallTime: number;
  text: string;
}

export interface RunEvents {
  /** Per tag, in file order (files sorted by name, i.e. by creation time). */
  scalars: Record<string, ScalarPoint[]>;
  images: Record<string, ImageEvent[]>;
  /** Text summaries under their written tag (`<tag>/text_summary` for SummaryWriter.addText). */
  texts: Record<string, TextEvent[]>;
  /** The event files read. */
  files: string[];
}

/** TensorBoard's event file names: `events.out.tfevents.<seconds>.<host>[suffix]`. */
export function isEventFile(name: string): boolean {
  return name.includes('tfevents');
}

function push<T>(map: Record<string, T[]>, tag: string, item: T): void {
  (map[tag] ??= []).push(item);
}

type TensorMessage = NonNullable<SummaryValueMessage['tensor']>;

/** A TF2 scalar: the first float_val / double_val, or the first element of tensor_content. */
function tensorScalar(tensor: TensorMessage): number | undefined {
  if (tensor.floatVal?.length) return tensor.floatVal[0];
  if (tensor.doubleVal?.length) return tensor.doubleVal[0];
  const raw = tensor.tensorContent;
  if (!raw || raw.length === 0) return undefined;
  const bytes = Buffer.from(raw);
  if (tensor.dtype === DT_FLOAT && bytes.length >= 4) return bytes.readFloatLE(0);
  if (tensor.dtype === DT_DOUBLE && bytes.length >= 8) return bytes.readDoubleLE(0);
  return undefined;
}

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function addValue(out: RunEvents, value: SummaryValueMessage, step: number, wallTime: number): void {
  const plugin = value.metadata?.pluginData?.pluginName;
  const tensor = value.tensor;
  if (value.simpleValue !== undefined && value.simpleValue !== null) {
    push(out.scalars, value.tag, { step, wallTime, value: value.simpleValue });
  } else if (value.image) {
    const { width, height, encodedImageString } = value.image;
    push(out.images, value.tag, { step, wallTime, width, height, png: Buffer.from(encodedImageString) });
  } else if (tensor && plugin === 'scalars') {
    const scalar = tensorScalar(tensor);
    if (scalar !== undefined) push(out.scalars, value.tag, { step, wallTime, value: scalar });
  } else if (tensor && plugin === 'images' && (tensor.stringVal?.length ?? 0) >= 3) {
    // TF2's tf.summary.image: [width, height, image 1, image 2, ...]; each image becomes one entry at this step.
    const [width, height, ...images] = tensor.stringVal!;
    for (const png of images) {
      push(out.images, value.tag, {
        step,
        wallTime,
        width: Number(utf8(width)),
        height: Number(utf8(height)),
        png: Buffer.from(png),
      });
    }
  } else if (tensor && plugin === 'text') {
    push(out.texts, value.tag, { step, wallTime, text: (tensor.stringVal ?? []).map(utf8).join('\n') });
  }
}

/**
 * Decodes one event file into `out`. A record cut short at the end of the file (a writer still appending) ends the
 * read quietly; a checksum that does not match is an error naming the file and byte offset.
 */
export function readEventFile(file: string, out: RunEvents): void {
  const bytes = fs.readFileSync(file);
  let at = 0;
  while (at + 12 <= bytes.length) {
    const length = Number(bytes.readBigUInt64LE(at));
    if (bytes.readUInt32LE(at + 8) !== maskedCrc32c(bytes.subarray(at, at + 8))) {
      throw new Error(`readEvents: ${file}: bad length checksum at byte ${at} (not a TFRecord event file, or corrupt)`);
    }
    if (at + 12 + length + 4 > bytes.length) break;
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (bytes.readUInt32LE(at + 12 + length) !== maskedCrc32c(data)) {
      throw new Error(`readEvents: ${file}: bad data checksum in the record at byte ${at}`);
    }
    const event = decodeEvent(data);
    for (const value of event.summary?.value ?? []) addValue(out, value, event.step ?? 0, event.wallTime ?? 0);
    at += 12 + length + 4;
  }
  out.files.push(file);
}

/** Every event file directly in `dir` (not its subfolders: TensorBoard shows those as other runs). */
export function readEvents(dir: string): RunEvents {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new Error(`readEvents: cannot list ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const out: RunEvents = { scalars: {}, images: {}, texts: {}, files: [] };
  for (const name of names.filter(isEventFile).sort()) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) readEventFile(file, out);
  }
  return out;
}
