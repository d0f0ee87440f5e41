// The cost of the image pre-pass (checkImageFiles) before a run trains: header-only vs full decode of 6,000 PNGs
// (Fashion-MNIST-sized 28x28 grey and 64x64 RGB), to choose the default. Run: npx tsx packages/common/scripts/bench-image-check.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { checkImageFiles } from '../src/data';

const COUNT = 6000;

async function makeImages(dir: string, side: number, channels: 1 | 3): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const pixels = Buffer.alloc(side * side * channels);
    for (let j = 0; j < pixels.length; j++) pixels[j] = (i * 31 + j * 7) & 255;
    const file = path.join(dir, `${i}.png`);
    await sharp(pixels, { raw: { width: side, height: side, channels } })
      .png()
      .toFile(file);
    files.push(file);
  }
  return files;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-image-check-'));
  try {
    for (const [side, channels] of [
      [28, 1],
      [64, 3],
    ] as const) {
      const files = await makeImages(path.join(tmp, `${side}x${channels}`), side, channels);
      for (const depth of ['header', 'full'] as const) {
        const t = performance.now();
        await checkImageFiles(files, 'bench', { depth });
        const s = (performance.now() - t) / 1000;
        console.log(
          `${COUNT} PNGs ${side}x${side}x${channels}, ${depth}: ${s.toFixed(2)} s (${(COUNT / s).toFixed(0)} files/s)`,
        );
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
