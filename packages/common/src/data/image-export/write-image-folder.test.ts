import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SAMPLE_DIR, readIdxImageFolder } from '../datasets';
import { ImageDataset } from '../image-dataset';
import { folderSafeName, writeImageFolder } from './write-image-folder';

describe('writeImageFolder', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'image-export-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('makes class names file-system safe', () => {
    expect(FASHION_MNIST_CLASSES.map(folderSafeName)).toEqual([
      'T-shirt_top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle_boot',
    ]);
    expect(() => folderSafeName('..')).toThrow(/cannot be a folder name/);
  });

  it('writes the first N images per class as lossless PNGs named <split>_<index>.png', async () => {
    const test = readIdxImageFolder(FASHION_MNIST_SAMPLE_DIR, 'test', FASHION_MNIST_CLASSES);
    const raw = path.join(tmp, 'data', 'raw');
    const summary = await writeImageFolder(raw, [{ split: 'test', dataset: test }], {
      classNames: FASHION_MNIST_CLASSES,
      perClass: 2,
    });
    expect(summary.total).toBe(20);
    expect(Object.values(summary.counts)).toEqual(new Array(10).fill(2));
    expect(fs.readdirSync(path.join(tmp, 'data'))).toEqual(['raw']);
    // The first two test images of class 0 (T-shirt/top), in dataset order.
    const firstTwo = Array.from(test.labels.keys())
      .filter((i) => test.labels[i] === 0)
      .slice(0, 2);
    expect(fs.readdirSync(path.join(raw, 'T-shirt_top')).sort()).toEqual(firstTwo.map((i) => `test_${i}.png`).sort());
    const file = path.join(raw, 'T-shirt_top', `test_${firstTwo[0]}.png`);
    expect((await sharp(file).metadata()).channels).toBe(1); // a grey PNG
    const { data, info } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([28, 28, 1]);
    expect(Buffer.compare(data, Buffer.from(test.image(firstTwo[0])))).toBe(0);
  });

  it('refuses an existing folder, bad labels and bad perClass, leaving nothing behind', async () => {
    const tiny = new ImageDataset(new Uint8Array(2 * 4), Int32Array.from([0, 5]), [2, 2, 1]);
    const raw = path.join(tmp, 'raw');
    await expect(
      writeImageFolder(raw, [{ split: 'train', dataset: tiny }], { classNames: ['a', 'b'] }),
    ).rejects.toThrow('train image 1 has label 5, outside the 2 class names');
    await expect(
      writeImageFolder(raw, [{ split: 'train', dataset: tiny }], { classNames: ['a', 'b'], perClass: 0 }),
    ).rejects.toThrow(/perClass/);
    expect(fs.readdirSync(tmp)).toEqual([]);
    fs.mkdirSync(raw);
    await expect(writeImageFolder(raw, [], { classNames: ['a'] })).rejects.toThrow(/already exists/);
  });
});
