import { datasetsDir } from '@research/common';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { register } from './assets';

describe('import-dataset / link-asset', () => {
  let tmp: string;
  let out: string[];
  const saved = process.env.RESEARCH_ASSETS_DIR;
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(args, { from: 'user' });
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-assets-'));
    process.env.RESEARCH_ASSETS_DIR = path.join(tmp, 'assets');
    fs.mkdirSync(path.join(tmp, 'src'));
    fs.writeFileSync(path.join(tmp, 'src', 'train-images-idx3-ubyte.gz'), 'x');
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
    if (saved === undefined) delete process.env.RESEARCH_ASSETS_DIR;
    else process.env.RESEARCH_ASSETS_DIR = saved;
  });

  it('imports as a symlink, then links into a paper folder', async () => {
    await run('import-dataset', 'fashion-mnist', '--from', path.join(tmp, 'src'));
    expect(out).toEqual([
      `${datasetsDir('fashion-mnist')} -> ${path.join(tmp, 'src')} (symlink, created), 1 file(s):`,
      '  train-images-idx3-ubyte.gz',
    ]);
    expect(fs.lstatSync(datasetsDir('fashion-mnist')).isSymbolicLink()).toBe(true);

    await run('link-asset', '--dataset', 'fashion-mnist', '--into', path.join(tmp, 'paper/data'));
    expect(out[2]).toBe(`${path.join(tmp, 'paper/data/fashion-mnist')} -> ${datasetsDir('fashion-mnist')} (created)`);
    expect(fs.readdirSync(path.join(tmp, 'paper/data/fashion-mnist'))).toEqual(['train-images-idx3-ubyte.gz']);
  });

  it('copies with --copy', async () => {
    await run('import-dataset', 'fm', '--from', path.join(tmp, 'src'), '--copy');
    expect(out[0]).toMatch(/\(copy, copied\), 1 file\(s\):$/);
    expect(fs.lstatSync(datasetsDir('fm')).isDirectory()).toBe(true);
  });

  it('refuses to link over a real directory', async () => {
    await run('import-dataset', 'fm', '--from', path.join(tmp, 'src'));
    fs.mkdirSync(path.join(tmp, 'paper/data/fm'), { recursive: true });
    await expect(run('link-asset', '--dataset', 'fm', '--into', path.join(tmp, 'paper/data'))).rejects.toThrow(
      /is not a symlink: refusing/,
    );
  });
});
