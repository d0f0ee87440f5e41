import { loadFashionMnist, requireEsm } from '@research/common';
import { fakeRepo, startFakeHub, type FakeHub } from '@research/common/testing';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { register } from './hub';

const { parquetWriteBuffer } = requireEsm<{ parquetWriteBuffer(o: Record<string, unknown>): ArrayBuffer }>(
  'hyparquet-writer',
);

/** A Hub-layout parquet file of 28x28 greyscale PNGs whose pixels are (k + i) % 256 for image k, and labels k % 10. */
function mnistLikeParquet(n: number, seed: number): Buffer {
  const images = Array.from({ length: n }, (_, k) => {
    const png = new PNG({ width: 28, height: 28 });
    for (let i = 0; i < 784; i++) png.data.fill((k + i + seed) % 256, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4);
    return { bytes: new Uint8Array(PNG.sync.write(png, { colorType: 0 })), path: null };
  });
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'image', data: images },
        { name: 'label', data: Array.from({ length: n }, (_, k) => BigInt(k % 10)) },
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
}

describe('download-hf-dataset / download-hf-model', () => {
  let hub: FakeHub;
  let assets: string;
  let out: string[];
  const saved = { ...process.env };

  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(args, { from: 'user' });
  };

  beforeAll(async () => {
    hub = await startFakeHub([
      fakeRepo('dataset', 'acme/fashion_mnist', {
        'README.md': Buffer.from('# card\n'),
        'fashion_mnist/train-00000-of-00001.parquet': mnistLikeParquet(12, 0),
        'fashion_mnist/test-00000-of-00001.parquet': mnistLikeParquet(5, 100),
      }),
      fakeRepo('model', 'acme/net', { 'model.safetensors': Buffer.alloc(300, 7), 'config.json': Buffer.from('{}') }),
      // A repo whose train file was uploaded cut short: the download is faithful, the conversion must fail by name.
      fakeRepo('dataset', 'acme/truncated', {
        'data/train-00000-of-00001.parquet': (() => {
          const whole = mnistLikeParquet(12, 0);
          return whole.subarray(0, whole.length - 40);
        })(),
      }),
    ]);
  });
  afterAll(() => hub.close());
  beforeEach(() => {
    assets = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-hub-'));
    process.env.RESEARCH_ASSETS_DIR = assets;
    delete process.env.HF_ENDPOINT;
    delete process.env.HF_TOKEN;
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(assets, { recursive: true, force: true });
    process.env = { ...saved };
  });

  it('downloads a parquet dataset under a local name, writes IDX files the Fashion-MNIST loader reads, and is idempotent', async () => {
    await run(
      'download-hf-dataset',
      '--name',
      'acme/fashion_mnist',
      '--as',
      'fashion-mnist',
      '--to-idx',
      '--hub-url',
      hub.url,
      '--quiet',
    );
    expect(out[0]).toMatch(
      /^dataset "acme\/fashion_mnist" at [0-9a-f]{12} -> .*fashion-mnist: 3 file\(s\) downloaded .*, 0 already up to date$/,
    );
    expect(out[1]).toMatch(/^train: 12 images \[28,28,1\] -> .*train-images-idx3-ubyte.gz/);
    expect(out[2]).toMatch(/^test: 5 images \[28,28,1\] -> .*t10k-images-idx3-ubyte.gz/);

    const { dataset, source } = loadFashionMnist({ split: 'test' });
    expect(source).toBe('full');
    expect(dataset.length).toBe(5);
    expect(Array.from(dataset.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(dataset.image(3)[10]).toBe((3 + 10 + 100) % 256);

    out.length = 0;
    await run(
      'download-hf-dataset',
      '--name',
      'acme/fashion_mnist',
      '--as',
      'fashion-mnist',
      '--hub-url',
      hub.url,
      '--quiet',
    );
    expect(out[0]).toMatch(/nothing to download, 3 already up to date$/);
  });

  it('downloads one split and one model file from the mirror in HF_ENDPOINT', async () => {
    process.env.HF_ENDPOINT = hub.url;
    await run('download-hf-dataset', '--name', 'acme/fashion_mnist', '--split', 'test', '--quiet');
    expect(fs.readdirSync(path.join(assets, 'datasets/acme/fashion_mnist/fashion_mnist'))).toEqual([
      'test-00000-of-00001.parquet',
    ]);
    await run('download-hf-model', '--repo-id', 'acme/net', '--filename', 'model.safetensors', '--quiet');
    expect(out[1]).toMatch(
      /^model "acme\/net" at [0-9a-f]{12} -> .*models\/acme\/net: 1 file\(s\) downloaded \(300 B\)/,
    );
    expect(fs.readFileSync(path.join(assets, 'models/acme/net/model.safetensors')).equals(Buffer.alloc(300, 7))).toBe(
      true,
    );
  });

  it('--to-idx on a truncated parquet file fails, naming the file', async () => {
    const run2 = run('download-hf-dataset', '--name', 'acme/truncated', '--to-idx', '--hub-url', hub.url, '--quiet');
    await expect(run2).rejects.toThrow(
      /train-00000-of-00001\.parquet: not a readable parquet file .*truncated download\?/,
    );
    expect(fs.readdirSync(path.join(assets, 'datasets/acme/truncated/data'))).toEqual(['train-00000-of-00001.parquet']); // no IDX written
  });

  it('fails with the Hub error naming the repo', async () => {
    await expect(
      run('download-hf-model', '--repo-id', 'acme/missing', '--hub-url', hub.url, '--quiet'),
    ).rejects.toThrow(/not found \(HTTP 404\): model "acme\/missing" at revision "main"/);
  });
});
