// A TensorBoard event writer with the API of torch.utils.tensorboard.SummaryWriter.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeFsError, faultPoint } from '../../io';
import { renderPlotPng, type Plot } from '../plot/render';
import { imageInputToPng, isTensorLike, type ImageInput, type TensorLike } from '../raster';
import { buildHistogram, type HistogramBins } from './histogram';
import { DT_STRING, encodeEvent, type EventMessage, type SummaryValueMessage } from './protos';
import { encodeTfRecord } from './tfrecord';

export interface SummaryWriterOptions {
  /** Seconds between automatic flushes of buffered events (torch: 120). */
  flushSecs?: number;
  /** Buffered events that trigger a flush (torch: 10). */
  maxQueue?: number;
  /** Appended to the event file name. */
  filenameSuffix?: string;
}

// Writers still open when the process exits get their buffered events written (writes are synchronous).
const openWriters = new Set<SummaryWriter>();
let exitHookInstalled = false;
function registerOpenWriter(writer: SummaryWriter): void {
  if (!exitHookInstalled) {
    process.on('exit', () => openWriters.forEach((w) => w.flush()));
    exitHookInstalled = true;
  }
  openWriters.add(writer);
}

/** Opens `dir/base` exclusively; if a writer in this second already took the name, adds `.pid.n`. */
function openEventFile(dir: string, base: string): { fd: number; filePath: string } {
  for (let n = 0; ; n++) {
    const filePath = path.join(dir, n === 0 ? base : `${base}.${process.pid}.${n}`);
    try {
      return { fd: fs.openSync(filePath, 'wx'), filePath };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Writes `events.out.tfevents.<unix-seconds>.<hostname>` in `logDir` (created if missing). Events are buffered and
 * written every `flushSecs`, when `maxQueue` are waiting, on `flush()`, `close()` and process exit.
 */
export class SummaryWriter {
  readonly logDir: string;
  readonly filePath: string;
  private readonly options: SummaryWriterOptions;
  private readonly maxQueue: number;
  private fd: number | undefined;
  private queue: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly scalarsWriters = new Map<string, SummaryWriter>();

  constructor(logDir: string, options: SummaryWriterOptions = {}) {
    const { flushSecs = 120, maxQueue = 10, filenameSuffix = '' } = options;
    if (typeof logDir !== 'string' || logDir === '')
      throw new Error(`SummaryWriter: logDir must be a non-empty path, got ${JSON.stringify(logDir)}`);
    if (!(flushSecs > 0)) throw new Error(`SummaryWriter: flushSecs must be > 0, got ${flushSecs}`);
    if (!Number.isInteger(maxQueue) || maxQueue < 1)
      throw new Error(`SummaryWriter: maxQueue must be a positive integer, got ${maxQueue}`);
    this.logDir = logDir;
    this.options = options;
    this.maxQueue = maxQueue;
    fs.mkdirSync(logDir, { recursive: true });
    const base = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${os.hostname()}${filenameSuffix}`;
    const { fd, filePath } = openEventFile(logDir, base);
    this.fd = fd;
    this.filePath = filePath;
    registerOpenWriter(this);
    this.timer = setInterval(() => this.flush(), flushSecs * 1000);
    this.timer.unref();
    this.enqueue({ wallTime: Date.now() / 1000, step: 0, fileVersion: 'brain.Event:2' });
    this.flush();
  }

  /** One scalar (stored as float32, like TensorBoard's simple_value). NaN and ±Infinity are recorded as they are. */
  addScalar(tag: string, value: number, step: number, walltime?: number): void {
    if (typeof value !== 'number') throw new Error(`addScalar('${tag}'): value must be a number, got ${typeof value}`);
    this.addSummary('addScalar', { tag, simpleValue: value }, step, walltime);
  }

  /** Several scalars on one chart: each key goes to its own run `<logDir>/<mainTag>_<key>` under tag `mainTag`, as in torch. */
  addScalars(mainTag: string, values: Record<string, number>, step: number, walltime?: number): void {
    this.checkOpen('addScalars');
    for (const [key, value] of Object.entries(values)) {
      const dir = path.join(this.logDir, `${mainTag.replace(/\//g, '_')}_${key}`);
      let writer = this.scalarsWriters.get(dir);
      if (!writer) {
        writer = new SummaryWriter(dir, this.options);
        this.scalarsWriters.set(dir, writer);
      }
      writer.addScalar(mainTag, value, step, walltime);
    }
  }

  /** An image: PNG bytes, an HWC tensor (int32 0..255 or float 0..1) or {data, width, height, channels}. */
  addImage(tag: string, image: ImageInput, step: number, walltime?: number): void {
    const { png, width, height, channels } = imageInputToPng(image, `addImage('${tag}')`);
    this.addSummary(
      'addImage',
      { tag, image: { height, width, colorspace: channels, encodedImageString: png } },
      step,
      walltime,
    );
  }

  /** A plot (training curves, confusion matrix, ...) rendered to PNG, like torch's add_figure. */
  addFigure(tag: string, plot: Plot, step: number, walltime?: number): void {
    this.addImage(tag, renderPlotPng(plot), step, walltime);
  }

  /** A histogram of finite values; `bins` as in torch ('tensorflow' = TensorBoard's default exponential buckets). */
  addHistogram(
    tag: string,
    values: ArrayLike<number> | TensorLike,
    step: number,
    bins: HistogramBins = 'tensorflow',
    walltime?: number,
  ): void {
    const data = isTensorLike(values) ? values.dataSync() : values;
    const histo = buildHistogram(data, bins, `addHistogram('${tag}')`);
    this.addSummary('addHistogram', { tag, histo }, step, walltime);
  }

  /** Markdown text, shown by TensorBoard's text dashboard under `<tag>/text_summary` (as torch names it). */
  addText(tag: string, text: string, step: number, walltime?: number): void {
    if (typeof text !== 'string') throw new Error(`addText('${tag}'): text must be a string, got ${typeof text}`);
    this.addSummary(
      'addText',
      {
        tag: `${tag}/text_summary`,
        // content: an empty TextPluginData (version 0 serialises to no bytes).
        metadata: { pluginData: { pluginName: 'text', content: new Uint8Array(0) } },
        tensor: { dtype: DT_STRING, tensorShape: { dim: [{ size: 1 }] }, stringVal: [Buffer.from(text, 'utf8')] },
      },
      step,
      walltime,
    );
  }

  /**
   * Writes buffered events to the file. A failed write (full disk, read-only mount) cuts the file back to its last
   * whole record and is reported with the file and the likely fix.
   */
  flush(): void {
    if (this.fd === undefined || this.queue.length === 0) return;
    const bytes = Buffer.concat(this.queue);
    this.queue = [];
    const size = fs.fstatSync(this.fd).size;
    try {
      let written = 0;
      while (written < bytes.length) {
        written += fs.writeSync(this.fd, bytes, written);
        faultPoint('events', this.filePath);
      }
    } catch (err) {
      fs.ftruncateSync(this.fd, size);
      throw describeFsError(err, this.filePath, 'append TensorBoard events to');
    }
  }

  /** Flushes and closes this writer and those `addScalars` opened; further adds throw. Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    clearInterval(this.timer);
    fs.closeSync(this.fd);
    this.fd = undefined;
    openWriters.delete(this);
    this.scalarsWriters.forEach((w) => w.close());
  }

  private checkOpen(method: string): void {
    if (this.fd === undefined) throw new Error(`SummaryWriter.${method}: the writer for ${this.logDir} is closed`);
  }

  private addSummary(method: string, value: SummaryValueMessage, step: number, walltime: number | undefined): void {
    this.checkOpen(method);
    if (typeof value.tag !== 'string' || value.tag === '')
      throw new Error(`${method}: tag must be a non-empty string, got ${JSON.stringify(value.tag)}`);
    if (!Number.isSafeInteger(step)) throw new Error(`${method}('${value.tag}'): step must be an integer, got ${step}`);
    if (walltime !== undefined && !Number.isFinite(walltime))
      throw new Error(`${method}('${value.tag}'): walltime must be a finite number of seconds, got ${walltime}`);
    this.enqueue({ wallTime: walltime ?? Date.now() / 1000, step, summary: { value: [value] } });
  }

  private enqueue(event: EventMessage): void {
    this.queue.push(encodeTfRecord(encodeEvent(event)));
    if (this.queue.length >= this.maxQueue) this.flush();
  }
}
