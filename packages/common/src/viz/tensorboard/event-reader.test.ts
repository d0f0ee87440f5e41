import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { readEvents } from './event-reader';
import { SummaryWriter } from './summary-writer';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'event-reader-'));
}

describe('readEvents', () => {
  it('reads back what SummaryWriter wrote: scalars (float32), images, text', () => {
    const dir = tempDir();
    const writer = new SummaryWriter(dir);
    const losses = [2.5, 1.25, 0.375, 0, -3.75]; // exact in float32
    losses.forEach((v, step) => writer.addScalar('loss/train', v, step * 10, 1000 + step));
    writer.addScalar('lr', 0.001, 7, 2000);
    const pixels = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    writer.addImage('sample', { data: pixels, width: 2, height: 2, channels: 3 }, 3, 3000);
    writer.addText('notes', '# hello\nworld', 1, 4000);
    writer.close();

    const events = readEvents(dir);
    expect(events.files).toEqual([writer.filePath]);
    expect(events.scalars['loss/train']).toEqual(
      losses.map((value, i) => ({ step: i * 10, wallTime: 1000 + i, value })),
    );
    // 0.001 is stored as float32, as TensorBoard's simple_value.
    expect(events.scalars.lr).toEqual([{ step: 7, wallTime: 2000, value: Math.fround(0.001) }]);
    const [image] = events.images.sample;
    expect([image.step, image.wallTime, image.width, image.height]).toEqual([3, 3000, 2, 2]);
    const decoded = PNG.sync.read(image.png);
    expect([decoded.width, decoded.height]).toEqual([2, 2]);
    expect(Array.from(decoded.data.subarray(12, 16))).toEqual([10, 20, 30, 255]);
    expect(events.texts['notes/text_summary']).toEqual([{ step: 1, wallTime: 4000, text: '# hello\nworld' }]);
  });

  it('reads several files of one folder in name order and ignores subfolders', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'not-events.txt'), 'x');
    const a = new SummaryWriter(dir, { filenameSuffix: '.a' });
    a.addScalar('acc', 0.5, 1);
    a.close();
    const b = new SummaryWriter(dir, { filenameSuffix: '.b' });
    b.addScalar('acc', 0.75, 2);
    b.addScalars('loss', { train: 1 }, 2); // goes to dir/loss_train
    b.close();
    const events = readEvents(dir);
    expect(events.scalars.acc.map((p) => [p.step, p.value])).toEqual([
      [1, 0.5],
      [2, 0.75],
    ]);
    expect(events.scalars.loss).toBeUndefined();
    expect(readEvents(path.join(dir, 'loss_train')).scalars.loss.map((p) => p.value)).toEqual([1]);
  });

  it('stops quietly at a record cut short (a writer still appending) and rejects a corrupt one', () => {
    const dir = tempDir();
    const writer = new SummaryWriter(dir);
    writer.addScalar('x', 1, 0);
    writer.addScalar('x', 2, 1);
    writer.close();
    const bytes = fs.readFileSync(writer.filePath);
    fs.writeFileSync(writer.filePath, bytes.subarray(0, bytes.length - 5));
    expect(readEvents(dir).scalars.x.map((p) => p.value)).toEqual([1]);

    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 6] ^= 0xff; // inside the last record's data
    fs.writeFileSync(writer.filePath, corrupt);
    expect(() => readEvents(dir)).toThrow(/bad data checksum in the record at byte \d+/);
    expect(() => readEvents(path.join(dir, 'missing'))).toThrow(/cannot list .*missing/);
  });
});

describe('readEvents on the golden event file', () => {
  // Written by Google's protobuf runtime from TensorFlow's message definitions: scripts/golden/viz_tensorboard_events.py
  const dir = path.join(__dirname, '..', 'testdata', 'golden_events');
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));

  it('reads PyTorch-style and TF2-style scalars and images, and text, and skips histograms', () => {
    const events = readEvents(dir);
    expect(events.scalars).toEqual(expected.scalars);
    const images = Object.fromEntries(
      Object.entries(events.images).map(([tag, list]) => [
        tag,
        list.map(({ png, ...rest }) => ({ ...rest, pngHex: png.toString('hex') })),
      ]),
    );
    expect(images).toEqual(expected.images);
    expect(events.texts).toEqual(expected.texts);
  });
});
