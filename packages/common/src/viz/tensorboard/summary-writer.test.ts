import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { PNG } from 'pngjs';
import { plotConfusionMatrix } from '../plot/confusion-matrix';
import { SummaryWriter } from './summary-writer';

// An independent reader: its own bitwise CRC32C and a schema parsed from .proto text (not the writer's reflection).
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const masked = (bytes: Uint8Array) => {
  const crc = crc32cBitwise(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
};

const schema = protobuf.parse(
  `
syntax = "proto3";
package tensorflow;
message Event {
  double wall_time = 1; int64 step = 2;
  oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; }
}
message SummaryMetadata { message PluginData { string plugin_name = 1; bytes content = 2; } PluginData plugin_data = 1; }
message HistogramProto {
  double min = 1; double max = 2; double num = 3; double sum = 4; double sum_squares = 5;
  repeated double bucket_limit = 6; repeated double bucket = 7;
}
message TensorShapeProto { message Dim { int64 size = 1; string name = 2; } repeated Dim dim = 2; }
message TensorProto { int32 dtype = 1; TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }
message Summary {
  message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
  message Value {
    string tag = 1; SummaryMetadata metadata = 9;
    oneof value { float simple_value = 2; Image image = 4; HistogramProto histo = 5; TensorProto tensor = 8; }
  }
  repeated Value value = 1;
}`,
  { keepCase: true },
).root;
const Event = schema.lookupType('tensorflow.Event');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Decoded = any;

function readEvents(file: string): Decoded[] {
  const bytes = fs.readFileSync(file);
  const events: Decoded[] = [];
  let at = 0;
  while (at < bytes.length) {
    const header = bytes.subarray(at, at + 8);
    expect(bytes.readUInt32LE(at + 8)).toBe(masked(header));
    const length = Number(bytes.readBigUInt64LE(at));
    const data = bytes.subarray(at + 12, at + 12 + length);
    expect(bytes.readUInt32LE(at + 12 + length)).toBe(masked(data));
    events.push(Event.toObject(Event.decode(data), { longs: Number, defaults: true, oneofs: true }));
    at += 12 + length + 4;
  }
  expect(at).toBe(bytes.length);
  return events;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const eventFiles = (d: string) => fs.readdirSync(d).filter((f) => f.startsWith('events.out.tfevents.'));

describe('SummaryWriter', () => {
  it('names the file events.out.tfevents.<unix-seconds>.<hostname> and starts with file_version brain.Event:2', () => {
    const before = Math.floor(Date.now() / 1000);
    const writer = new SummaryWriter(path.join(dir, 'run'));
    writer.close();
    const name = path.basename(writer.filePath);
    const match = /^events\.out\.tfevents\.(\d+)\.(.+)$/.exec(name)!;
    expect(Number(match[1])).toBeGreaterThanOrEqual(before);
    expect(Number(match[1])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(match[2]).toBe(os.hostname());
    const events = readEvents(writer.filePath);
    expect(events).toHaveLength(1);
    expect(events[0].file_version).toBe('brain.Event:2');
  });

  it('writes scalars with their steps and wall times, NaN included', () => {
    const writer = new SummaryWriter(dir);
    writer.addScalar('loss/train', 0.25, 1, 1000.5);
    writer.addScalar('loss/train', 0, 2, 1001);
    writer.addScalar('loss/train', NaN, 3);
    writer.close();
    const [, ...events] = readEvents(writer.filePath);
    expect(events.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(events[0].wall_time).toBe(1000.5);
    expect(events.map((e) => e.summary.value[0].tag)).toEqual(['loss/train', 'loss/train', 'loss/train']);
    expect(events[0].summary.value[0].simple_value).toBe(0.25);
    expect(events[1].summary.value[0].value).toBe('simple_value'); // a 0 is written, not dropped as a default
    expect(events[2].summary.value[0].simple_value).toBeNaN();
  });

  it('writes each addScalars key to its own run directory under the main tag', () => {
    const writer = new SummaryWriter(dir);
    writer.addScalars('loss', { train: 1.5, val: 2.5 }, 7);
    writer.close();
    for (const [run, value] of [
      ['loss_train', 1.5],
      ['loss_val', 2.5],
    ] as const) {
      const files = eventFiles(path.join(dir, run));
      expect(files).toHaveLength(1);
      const [, event] = readEvents(path.join(dir, run, files[0]));
      expect(event.step).toBe(7);
      expect(event.summary.value[0]).toMatchObject({ tag: 'loss', simple_value: value });
    }
  });

  it('writes images from raw pixels, float tensors and PNG bytes with their size and colour space', () => {
    const writer = new SummaryWriter(dir);
    const rgb = {
      data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]),
      width: 3,
      height: 2,
      channels: 3,
    };
    writer.addImage('raw', rgb, 0);
    const tensor = { shape: [1, 2, 1], dtype: 'float32', dataSync: () => Float32Array.from([0, 1]) };
    writer.addImage('tensor', tensor, 1);
    const png = new PNG({ width: 4, height: 5 });
    png.data.fill(128);
    const pngBytes = PNG.sync.write(png);
    writer.addImage('png', pngBytes, 2);
    writer.close();

    const [, raw, fromTensor, fromPng] = readEvents(writer.filePath);
    const image = raw.summary.value[0].image;
    expect(image).toMatchObject({ width: 3, height: 2, colorspace: 3 });
    const decoded = PNG.sync.read(Buffer.from(image.encoded_image_string));
    expect([...decoded.data.subarray(4 * 4, 4 * 5)]).toEqual([40, 50, 60, 255]); // pixel (row 1, col 1)
    const grey = fromTensor.summary.value[0].image;
    expect(grey).toMatchObject({ width: 2, height: 1, colorspace: 1 });
    expect([...PNG.sync.read(Buffer.from(grey.encoded_image_string)).data]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(fromPng.summary.value[0].image).toMatchObject({ width: 4, height: 5, colorspace: 4 });
    expect(Buffer.from(fromPng.summary.value[0].image.encoded_image_string).equals(pngBytes)).toBe(true);
  });

  it('writes a plot as a PNG image of its size', () => {
    const writer = new SummaryWriter(dir);
    const plot = plotConfusionMatrix(
      [
        [3, 1],
        [0, 4],
      ],
      ['a', 'b'],
    );
    writer.addFigure('confusion', plot, 3);
    writer.close();
    const [, event] = readEvents(writer.filePath);
    const image = event.summary.value[0].image;
    expect(image).toMatchObject({ width: plot.width, height: plot.height, colorspace: 4 });
    expect(PNG.sync.read(Buffer.from(image.encoded_image_string)).width).toBe(plot.width);
  });

  it('writes histograms with packed bucket limits and counts', () => {
    const writer = new SummaryWriter(dir);
    writer.addHistogram('weights', [1, 2, 2, 3], 5, 2);
    writer.addHistogram('default', Float32Array.from([0.5, -0.5]), 6);
    writer.close();
    const [, linear, tf] = readEvents(writer.filePath);
    expect(linear.summary.value[0].histo).toEqual({
      min: 1,
      max: 3,
      num: 4,
      sum: 8,
      sum_squares: 18,
      bucket_limit: [1, 2, 3],
      bucket: [0, 1, 3],
    });
    const h = tf.summary.value[0].histo;
    expect(h.bucket.reduce((a: number, b: number) => a + b, 0)).toBe(2);
    expect(h.bucket_limit[0]).toBeLessThanOrEqual(-0.5);
    expect(h.bucket_limit[h.bucket_limit.length - 1]).toBeGreaterThan(0.5);
  });

  it('writes text as a DT_STRING tensor for the text plugin under <tag>/text_summary', () => {
    const writer = new SummaryWriter(dir);
    writer.addText('config', '# Run\n`lr = 0.001` – ünïcode', 0);
    writer.close();
    const [, event] = readEvents(writer.filePath);
    const value = event.summary.value[0];
    expect(value.tag).toBe('config/text_summary');
    expect(value.metadata.plugin_data.plugin_name).toBe('text');
    expect(value.tensor.dtype).toBe(7);
    expect(value.tensor.tensor_shape.dim.map((d: Decoded) => d.size)).toEqual([1]);
    expect(Buffer.from(value.tensor.string_val[0]).toString('utf8')).toBe('# Run\n`lr = 0.001` – ünïcode');
  });

  it('buffers events until maxQueue is reached or flush() is called', () => {
    const writer = new SummaryWriter(dir, { maxQueue: 3 });
    const count = () => readEvents(writer.filePath).length;
    expect(count()).toBe(1);
    writer.addScalar('a', 1, 1);
    writer.addScalar('a', 2, 2);
    expect(count()).toBe(1);
    writer.addScalar('a', 3, 3);
    expect(count()).toBe(4);
    writer.addScalar('a', 4, 4);
    writer.flush();
    expect(count()).toBe(5);
    writer.close();
  });

  it('flushes buffered events every flushSecs', () => {
    jest.useFakeTimers();
    try {
      const writer = new SummaryWriter(dir, { flushSecs: 5 });
      writer.addScalar('a', 1, 1);
      jest.advanceTimersByTime(4999);
      expect(readEvents(writer.filePath)).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(readEvents(writer.filePath)).toHaveLength(2);
      writer.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives two writers in the same second and directory distinct files', () => {
    const a = new SummaryWriter(dir);
    const b = new SummaryWriter(dir);
    a.close();
    b.close();
    expect(a.filePath).not.toBe(b.filePath);
    expect(eventFiles(dir)).toHaveLength(2);
  });

  it('rejects bad input and use after close with the reason', () => {
    const writer = new SummaryWriter(dir);
    expect(() => writer.addScalar('', 1, 0)).toThrow('addScalar: tag must be a non-empty string');
    expect(() => writer.addScalar('x', 1, 1.5)).toThrow("addScalar('x'): step must be an integer, got 1.5");
    expect(() => writer.addImage('img', { data: new Uint8Array(5), width: 2, height: 2, channels: 1 }, 0)).toThrow(
      "addImage('img'): data has 5 values, expected width*height*channels = 2*2*1 = 4",
    );
    expect(() => writer.addImage('img', new Uint8Array([1, 2, 3]), 0)).toThrow('must be a PNG file');
    expect(() => writer.addHistogram('h', [Infinity], 0)).toThrow(
      "addHistogram('h'): value Infinity at index 0 is not finite",
    );
    writer.close();
    writer.close();
    expect(() => writer.addScalar('x', 1, 0)).toThrow(`SummaryWriter.addScalar: the writer for ${dir} is closed`);
  });
});
