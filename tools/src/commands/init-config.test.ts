import { loadFrameworkConfig } from '@research/common';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { register as registerImageFolder } from './image-folder';
import { register as registerInitConfig } from './init-config';

const SAMPLE = path.join(__dirname, '..', '..', '..', 'packages', 'common', 'data', 'fashion-mnist-sample');

describe('tools init-config', () => {
  let tmp: string;
  let cwd: string;
  let out: string[];
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerImageFolder(program);
    registerInitConfig(program);
    await program.parseAsync(args, { from: 'user' });
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-init-config-'));
    cwd = process.cwd();
    process.chdir(tmp);
  });
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes configs/<dataset>_config.yaml that loads, refuses to overwrite without --force, and adds search with --optuna', async () => {
    await run(
      'image-folder',
      'fashion-mnist',
      '--from',
      SAMPLE,
      '--out',
      'fmnist',
      '--per-class',
      '6',
      '--split',
      'train',
    );
    await run('init-config', 'fmnist');
    const file = path.join('configs', 'fmnist_config.yaml');
    expect(out.at(-1)).toMatch(
      /^wrote configs\/fmnist_config\.yaml: 10 classes, 28x28x1, mean \[0\.\d+\], std \[0\.\d+\] \(60 of the 60 images of raw\//,
    );
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Framework config for fmnist, written by `tools init-config fmnist`\./);
    const config = loadFrameworkConfig(file);
    expect(config.data.class_names).toHaveLength(10);
    expect(config.search).toBeNull();

    await expect(run('init-config', 'fmnist', '--optuna')).rejects.toThrow(
      'configs/fmnist_config.yaml already exists; pass --force to overwrite it',
    );
    await run('init-config', 'fmnist', '--optuna', '--force');
    expect(loadFrameworkConfig(file).search?.n_trials).toBe(20);
    await run('init-config', 'fmnist', '--output', 'other.yaml', '--max_images', '10');
    expect(out.at(-1)).toMatch(/\(10 of the 60 images/);
  });

  it('fails clearly on a folder without raw/ or bad flags, writing nothing', async () => {
    fs.mkdirSync('empty');
    await expect(run('init-config', 'empty', '--output', 'e.yaml')).rejects.toThrow(/empty\/raw is not a directory/);
    await expect(run('init-config', 'fmnist', '--output', 'e.yaml', '--max-images', '0')).rejects.toThrow(
      "--max-images: expected a positive integer, got '0'",
    );
    expect(fs.existsSync('e.yaml')).toBe(false);
  });
});
