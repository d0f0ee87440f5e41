// tools train with each training.trainer_type (standard, dp, accelerate, mixed_precision) on a small Fashion-MNIST
// image folder, each from its own config file (init-config's file with trainer_type and its block set), 1 epoch: each
// writes its results and its own figures (epsilon, the loss scale); an incompatible combination is a clear error.
import { unseedEverything } from '@research/common';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { register as registerImageFolder } from './image-folder';
import { register as registerInitConfig } from './init-config';
import { register as registerSplit } from './split';
import { register as registerTrain } from './train';

process.env.RESEARCH_WASM_THREADS = '0';
const SAMPLE = path.join(__dirname, '..', '..', '..', 'packages', 'common', 'data', 'fashion-mnist-sample');

describe('tools train: every trainer type', () => {
  let tmp: string;
  let cwd: string;
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    for (const register of [registerImageFolder, registerSplit, registerInitConfig, registerTrain]) register(program);
    await program.parseAsync(args, { from: 'user' });
  };
  /** init-config's file with the given keys (dotted paths) set. */
  const configFor = (name: string, sets: Record<string, unknown>): string => {
    const doc = YAML.parseDocument(fs.readFileSync('fm.yaml', 'utf8'));
    for (const [key, value] of Object.entries(sets)) {
      if (!doc.hasIn(key.split('.'))) throw new Error(`fm.yaml has no key ${key}`);
      doc.setIn(key.split('.'), value);
    }
    fs.writeFileSync(`${name}.yaml`, doc.toString());
    return `${name}.yaml`;
  };
  const train = async (config: string) => {
    const out = `runs-${config}`;
    await run('train', '--config', config, '--backend', 'wasm', '--no-progress', '--output-dir', out);
    const [runName] = fs.readdirSync(out);
    const runDir = path.join(out, runName);
    const results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8'));
    const metrics = fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    const header = metrics[0].split(',');
    const record = Object.fromEntries(metrics[1].split(',').map((v, i) => [header[i], Number(v)]));
    return { runDir, results, record };
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-trainer-types-'));
    cwd = process.cwd();
    process.chdir(tmp);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // 8 images of each class (80), 28x28 grey; 64 train+val images in fold 0.
    await run('image-folder', 'fashion-mnist', '--from', SAMPLE, '--out', 'fm', '--per-class', '8', '--split', 'test');
    await run('split', '--raw_data', 'fm/raw', '--folds', '2', '--test_ratio', '0.2');
    await run('init-config', 'fm', '--output', 'fm.yaml');
  }, 60_000);
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    process.chdir(cwd);
    unseedEverything();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const base = { 'training.num_epochs': 1, 'data.batch_size': 16 };
  const expectTrained = (results: Record<string, unknown>, record: Record<string, number>) => {
    expect(results).toMatchObject({ project: 'framework', epochs: 1 });
    expect(results.test_acc).toEqual(expect.any(Number));
    expect(Number.isFinite(record.train_loss)).toBe(true);
  };

  it('standard and mixed_precision (the loss scale in the metrics)', async () => {
    const standard = await train(configFor('standard', { ...base, 'training.trainer_type': 'standard' }));
    expectTrained(standard.results, standard.record);
    const amp = await train(
      configFor('amp', { ...base, 'training.trainer_type': 'mixed_precision', 'training.amp_dtype': 'float16' }),
    );
    expectTrained(amp.results, amp.record);
    expect(amp.record.amp_scale).toBeGreaterThan(0);
    expect(amp.record.amp_skipped_steps).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('dp: Poisson batches of the image folder, epsilon per epoch and in the results; BatchNorm refused', async () => {
    const dp = await train(
      configFor('dp', {
        ...base,
        'training.trainer_type': 'dp',
        'training.dp.noise_multiplier': 1,
        'model.architecture': 'simple_cnn_gn',
      }),
    );
    expectTrained(dp.results, dp.record);
    expect(dp.record.epsilon).toBeGreaterThan(0);
    expect(dp.results.epsilon).toBe(dp.record.epsilon);
    expect(dp.results.dp_delta).toBe(1e-5);
    // Neither a noise multiplier nor a target epsilon: the error names both keys.
    await expect(train(configFor('dp-none', { ...base, 'training.trainer_type': 'dp' }))).rejects.toThrow(
      'dp: give exactly one of dp.noise_multiplier and dp.target_epsilon',
    );
    // q = 16 / N train images: floor(N / 16) steps in the epoch.
    const trainImages = Number(/(\d+) train/.exec(String(dp.results.data))?.[1]);
    expect(dp.record.global_step).toBe(Math.floor(trainImages / 16));
    const dpBn = { ...base, 'training.trainer_type': 'dp', 'training.dp.noise_multiplier': 1 };
    await expect(train(configFor('dp-bn', dpBn))).rejects.toThrow(
      /BatchNormalization\) normalises over the batch.*GroupNorm.*simple_cnn_gn/s,
    );
    await expect(
      train(configFor('dp-workers', { ...base, 'training.trainer_type': 'dp', 'training.accelerate.num_workers': 2 })),
    ).rejects.toThrow(/DP-SGD on data-parallel workers is not supported/);
  }, 120_000);

  it('accelerate: 2 workers train, rank 0 writes the run folder and its checkpoints', async () => {
    const ddp = await train(
      configFor('ddp', { ...base, 'training.trainer_type': 'accelerate', 'training.accelerate.num_workers': 2 }),
    );
    expectTrained(ddp.results, ddp.record);
    expect(fs.readdirSync(path.join(ddp.runDir, 'checkpoints')).sort()).toEqual([
      'best.safetensors',
      'last.safetensors',
    ]);
  }, 120_000);
});
