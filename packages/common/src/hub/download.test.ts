import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadDataset, downloadModel } from './download';
import { checkContent } from './fetch-file';
import { MANIFEST_NAME, readManifest } from './manifest';
import { datasetsDir, modelsDir } from '../io/paths';
import { fakeRepo, pushFakeCommit, startFakeHub, type FakeHub, type FakeRepo } from '../testing/fake-hub';

/** Pseudo-random bytes, different per seed (so that hashes differ). */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const TRAIN = bytes(5000, 1);
const TEST = bytes(3000, 2);
const CARD = Buffer.from('---\nlicense: mit\n---\n# tiny\n');

describe('Hub downloads against a local fake Hub', () => {
  let hub: FakeHub;
  let dataset: FakeRepo;
  let model: FakeRepo;
  let privateModel: FakeRepo;
  let assets: string;
  const saved = { ...process.env };
  const quiet = { progress: false as const, retryDelayMs: 1 };

  beforeEach(async () => {
    assets = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-test-'));
    process.env.RESEARCH_ASSETS_DIR = assets;
    delete process.env.HF_ENDPOINT;
    delete process.env.HF_TOKEN;
    delete process.env.HUGGING_FACE_HUB_TOKEN;
    dataset = fakeRepo('dataset', 'acme/fmnist', {
      'README.md': CARD,
      'fashion_mnist/train-00000-of-00001.parquet': TRAIN,
      'fashion_mnist/test-00000-of-00001.parquet': TEST,
    });
    model = fakeRepo('model', 'acme/tiny-net', {
      'config.json': Buffer.from('{"hidden": 4}'),
      'model.safetensors': bytes(4096, 3),
      'onnx/model.onnx': bytes(1000, 4),
    });
    privateModel = fakeRepo('model', 'acme/secret', { 'weights.bin': bytes(500, 5) }, { private: true });
    hub = await startFakeHub([dataset, model, privateModel], { token: 'hf_good' });
  });
  afterEach(async () => {
    await hub.close();
    fs.rmSync(assets, { recursive: true, force: true });
    process.env = { ...saved };
  });

  const downloads = () => hub.requests.filter((r) => r.path.includes('/resolve/') || r.path.startsWith('/cdn/'));

  it('downloads the parquet files of one split (and the card) into assets/datasets/<name>', async () => {
    const r = await downloadDataset({ name: 'acme/fmnist', split: 'train', hubUrl: hub.url, ...quiet });
    const dir = datasetsDir('acme/fmnist');
    expect(r.dir).toBe(dir);
    expect(dir).toBe(path.join(assets, 'datasets', 'acme', 'fmnist'));
    expect(r.downloaded.sort()).toEqual(['README.md', 'fashion_mnist/train-00000-of-00001.parquet']);
    expect(r.bytes).toBe(TRAIN.length + CARD.length);
    expect(fs.readFileSync(path.join(dir, 'fashion_mnist/train-00000-of-00001.parquet')).equals(TRAIN)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'fashion_mnist/test-00000-of-00001.parquet'))).toBe(false);
    const manifest = readManifest(dir)!;
    expect(manifest.commit).toBe(dataset.refs.main);
    expect(manifest.files['fashion_mnist/train-00000-of-00001.parquet'].sha256).toBe(sha256(TRAIN));
    expect(manifest.files['fashion_mnist/train-00000-of-00001.parquet'].etag).toBe(`"${sha256(TRAIN)}"`);
  });

  it('downloads nothing on a second run, and only what changed after a new commit', async () => {
    await downloadDataset({ name: 'acme/fmnist', hubUrl: hub.url, ...quiet });
    const before = downloads().length;
    expect(before).toBeGreaterThan(0);

    const again = await downloadDataset({ name: 'acme/fmnist', hubUrl: hub.url, ...quiet });
    expect(again.downloaded).toEqual([]);
    expect(again.upToDate).toHaveLength(3);
    expect(downloads()).toHaveLength(before);

    const newTest = bytes(3000, 9);
    pushFakeCommit(dataset, {
      ...dataset.commits[dataset.refs.main],
      'fashion_mnist/test-00000-of-00001.parquet': newTest,
    });
    const updated = await downloadDataset({ name: 'acme/fmnist', hubUrl: hub.url, ...quiet });
    expect(updated.downloaded).toEqual(['fashion_mnist/test-00000-of-00001.parquet']);
    expect(updated.commit).toBe(dataset.refs.main);
    expect(
      fs
        .readFileSync(path.join(datasetsDir('acme/fmnist'), 'fashion_mnist/test-00000-of-00001.parquet'))
        .equals(newTest),
    ).toBe(true);
  });

  it('fetches an older revision by commit or by a ref with slashes, and records it', async () => {
    const first = dataset.refs.main;
    pushFakeCommit(dataset, { ...dataset.commits[first], 'README.md': Buffer.from('# v2\n') });
    const r = await downloadDataset({ name: 'acme/fmnist', revision: first, hubUrl: hub.url, ...quiet });
    expect(r.commit).toBe(first);
    expect(fs.readFileSync(path.join(r.dir, 'README.md')).equals(CARD)).toBe(true);
    expect(readManifest(r.dir)!.revision).toBe(first);

    dataset.refs['refs/convert/parquet'] = first; // where the Hub keeps the parquet conversion of other formats
    const byRef = await downloadDataset({
      name: 'acme/fmnist',
      localName: 'by-ref',
      revision: 'refs/convert/parquet',
      hubUrl: hub.url,
      ...quiet,
    });
    expect(byRef.commit).toBe(first);
    expect(
      hub.requests.some((q) => q.path.startsWith('/api/datasets/acme/fmnist/revision/refs%2Fconvert%2Fparquet')),
    ).toBe(true);
  });

  it('keeps files already present when their hash matches, and replaces those that differ', async () => {
    const dir = modelsDir('acme/tiny-net');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.safetensors'), model.commits[model.refs.main]['model.safetensors']);
    fs.writeFileSync(path.join(dir, 'config.json'), Buffer.from('{"hidden": 5}')); // same size, other content
    const r = await downloadModel({ repoId: 'acme/tiny-net', hubUrl: hub.url, ...quiet });
    expect(r.upToDate).toEqual(['model.safetensors']);
    expect(r.downloaded.sort()).toEqual(['config.json', 'onnx/model.onnx']);
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{"hidden": 4}');
  });

  it('downloads a single model file found with paths-info', async () => {
    const r = await downloadModel({ repoId: 'acme/tiny-net', filename: 'onnx/model.onnx', hubUrl: hub.url, ...quiet });
    expect(r.downloaded).toEqual(['onnx/model.onnx']);
    expect(fs.readdirSync(r.dir).sort()).toEqual([MANIFEST_NAME, 'onnx']);
    expect(hub.requests.some((q) => q.path === '/api/models/acme/tiny-net/paths-info/' + model.refs.main)).toBe(true);
  });

  it('selects the mirror from HF_ENDPOINT', async () => {
    process.env.HF_ENDPOINT = `${hub.url}/`;
    const r = await downloadModel({ repoId: 'acme/tiny-net', filename: 'config.json', ...quiet });
    expect(r.downloaded).toEqual(['config.json']);
    expect(readManifest(r.dir)!.hubUrl).toBe(hub.url);
  });

  it('reaches a private repo with HF_TOKEN and explains a 401 without it', async () => {
    await expect(downloadModel({ repoId: 'acme/secret', hubUrl: hub.url, ...quiet })).rejects.toThrow(
      /access denied \(HTTP 401\) to model "acme\/secret".*set HF_TOKEN/,
    );
    await expect(downloadModel({ repoId: 'acme/secret', hubUrl: hub.url, token: 'hf_bad', ...quiet })).rejects.toThrow(
      /token in HF_TOKEN was refused/,
    );
    process.env.HF_TOKEN = 'hf_good';
    const r = await downloadModel({ repoId: 'acme/secret', hubUrl: hub.url, ...quiet });
    expect(r.downloaded).toEqual(['weights.bin']);
    expect(downloads().every((q) => q.authorization === 'Bearer hf_good')).toBe(true);
  });

  it('names the repo, revision or file that is not found', async () => {
    await expect(downloadDataset({ name: 'acme/nope', hubUrl: hub.url, ...quiet })).rejects.toThrow(
      /not found \(HTTP 404\): dataset "acme\/nope" at revision "main"/,
    );
    await expect(downloadDataset({ name: 'acme/fmnist', revision: 'v9', hubUrl: hub.url, ...quiet })).rejects.toThrow(
      /dataset "acme\/fmnist" at revision "v9"/,
    );
    await expect(
      downloadModel({ repoId: 'acme/tiny-net', filename: 'nope.bin', hubUrl: hub.url, ...quiet }),
    ).rejects.toThrow(/file "nope.bin" in model "acme\/tiny-net"/);
    await expect(
      downloadDataset({ name: 'acme/fmnist', split: 'validation', hubUrl: hub.url, ...quiet }),
    ).rejects.toThrow(
      /no parquet files for split "validation"; available \(config\/split\): fashion_mnist\/test, fashion_mnist\/train/,
    );
  });

  it('reports a network failure with the repo and the reason', async () => {
    const closed = await startFakeHub([]);
    const url = closed.url;
    await closed.close();
    await expect(downloadModel({ repoId: 'acme/tiny-net', hubUrl: url, ...quiet })).rejects.toThrow(
      new RegExp(`network error while fetching model "acme/tiny-net" from ${url}: .*ECONNREFUSED`),
    );
  });

  it('continues a transfer cut in the middle on the next run, with a Range request, and checks the sha256', async () => {
    const file = 'fashion_mnist/train-00000-of-00001.parquet';
    const dest = path.join(datasetsDir('acme/fmnist'), file);
    hub.cutTransfer(file, 1234);
    await expect(
      downloadDataset({ name: 'acme/fmnist', split: 'train', hubUrl: hub.url, retries: 0, ...quiet }),
    ).rejects.toThrow(
      /transfer of file "fashion_mnist\/train-00000-of-00001.parquet" of dataset "acme\/fmnist" broke off at 1234 of 5000 bytes.*run the same command again/,
    );
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.readFileSync(`${dest}.part`).equals(TRAIN.subarray(0, 1234))).toBe(true);

    const r = await downloadDataset({ name: 'acme/fmnist', split: 'train', hubUrl: hub.url, retries: 0, ...quiet });
    expect(r.downloaded).toContain(file);
    expect(downloads().some((q) => q.range === 'bytes=1234-')).toBe(true);
    expect(sha256(fs.readFileSync(dest))).toBe(sha256(TRAIN));
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
  });

  it('resumes within the same call when retries are allowed', async () => {
    hub.cutTransfer('model.safetensors', 100, 2);
    const r = await downloadModel({
      repoId: 'acme/tiny-net',
      filename: 'model.safetensors',
      hubUrl: hub.url,
      retries: 2,
      ...quiet,
    });
    expect(r.downloaded).toEqual(['model.safetensors']);
    expect(downloads().filter((q) => q.range === 'bytes=100-' || q.range === 'bytes=200-')).toHaveLength(2);
    expect(
      fs
        .readFileSync(path.join(r.dir, 'model.safetensors'))
        .equals(model.commits[model.refs.main]['model.safetensors']),
    ).toBe(true);
  });

  it('starts over when the server ignores the Range request', async () => {
    const plain = await startFakeHub([model], { ignoreRange: true });
    try {
      const dir = modelsDir('acme/tiny-net');
      const content = model.commits[model.refs.main]['model.safetensors'];
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'model.safetensors.part'), content.subarray(0, 1000));
      const r = await downloadModel({
        repoId: 'acme/tiny-net',
        filename: 'model.safetensors',
        hubUrl: plain.url,
        ...quiet,
      });
      expect(r.downloaded).toEqual(['model.safetensors']);
      expect(plain.requests.some((q) => q.range === 'bytes=1000-')).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'model.safetensors')).equals(content)).toBe(true);
    } finally {
      await plain.close();
    }
  });

  it('never downloads into an imported (symlinked) dataset folder', async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-'));
    try {
      fs.mkdirSync(datasetsDir(), { recursive: true });
      fs.symlinkSync(shared, datasetsDir('fashion-mnist'));
      await expect(
        downloadDataset({ name: 'acme/fmnist', localName: 'fashion-mnist', hubUrl: hub.url, ...quiet }),
      ).rejects.toThrow(
        /fashion-mnist is a link to .*shared-.* \(imported, not downloaded\): choose another local name/,
      );
      expect(fs.readdirSync(shared)).toEqual([]);
    } finally {
      fs.rmSync(shared, { recursive: true, force: true });
    }
  });

  it('refuses repo ids and local names that are not plain names', async () => {
    await expect(downloadDataset({ name: '../etc', hubUrl: hub.url, ...quiet })).rejects.toThrow(
      'dataset "../etc" is not a valid name',
    );
    await expect(
      downloadDataset({ name: 'acme/fmnist', localName: 'a/../../b', hubUrl: hub.url, ...quiet }),
    ).rejects.toThrow('local dataset name "a/../../b" is not a valid name');
    await expect(downloadModel({ repoId: 'a/b/c', hubUrl: hub.url, ...quiet })).rejects.toThrow(
      'model repo id "a/b/c" is not a valid name',
    );
  });

  it('removes a resumed download whose hash is wrong and never leaves it under the final name', async () => {
    const dir = modelsDir('acme/tiny-net');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.safetensors.part'), bytes(2000, 77)); // a stale part of other content
    await expect(
      downloadModel({ repoId: 'acme/tiny-net', filename: 'model.safetensors', hubUrl: hub.url, ...quiet }),
    ).rejects.toThrow(
      /file "model.safetensors" of model "acme\/tiny-net" is corrupt after download \(sha256 [0-9a-f]{64}, expected/,
    );
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'model.safetensors.part'))).toBe(false);
    const r = await downloadModel({
      repoId: 'acme/tiny-net',
      filename: 'model.safetensors',
      hubUrl: hub.url,
      ...quiet,
    });
    expect(r.downloaded).toEqual(['model.safetensors']);
  });
});

describe('checkContent', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-check-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('checks the git blob sha1 of plain files and the sha256 of LFS files', async () => {
    const f = path.join(dir, 'a.txt');
    fs.writeFileSync(f, 'hello\n');
    // `printf 'hello\n' | git hash-object --stdin`
    const gitOid = 'ce013625030ba8dba906f756967f9e9ca394464a';
    expect(await checkContent(f, { path: 'a.txt', size: 6, oid: gitOid })).toBeUndefined();
    expect(await checkContent(f, { path: 'a.txt', size: 6, oid: gitOid.replace('c', 'd') })).toMatch(
      /git sha1 ce0136.*expected/,
    );
    const sha = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // sha256("hello\n")
    expect(await checkContent(f, { path: 'a.txt', size: 6, oid: sha, sha256: sha })).toBeUndefined();
    expect(await checkContent(f, { path: 'a.txt', size: 7, oid: sha, sha256: sha })).toBe('size 6, expected 7');
  });
});
