import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { register as registerImageFolder } from './image-folder';
import { register as registerSplit } from './split';

const SAMPLE = path.join(__dirname, '..', '..', '..', 'packages', 'common', 'data', 'fashion-mnist-sample');

describe('tools image-folder and tools split', () => {
  let tmp: string;
  let out: string[];
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerImageFolder(program);
    registerSplit(program);
    await program.parseAsync(args, { from: 'user' });
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-split-'));
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    jest.spyOn(console, 'warn').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('exports Fashion-MNIST as PNG class folders, then splits them (snake_case and kebab-case flags)', async () => {
    const data = path.join(tmp, 'fashion');
    await run('image-folder', 'fashion-mnist', '--from', SAMPLE, '--out', data, '--per_class', '8', '--split', 'test');
    expect(out).toContain(
      "folder names made file-system safe: 'T-shirt/top' -> T-shirt_top, 'Ankle boot' -> Ankle_boot",
    );
    expect(fs.readdirSync(path.join(data, 'raw')).sort()).toEqual([
      'Ankle_boot',
      'Bag',
      'Coat',
      'Dress',
      'Pullover',
      'Sandal',
      'Shirt',
      'Sneaker',
      'T-shirt_top',
      'Trouser',
    ]);
    await run('split', '--raw_data', path.join(data, 'raw'), '--folds', '3', '--test_ratio', '0.25', '--seed', '1');
    expect(out).toContain('80 images in 10 classes: test 20, validation per fold 20 / 20 / 20');
    expect(fs.readdirSync(path.join(data, 'splits')).sort()).toEqual([
      'fold_0_train.txt',
      'fold_0_val.txt',
      'fold_1_train.txt',
      'fold_1_val.txt',
      'fold_2_train.txt',
      'fold_2_val.txt',
      'split_info.json',
      'test.txt',
    ]);
    const val = fs.readFileSync(path.join(data, 'splits', 'fold_1_val.txt'), 'utf8');
    fs.writeFileSync(path.join(data, 'raw', 'Bag', 'broken.png'), 'xx');
    await run(
      'split',
      '--raw-data',
      path.join(data, 'raw'),
      '--folds',
      '3',
      '--test-ratio',
      '0.25',
      '--seed',
      '1',
      '--force',
    );
    expect(out.some((l) => /^left out raw\/Bag\/broken\.png: cannot be decoded/.test(l))).toBe(true);
    expect(fs.readFileSync(path.join(data, 'splits', 'fold_1_val.txt'), 'utf8')).toBe(val);
  });

  it('rejects bad flags with the flag and value', async () => {
    await expect(run('split', '--folds', '3')).rejects.toThrow('--raw_data <data_dir>/raw is required');
    await expect(run('split', '--raw_data', tmp, '--folds', '1')).rejects.toThrow(
      "--folds: expected an integer >= 2, got '1'",
    );
    await expect(run('split', '--raw_data', tmp, '--test_ratio', 'x')).rejects.toThrow(
      "--test_ratio: expected a number in [0, 1), got 'x'",
    );
    await expect(run('image-folder', 'cifar', '--out', tmp)).rejects.toThrow("unknown dataset 'cifar'");
    await expect(
      run('image-folder', 'fashion-mnist', '--from', SAMPLE, '--out', tmp, '--per-class', '0'),
    ).rejects.toThrow("--per-class: expected a positive integer, got '0'");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
