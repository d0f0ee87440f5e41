import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import {
  computeChannelStats,
  createSplits,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_SAMPLE_DIR,
  readIdxImageFolder,
  readIndexFile,
  writeImageFolder,
} from '../data';
import {
  buildInitialConfig,
  frameworkRunName,
  searchSpaceEntries,
  frameworkDataset,
  frameworkOptimizerSpec,
  frameworkScheduleSpec,
  frameworkTransforms,
  loadFrameworkConfig,
  renderFrameworkConfig,
} from '.';

describe('framework config', () => {
  let tmp: string;
  let dataDir: string;
  let cwd: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'framework-'));
    dataDir = path.join(tmp, 'fashion');
    const test = readIdxImageFolder(FASHION_MNIST_SAMPLE_DIR, 'test', FASHION_MNIST_CLASSES);
    await writeImageFolder(path.join(dataDir, 'raw'), [{ split: 'test', dataset: test }], {
      classNames: FASHION_MNIST_CLASSES,
      perClass: 12,
    });
    cwd = process.cwd();
    process.chdir(tmp);
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('init-config fills classes, size, channels and raw/ statistics, and its YAML loads through the schema', async () => {
    const result = await buildInitialConfig(dataDir);
    expect(result.statsSource).toMatch(/^120 of the 120 images of raw\//);
    const c = result.config;
    expect(result.dataset).toBe('fashion');
    expect(c.data.data_dir).toBe('fashion'); // relative to the working directory
    expect(c.data.class_names).toEqual([
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
    expect([c.model.num_classes, c.data.channels, c.data.image_size]).toEqual([10, 1, 28]);
    // The numpy golden of these 120 images (scripts/golden/indexed_images.json): mean 0.28918, std 0.35325.
    expect(c.data.mean).toEqual([0.2892]);
    expect(c.data.std).toEqual([0.3532]);
    expect(c.search).toBeNull();
    const file = write('fashion_config.yaml', renderFrameworkConfig(c, ['made by a test']));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# made by a test\n/);
    expect(fs.readFileSync(file, 'utf8')).toContain(
      'image_size: 28 # images are resized/cropped to image_size x image_size',
    );
    expect(loadFrameworkConfig(file)).toEqual(c);
  });

  it("uses fold 0's train list for the statistics once split, and adds a search section with --optuna", async () => {
    await createSplits(path.join(dataDir, 'raw'), { folds: 3, testRatio: 0.2, seed: 1 });
    const { config, statsSource } = await buildInitialConfig(dataDir, { optuna: true });
    expect(statsSource).toMatch(/^64 of the 64 images of splits\/fold_0_train\.txt/);
    const train = readIndexFile(path.join(dataDir, 'splits', 'fold_0_train.txt'), dataDir);
    const stats = await computeChannelStats(dataDir, train, { channels: 1 });
    expect(config.data.mean[0]).toBeCloseTo(stats.mean[0], 4);
    expect(searchSpaceEntries(config.search!.search_space)).toEqual([
      ['optimizer.lr', { type: 'loguniform', low: 1e-5, high: 0.1 }],
      ['optimizer.weight_decay', { type: 'loguniform', low: 1e-6, high: 0.01 }],
      ['optimizer.name', { type: 'categorical', choices: ['sgd', 'adam', 'adamw'] }],
      ['data.batch_size', { type: 'categorical', choices: [16, 32, 64] }],
    ]);
    const file = write('optuna.yaml', renderFrameworkConfig(config));
    const loaded = loadFrameworkConfig(file, ['optimizer.lr=0.01', 'data.fold=2', 'search.n_trials=5']);
    expect([loaded.optimizer.lr, loaded.data.fold, loaded.search?.n_trials]).toEqual([0.01, 2, 5]);
    const ds = frameworkDataset(loaded, 'val');
    expect(ds.size).toBe(32);
    expect(ds.imageShape).toEqual([28, 28, 1]);
  });

  it('names the file and key of every malformed value', () => {
    const base = () =>
      YAML.parse(renderFrameworkConfig(loadFrameworkConfig(write('ok.yaml', 'data:\n  data_dir: x\n'))));
    const bad = (name: string, edit: (c: Record<string, Record<string, unknown>>) => void) => {
      const c = base();
      edit(c);
      return write(name, YAML.stringify(c));
    };
    expect(() => loadFrameworkConfig(write('ok.yaml', 'data:\n  data_dir: x\n'), ['optimizer.name=rmsprop'])).toThrow(
      /optimizer\.name = "rmsprop" \(from override 'optimizer\.name=rmsprop'\): expected one of "sgd", "adam", "adamw"/,
    );
    expect(() => loadFrameworkConfig(bad('a.yaml', (c) => (c.optimizer.lrr = 1)))).toThrow(
      /a\.yaml.*optimizer\.lrr = 1.*unknown key; did you mean 'optimizer\.lr'/s,
    );
    expect(() => loadFrameworkConfig(bad('b.yaml', (c) => (c.data.mean = [0.5])))).toThrow(
      /b\.yaml: data\.mean has 1 values, expected one per channel \(data\.channels = 3\)/,
    );
    expect(() => loadFrameworkConfig(bad('c.yaml', (c) => (c.training.trainer_type = 'tpu')))).toThrow(
      /training\.trainer_type = "tpu".*expected one of "standard", "dp", "accelerate", "mixed_precision"/,
    );
    expect(() => loadFrameworkConfig(bad('d.yaml', (c) => (c.search = { study_name: 's', n_trials: 0 })))).toThrow(
      /search = .*expected a search section: .*missing 'storage'.*n_trials must be a positive integer/,
    );
    expect(() =>
      loadFrameworkConfig(
        bad('e.yaml', (c) => {
          c.search = {
            study_name: 's',
            storage: null,
            n_trials: 2,
            direction: 'maximize',
            metric: 'val_acc',
            sampler: 'tpe',
            pruner: 'none',
            search_space: {
              optimizer: { lrate: { type: 'loguniform', low: 1e-4, high: 1 } },
              data: { batch_size: { type: 'normal' } },
            },
          };
        }),
      ),
    ).toThrow(/search_space\.data\.batch_size: type must be loguniform, uniform, int, categorical, got "normal"/);
    expect(() =>
      loadFrameworkConfig(
        bad('f.yaml', (c) => {
          c.search = {
            study_name: 's',
            storage: null,
            n_trials: 2,
            direction: 'maximize',
            metric: 'val_acc',
            sampler: 'tpe',
            pruner: 'none',
            search_space: { optimizer: { lrate: { type: 'loguniform', low: 1e-4, high: 1 } } },
          };
        }),
      ),
    ).toThrow('search.search_space.optimizer.lrate: not a key of the config');
    expect(() => loadFrameworkConfig(write('g.yaml', 'data: [1, 2\n'))).toThrow(/invalid YAML in .*g\.yaml/);
    expect(() => loadFrameworkConfig(path.join(tmp, 'none.yaml'))).toThrow(
      /config file .*none\.yaml does not exist \(write one with `tools init-config <data_dir>`\)/,
    );
  });

  it("reads search_space keys written dotted (the reference's layout) or nested, as the same parameters", () => {
    const section = (space: string) =>
      'data:\n  data_dir: x\nsearch:\n  study_name: s\n  storage: null\n  n_trials: 2\n  direction: maximize\n' +
      `  metric: val_acc\n  sampler: tpe\n  pruner: none\n  search_space:\n${space}`;
    const lr = '{type: loguniform, low: 1.0e-4, high: 0.1}';
    const dotted = loadFrameworkConfig(
      write(
        'dotted.yaml',
        section(`    optimizer.lr: ${lr}\n    optimizer: {name: {type: categorical, choices: [sgd, adam]}}\n`),
      ),
    );
    const nested = loadFrameworkConfig(
      write(
        'nested.yaml',
        section(`    optimizer:\n      lr: ${lr}\n      name: {type: categorical, choices: [sgd, adam]}\n`),
      ),
    );
    expect(searchSpaceEntries(dotted.search!.search_space)).toEqual([
      ['optimizer.lr', { type: 'loguniform', low: 1e-4, high: 0.1 }],
      ['optimizer.name', { type: 'categorical', choices: ['sgd', 'adam'] }],
    ]);
    expect(dotted.search).toEqual(nested.search);
    expect(() =>
      loadFrameworkConfig(write('twice.yaml', section(`    optimizer.lr: ${lr}\n    optimizer: {lr: ${lr}}\n`))),
    ).toThrow("search.search_space: 'optimizer.lr' is given twice (dotted and nested)");
  });

  it('turns the config into transforms, an optimizer and a schedule', () => {
    const c = loadFrameworkConfig(
      write(
        't.yaml',
        [
          'data: {data_dir: x, image_size: 32, channels: 1, mean: [0.5], std: [0.25]}',
          'augmentation: {color_jitter: {brightness: 0.2}, eval_resize: 36}',
          'optimizer: {name: sgd, lr: 0.1, weight_decay: 0.0005}',
          'scheduler: {name: cosine}',
          'training: {num_epochs: 7}',
        ].join('\n'),
      ),
    );
    expect(frameworkTransforms(c, 'train')).toEqual([
      { type: 'random_resized_crop', size: 32, scale: [0.08, 1], ratio: [0.75, 4 / 3] },
      { type: 'horizontal_flip', p: 0.5 },
      { type: 'color_jitter', brightness: 0.2, contrast: 0, saturation: 0, hue: 0 },
      { type: 'normalize', mean: [0.5], std: [0.25] },
    ]);
    expect(frameworkTransforms(c, 'eval')).toEqual([
      { type: 'resize', size: 36 },
      { type: 'center_crop', size: 32 },
      { type: 'normalize', mean: [0.5], std: [0.25] },
    ]);
    expect(frameworkOptimizerSpec(c)).toEqual({
      name: 'sgd',
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 0.0005,
      nesterov: false,
    });
    expect(frameworkScheduleSpec(c)).toEqual({ name: 'cosine', tMax: 7, etaMin: 0, interval: 'epoch' });
  });

  it('names a run by its dataset, the overrides that change the file and the fold', () => {
    const file = write('n.yaml', 'data: {data_dir: data/hymenoptera, batch_size: 16}\noptimizer: {lr: 0.001}\n');
    const base = loadFrameworkConfig(file);
    const overrides = [
      'data.batch_size=32',
      'optimizer.lr=0.01',
      'seed=42',
      'data.fold=2',
      'model.architecture=resnet18',
      'augmentation.random_resized_crop.scale=[0.5,1]',
      'training.runs_dir=/elsewhere',
      'optimizer.lr=0.5',
    ];
    const config = loadFrameworkConfig(file, overrides);
    // seed=42 is the file's value; the fold and runs_dir name the folder elsewhere; the first optimizer.lr names it,
    // with the value the config ends with.
    expect(frameworkRunName(config, base, overrides)).toBe(
      'hymenoptera_batch_32_lr_0.5_architecture_resnet18_scale_0.5-1_fold_2',
    );
    expect(frameworkRunName(base, base, [])).toBe('hymenoptera_fold_0');
  });
});
