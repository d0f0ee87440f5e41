// Figures for the Hub path on the full Fashion-MNIST training set (60k images): writes it as a Hub-layout parquet file
// (PNG bytes + label, like zalando-datasets/fashion_mnist), serves it from the fake Hub, downloads it (sha256 checked),
// decodes it into an ImageDataset (checked against the IDX original), then reads it again through the IDX cache.
// Run: npx tsx packages/common/scripts/bench-parquet.ts [dir with train-*-idx*-ubyte.gz]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { readIdxImageFolder } from '../src/data/datasets';
import { findParquetSplitFiles, readParquetImageDataset } from '../src/data/parquet';
import { downloadDataset } from '../src/hub/download';
import { requireEsm } from '../src/io/esm-require';
import { formatBytes } from '../src/hub/progress';
import { fakeRepo, startFakeHub } from '../src/testing/fake-hub';

const source = process.argv[2] ?? path.resolve(__dirname, '../../../../shared/datasets/fashion-mnist');
const { parquetWriteBuffer } = requireEsm<{ parquetWriteBuffer(o: Record<string, unknown>): ArrayBuffer }>(
  'hyparquet-writer',
);

async function timed<T>(label: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

async function main(): Promise<void> {
  const original = readIdxImageFolder(source, 'train');
  const parquet = await timed(`encode ${original.length} PNG rows into parquet`, () => {
    const images = Array.from({ length: original.length }, (_, i) => {
      const png = new PNG({ width: 28, height: 28 });
      const px = original.image(i);
      for (let p = 0; p < 784; p++) png.data.fill(px[p], p * 4, p * 4 + 3).fill(255, p * 4 + 3, p * 4 + 4);
      return { bytes: new Uint8Array(PNG.sync.write(png, { colorType: 0 })), path: null };
    });
    return Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'image', data: images },
          { name: 'label', data: Array.from(original.labels, (l) => BigInt(l)) },
        ],
        schema: [
          { name: 'schema', num_children: 2 },
          { name: 'image', num_children: 2, repetition_type: 'OPTIONAL' },
          { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
          { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
        ],
      }),
    );
  });
  console.log(`parquet file: ${formatBytes(parquet.length)}`);

  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hub-'));
  process.env.RESEARCH_ASSETS_DIR = assets;
  const hub = await startFakeHub([
    fakeRepo('dataset', 'bench/fashion_mnist', { 'fashion_mnist/train-00000-of-00001.parquet': parquet }),
  ]);
  try {
    const r = await timed('download from the local fake Hub (incl. sha256 check)', () =>
      downloadDataset({ name: 'bench/fashion_mnist', split: 'train', hubUrl: hub.url, progress: false }),
    );
    await timed('second run (nothing to download)', () =>
      downloadDataset({ name: 'bench/fashion_mnist', split: 'train', hubUrl: hub.url, progress: false }),
    );
    const files = findParquetSplitFiles(r.dir, 'train');
    const decoded = await timed('decode parquet + 60k PNGs into an ImageDataset (writes the IDX cache)', () =>
      readParquetImageDataset(files, { cache: true }),
    );
    const same =
      decoded.length === original.length &&
      decoded.images.every((v, i) => v === original.images[i]) &&
      decoded.labels.every((v, i) => v === original.labels[i]);
    console.log(`pixels and labels equal to the IDX original: ${same}`);
    await timed('read again through the IDX cache', () => readParquetImageDataset(files, { cache: true }));
  } finally {
    await hub.close();
    fs.rmSync(assets, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
