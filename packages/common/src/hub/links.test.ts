import { spawn } from 'node:child_process';
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
    expect(importDataset({ name: 'fmnist-copy', from: source, copy: true }).status).toBe('already imported');
    fs.writeFileSync(path.join(source, 't10k-labels-idx1-ubyte.gz'), 'changed');
    expect(() => importDataset({ name: 'fmnist-copy', from: source, copy: true })).toThrow(
      /fmnist-copy already exists with other content: remove it first/,
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

  it('copies links inside the folder as links and refuses, by name, links that leave it, dangle or loop', () => {
    fs.mkdirSync(path.join(source, 'raw'));
    fs.writeFileSync(path.join(source, 'raw', 'a.png'), 'png');
    fs.symlinkSync('../train-images-idx3-ubyte.gz', path.join(source, 'raw', 'train.gz'));
    fs.symlinkSync(path.join(source, 'raw'), path.join(source, 'raw-abs')); // absolute, but inside
    const r = importDataset({ name: 'linked', from: source, copy: true });
    expect(r.files).toEqual([
      'raw-abs',
      'raw/a.png',
      'raw/train.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
    ]);
    // Relative links into the copy itself, not back into the source.
    expect(fs.readlinkSync(path.join(r.dir, 'raw', 'train.gz'))).toBe('../train-images-idx3-ubyte.gz');
    expect(fs.readlinkSync(path.join(r.dir, 'raw-abs'))).toBe('raw');
    expect(fs.readFileSync(path.join(r.dir, 'raw-abs', 'train.gz'), 'utf8')).toBe('train-images-idx3-ubyte.gz');

    const outside = path.join(tmp, 'secret');
    fs.writeFileSync(outside, 'not part of the dataset');
    fs.symlinkSync(outside, path.join(source, 'escape'));
    fs.symlinkSync('missing.gz', path.join(source, 'dangling'));
    fs.symlinkSync('loop-b', path.join(source, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(source, 'loop-b'));
    let message = '';
    try {
      importDataset({ name: 'escaping', from: source, copy: true });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('4 link(s) cannot be copied');
    expect(message).toContain(`escape -> ${outside}: the link leaves ${source}`);
    expect(message).toContain('dangling -> missing.gz: the link points at nothing (dangling)');
    expect(message).toContain('loop-a -> loop-b: the link loops');
    expect(fs.existsSync(datasetsDir('escaping'))).toBe(false);
    expect(fs.readdirSync(path.dirname(datasetsDir('escaping')))).toEqual(['linked']); // no temporary copy left
  });

  it('parallel --copy imports of one folder: one copies, the others report it already imported', async () => {
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(source, `f${i}.bin`), Buffer.alloc(20_000, i));
    const go = path.join(tmp, 'go');
    const script =
      `const fs = require('node:fs'); while (!fs.existsSync(${JSON.stringify(go)})) {} ` +
      `try { const r = require('./packages/common/src/hub/links').importDataset({ name: 'race', ` +
      `from: ${JSON.stringify(source)}, copy: true }); console.log(r.status); } ` +
      'catch (err) { console.log(`error: ${err.message}`); process.exitCode = 1; }';
    const children = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
        cwd: path.resolve(__dirname, '../../../..'),
        env: process.env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<string>((resolve) => child.on('exit', (code) => resolve(`${code} ${out.trim()}`)));
    });
    await new Promise((r) => setTimeout(r, 3000)); // every child started and is waiting
    fs.writeFileSync(go, '');
    const results = (await Promise.all(children)).sort();
    expect(results).toEqual(['0 already imported', '0 already imported', '0 already imported', '0 copied']);
    expect(fs.readdirSync(path.dirname(datasetsDir('race')))).toEqual(['race']);
    expect(fs.readdirSync(datasetsDir('race'))).toHaveLength(402);
  }, 30_000);

  it('a dangling or looping dataset link is named, not taken for a missing dataset', () => {
    fs.mkdirSync(datasetsDir(), { recursive: true });
    fs.symlinkSync(path.join(tmp, 'moved-away'), datasetsDir('gone'));
    expect(() => linkAsset({ dataset: 'gone', into: tmp })).toThrow(
      `dataset "gone": ${datasetsDir('gone')} is a link to ${path.join(tmp, 'moved-away')}, but it points at nothing ` +
        '(dangling): import it again (`npx tools import-dataset gone --from <dir>`) or remove the link',
    );
    fs.symlinkSync('looped', datasetsDir('looped'));
    expect(() => linkAsset({ dataset: 'looped', into: tmp })).toThrow(
      `${datasetsDir('looped')} is a link to looped, but the link loops`,
    );
  });

  it('explains how to get a dataset that is missing', () => {
    expect(() => linkAsset({ dataset: 'cifar10', into: tmp })).toThrow(
      /dataset "cifar10" is not in .*download-hf-dataset.*import-dataset/,
    );
  });
});
