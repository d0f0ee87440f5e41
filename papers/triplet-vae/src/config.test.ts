// Config composition and overrides, the round trip of a saved config through overrides, time budget.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, saveConfig, type TrainerView } from '@research/common';
import { scheduleSpec } from './app';
import { composeTripletVaeConfig, tripletVaeSchema, type TripletVaeConfig } from './config';
import { TimeBudget } from './time-budget';

describe('config', () => {
  it('composes the dataset config with its groups and applies typed overrides', () => {
    const { config, choices } = composeTripletVaeConfig('fashionmnist', [
      'model.latent_dim=16',
      'scheduler=step',
      'data.augment.affine_scale=[0.8,1.2]',
    ]);
    expect(choices).toEqual({ model: 'multitask', scheduler: 'step' });
    expect(config.model.latent_dim).toBe(16);
    expect(config.experiment.name).toBe('fashionmnist_multitask');
    expect(config.data.augment.affine_scale).toEqual([0.8, 1.2]);
    expect(scheduleSpec(config)).toEqual({ name: 'step', stepSize: 5, gamma: 0.5, interval: 'epoch' });
    const simple = composeTripletVaeConfig('cifar10', ['model=simple']).config;
    expect([simple.model.mode, simple.model.patch_size, simple.experiment.name]).toEqual([
      'simple',
      4,
      'cifar10_simple',
    ]);
  });

  it("the fashionmnist_full recipe is the README's full-data command line, and overrides still win over it", () => {
    const readmeCommand = [
      'train.epochs=32',
      'seed=0',
      'data.val_size=2000',
      'data.anchors_per_epoch=20000',
      'data.augment.rotation_degrees=5',
      'data.augment.affine_translate=0.05',
      'data.augment.affine_scale=[0.95,1.05]',
      'data.augment.affine_shear=0',
      'data.augment.perspective_p=0',
      'train.optimizer.lr=0.0015',
      'eval.tsne_iterations=300',
      'experiment.name=fashionmnist_multitask_full',
    ];
    const recipe = composeTripletVaeConfig('fashionmnist', ['+recipe=fashionmnist_full']);
    expect(recipe.config).toEqual(composeTripletVaeConfig('fashionmnist', readmeCommand).config);
    expect(recipe.choices).toEqual({ model: 'multitask', scheduler: 'cosine', recipe: 'fashionmnist_full' });
    expect(
      composeTripletVaeConfig('fashionmnist', ['+recipe=fashionmnist_full', 'train.epochs=2']).config.train.epochs,
    ).toBe(2);
    expect(() => composeTripletVaeConfig('fashionmnist', ['+recipe=fashionmnist_ful'])).toThrow('fashionmnist_ful');
  });

  it('rejects unknown configs, keys and out-of-range values with their names', () => {
    expect(() => composeTripletVaeConfig('svhn')).toThrow("unknown config 'svhn'");
    expect(() => composeTripletVaeConfig('mnist', ['model.latnet_dim=3'])).toThrow('latnet_dim');
    expect(() => composeTripletVaeConfig('mnist', ['data.batch_size=1'])).toThrow('batch_size');
  });

  it('a saved config survives the round trip; overrides on it win and are validated', () => {
    const saved = composeTripletVaeConfig('mnist', [
      'model=simple',
      'scheduler=exponential',
      'seed=4',
      'data.root=/x y',
    ]).config;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triplet-vae-config-'));
    const file = saveConfig(dir, saved);
    expect(loadConfig<TripletVaeConfig>(file, tripletVaeSchema)).toEqual(saved);
    expect(loadConfig<TripletVaeConfig>(file, tripletVaeSchema, ['train.epochs=2']).train.epochs).toBe(2);
    expect(() => loadConfig(file, tripletVaeSchema, ['train.epochs=0'])).toThrow('epochs');
    expect(() => loadConfig(file, tripletVaeSchema, ['model.embed_dim=3'])).toThrow(
      "did you mean 'model.embedding_dim'?",
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('TimeBudget', () => {
  it('stops when another epoch as slow as the slowest would pass the budget', () => {
    let now = 0;
    const reasons: string[] = [];
    const trainer = { stop: (r: string) => reasons.push(r) } as unknown as TrainerView;
    const budget = new TimeBudget(100, () => now);
    budget.onFitStart();
    budget.onEpochStart();
    now = 40;
    budget.onEpochEnd(trainer); // 40 + 40 <= 100
    expect(reasons).toEqual([]);
    budget.onEpochStart();
    now = 70;
    budget.onEpochEnd(trainer); // 70 + 40 > 100
    expect(reasons).toHaveLength(1);
  });
});
