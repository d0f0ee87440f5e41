import { unseedEverything } from '@research/common';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { register as registerImageFolder } from './image-folder';
import { register as registerInitConfig } from './init-config';
import { register as registerLrFinder } from './lr-finder';
import { register as registerSplit } from './split';

const SAMPLE = path.join(__dirname, '..', '..', '..', 'packages', 'common', 'data', 'fashion-mnist-sample');

describe('tools lr-finder', () => {
  let tmp: string;
  let out: string[];
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    for (const register of [registerImageFolder, registerSplit, registerInitConfig, registerLrFinder])
      register(program);
    await program.parseAsync(args, { from: 'user' });
  };

  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-lr-finder-'))));
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    unseedEverything();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs image-folder -> split -> init-config -> lr-finder and leaves the report folder', async () => {
    const data = path.join(tmp, 'fmnist');
    const config = path.join(tmp, 'fmnist.yaml');
    await run('image-folder', 'fashion-mnist', '--from', SAMPLE, '--out', data, '--per-class', '8', '--split', 'test');
    await run('split', '--raw_data', path.join(data, 'raw'), '--folds', '2', '--test_ratio', '0.25');
    await run('init-config', data, '--output', config);
    const reports = path.join(tmp, 'reports');
    await run(
      'lr-finder',
      '--config',
      config,
      '--backend',
      'wasm',
      '--num_iter',
      '12',
      '--start-lr',
      '1e-5',
      '--end_lr',
      '1',
      '--fold',
      '1',
      '--output',
      reports,
      'data.batch_size=8',
      'augmentation.random_resized_crop.enabled=false',
    );
    expect(out.some((l) => l.startsWith('iter 12/12  lr 1.000e+0'))).toBe(true);
    expect(out.at(-2)).toMatch(/^suggested lr: |^no suggestion/);
    const [dir] = fs.readdirSync(reports);
    expect(dir).toMatch(/^lr_finder_\d{8}-\d{6}$/);
    expect(fs.readdirSync(path.join(reports, dir)).sort()).toEqual(['lr_finder.log', 'lr_plot.png', 'results.json']);
    const results = JSON.parse(fs.readFileSync(path.join(reports, dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({
      fold: 1,
      batch_size: 8,
      train_images: 30,
      dataset: 'fmnist',
      options: { numIter: 12, startLr: 1e-5 },
    });
    expect(results.history.lr).toHaveLength(12);
  });

  it('names the flag or config key that is wrong', async () => {
    await expect(run('lr-finder', '--config', path.join(tmp, 'none.yaml'))).rejects.toThrow(
      /config file .*none\.yaml does not exist/,
    );
    const config = path.join(tmp, 'fmnist.yaml');
    await expect(run('lr-finder', '--config', config, '--beta', '1')).rejects.toThrow(
      "--beta: expected a number in [0, 1), got '1'",
    );
    await expect(run('lr-finder', '--config', config, '--num-iter', '1.5')).rejects.toThrow(
      "--num_iter: expected an integer >= 2, got '1.5'",
    );
    await expect(run('lr-finder', '--config', config, 'optimizer.lr=-1')).rejects.toThrow(
      /optimizer\.lr = -1 .*expected a number > 0/,
    );
    await expect(
      run('lr-finder', '--config', config, '--backend', 'wasm', '--fold', '7', '--num_iter', '3'),
    ).rejects.toThrow(/cannot read index file .*fold_7_train\.txt: ENOENT/);
    await expect(
      run('lr-finder', '--config', config, '--backend', 'wasm', 'model.architecture=nope', '--num_iter', '3'),
    ).rejects.toThrow(/createModel: unknown model 'nope'; registered models: /);
  });
});
