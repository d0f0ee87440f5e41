import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureSymlink, importDataset, linkAsset } from './links';
import { datasetsDir } from '../io/paths';

describe('asset links', () => {
  let tmp: string;
  let source: string;
  const saved = process.env.RESEARCH_ASSETS_DIR;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
    process.env.RESEARCH_ASSETS_DIR = path.join(tmp, 'assets');
    source = path.join(tmp, 'shared', 'fashion-mnist');
    fs.mkdirSync(source, { recursive: true });
    for (const f of ['train-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
      fs.writeFileSync(path.join(source, f), f);
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (saved === undefined) delete process.env.RESEARCH_ASSETS_DIR;
    else process.env.RESEARCH_ASSETS_DIR = saved;
  });

  it('imports a local folder as a symlink by default, idempotently', () => {
    const r = importDataset({ name: 'fashion-mnist', from: source });
    expect(r).toMatchObject({ dir: datasetsDir('fashion-mnist'), mode: 'symlink', status: 'created' });
    expect(r.files).toEqual(['t10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz']);
    expect(fs.lstatSync(r.dir).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(r.dir)).toBe(fs.realpathSync(source));
    expect(fs.readFileSync(path.join(r.dir, 'train-images-idx3-ubyte.gz'), 'utf8')).toBe('train-images-idx3-ubyte.gz');
    expect(importDataset({ name: 'fashion-mnist', from: source }).status).toBe('unchanged');
  });

  it('copies with copy: true and refuses to overwrite an existing folder', () => {
    const r = importDataset({ name: 'fmnist-copy', from: source, copy: true });
    expect(r.status).toBe('copied');
    expect(fs.lstatSync(r.dir).isDirectory()).toBe(true);
    expect(fs.readdirSync(r.dir).sort()).toEqual(['t10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz']);
    expect(() => importDataset({ name: 'fmnist-copy', from: source, copy: true })).toThrow(
      /already exists: remove it first/,
    );
    expect(() => importDataset({ name: 'fmnist-copy', from: source })).toThrow(
      /exists and is not a symlink: refusing to replace it/,
    );
    expect(() => importDataset({ name: 'x', from: path.join(tmp, 'nope') })).toThrow(/nope is not a directory/);
  });

  it('links a dataset into a folder, replaces a stale link, and never replaces a real directory', () => {
    importDataset({ name: 'fashion-mnist', from: source });
    const into = path.join(tmp, 'paper', 'data');
    const r = linkAsset({ dataset: 'fashion-mnist', into });
    expect(r.status).toBe('created');
    expect(r.link).toBe(path.join(into, 'fashion-mnist'));
    expect(fs.readdirSync(r.link).sort()).toEqual(['t10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz']);
    expect(linkAsset({ dataset: 'fashion-mnist', into }).status).toBe('unchanged');

    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    expect(ensureSymlink(r.link, other).status).toBe('replaced');
    expect(fs.realpathSync(r.link)).toBe(fs.realpathSync(other));

    const real = path.join(tmp, 'paper2', 'data', 'fashion-mnist');
    fs.mkdirSync(real, { recursive: true });
    fs.writeFileSync(path.join(real, 'keep.txt'), 'mine');
    expect(() => linkAsset({ dataset: 'fashion-mnist', into: path.dirname(real) })).toThrow(
      /exists and is not a symlink/,
    );
    expect(fs.readFileSync(path.join(real, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('explains how to get a dataset that is missing', () => {
    expect(() => linkAsset({ dataset: 'cifar10', into: tmp })).toThrow(
      /dataset "cifar10" is not in .*download-hf-dataset.*import-dataset/,
    );
  });
});
