// The image pre-pass: every unreadable file named with its reason; a full decode finds what a header read misses.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { checkImageFiles, imageFileProblem } from './image-check';

let dir: string;
const at = (name: string) => path.join(dir, name);
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-check-'));
  const pixels = Buffer.alloc(32 * 32 * 3);
  for (let j = 0; j < pixels.length; j++) pixels[j] = (j * 7) & 255;
  const png = await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
    .png()
    .toBuffer();
  for (let i = 0; i < 30; i++) fs.writeFileSync(at(`ok${i}.png`), png);
  fs.writeFileSync(at('truncated.png'), png.subarray(0, Math.floor(png.length * 0.6)));
  const flipped = Buffer.from(png);
  flipped[flipped.length - 30] ^= 0xff; // inside the image data: its checksum no longer matches
  fs.writeFileSync(at('checksum.png'), flipped);
  fs.writeFileSync(at('text.png'), 'not an image');
  fs.writeFileSync(at('empty.png'), '');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('names each problem: truncated data, a bad checksum, not an image, empty, missing', async () => {
  const problems = await Promise.all(
    ['ok0', 'truncated', 'checksum', 'text', 'empty', 'missing'].map((n) => imageFileProblem(at(`${n}.png`))),
  );
  expect(problems).toEqual([
    undefined,
    expect.stringMatching(/^png image data does not decode: truncated or corrupt \(.+\)$/),
    expect.stringMatching(/^png image data does not decode: truncated or corrupt \(.+\)$/),
    'Input file contains unsupported image format',
    'the file is empty',
    'cannot read it (ENOENT)',
  ]);
  // A header read passes the two files whose header is whole: why the pre-pass decodes fully by default.
  expect(await imageFileProblem(at('truncated.png'), 'header')).toBeUndefined();
  expect(await imageFileProblem(at('checksum.png'), 'header')).toBeUndefined();
});

it('lists every unreadable file of a set in one error, sorted, up to a limit', async () => {
  const good = Array.from({ length: 30 }, (_, i) => at(`ok${i}.png`));
  await expect(checkImageFiles(good, 'the good ones')).resolves.toBeUndefined();
  const files = [...good, at('text.png'), at('truncated.png'), at('empty.png'), at('text.png')];
  await expect(checkImageFiles(files, 'split val')).rejects.toThrow(
    '3 of 33 files of split val cannot be read as images (decoded before training):\n' +
      `  ${at('empty.png')}: the file is empty\n` +
      `  ${at('text.png')}: Input file contains unsupported image format\n` +
      `  ${at('truncated.png')}: png image data does not decode: truncated or corrupt (`,
  );
  await expect(checkImageFiles(files, 'split val', { depth: 'header', listLimit: 1 })).rejects.toThrow(
    `2 of 33 files of split val cannot be read as images (header read before training):\n` +
      `  ${at('empty.png')}: the file is empty\n  ... and 1 more\n`,
  );
});

it('prints progress while it runs', async () => {
  const lines: string[] = [];
  const files = Array.from({ length: 30 }, (_, i) => at(`ok${i}.png`));
  await checkImageFiles(files, 'fold 0', { log: (l) => lines.push(l), progressSeconds: 0, concurrency: 1 });
  expect(lines).toHaveLength(30);
  expect(lines[29]).toBe('checking fold 0: 30/30 images decoded, 0 unreadable');
});
