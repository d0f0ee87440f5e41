// An image folder with a corrupt file in its validation split: hrnet fails before training and before any run
// folder, naming the file (it used to fail after a whole training epoch, from the batch that decoded it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { trainRun } from '@research/common';
import { hrnetApp } from '../src/app';

const TINY = path.join(__dirname, '..', 'src', '__fixtures__', 'tiny_32x32.yaml');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-corrupt-'));
  process.env.RESEARCH_WASM_THREADS = '0';
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('a truncated PNG in the validation folder is named before training; no run folder is made', async () => {
  const images = path.join(tmp, 'data', 'shapes', 'images');
  for (const split of ['train', 'val'])
    for (const cls of ['dark', 'light'])
      for (let i = 0; i < 4; i++) {
        const file = path.join(images, split, cls, `${i}.png`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const pixels = Buffer.alloc(40 * 40, cls === 'dark' ? 20 + i : 200 + i);
        await sharp(pixels, { raw: { width: 40, height: 40, channels: 1 } })
          .png()
          .toFile(file);
      }
  const bad = path.join(images, 'val', 'light', '2.png');
  const bytes = fs.readFileSync(bad);
  fs.writeFileSync(bad, bytes.subarray(0, bytes.length - 20)); // the header is whole, the data is cut short
  const outputs = path.join(tmp, 'outputs');
  const overrides = [
    'BACKEND=wasm',
    `DATA_DIR=${path.join(tmp, 'data')}`,
    'DATASET.DATASET=shapes',
    'MODEL.NUM_CLASSES=2',
  ];
  const failure = trainRun(hrnetApp, { config: TINY, overrides, outputRoot: outputs, progress: false, log: () => 0 });
  await expect(failure).rejects.toThrow(
    `1 of 16 files of shapes's image folders cannot be read as images (decoded before training):\n` +
      `  ${bad}: png image data does not decode: truncated or corrupt (`,
  );
  expect(fs.existsSync(outputs)).toBe(false);
});
