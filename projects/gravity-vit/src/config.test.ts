import { composeGravityConfig } from './config';

describe('gravity-vit config', () => {
  it("composes the defaults: multiview_vit on the synthetic set with the issue's training recipe", () => {
    const { config, choices } = composeGravityConfig();
    expect(choices).toEqual({ model: 'multiview_vit', data: 'synthetic', train: 'default' });
    expect(config.model.name).toBe('multiview_vit');
    expect(config.model.fusion).toEqual({ layers: 2, heads: 8, mlp_dim: 192, dropout: 0.1 });
    expect(config.train.optimizer).toMatchObject({ name: 'adamw', lr: 1e-4, weight_decay: 0.05 });
    expect(config.train.scheduler).toEqual({
      name: 'warmup_cosine',
      warmup_epochs: 5,
      warmup_start_factor: 0.01,
      eta_min: 1e-6,
    });
    expect(config.train.loss).toMatchObject({ name: 'cross_entropy', label_smoothing: 0.1 });
    expect(config.train.grad_clip).toBe(1);
    expect(config.train.early_stopping).toEqual({ monitor: 'val_accuracy', mode: 'max', patience: 10 });
    expect(config.train.device).toBe('auto');
    expect(config.experiment.name).toBe('default');
  });

  it("takes the issue's override examples", () => {
    const a = composeGravityConfig(['model=vit', 'data.batch_size=64', 'train.epochs=50']).config;
    expect([a.model.name, a.data.batch_size, a.train.epochs, a.model.view]).toEqual(['vit', 64, 50, '1.0']);
    expect(composeGravityConfig(['train.loss.name=focal_loss']).config.train.loss).toMatchObject({
      name: 'focal_loss',
      gamma: 2,
    });
    const c = composeGravityConfig(['train.optimizer.lr=3e-4', 'train.scheduler.warmup_epochs=10']).config;
    expect([c.train.optimizer.lr, c.train.scheduler.warmup_epochs]).toEqual([3e-4, 10]);
    expect(composeGravityConfig(['+experiment.name=my_experiment']).config.experiment.name).toBe('my_experiment');
    expect(composeGravityConfig(['experiment.name=other']).config.experiment.name).toBe('other');
  });

  it('selects the other groups and says what is wrong with a bad override', () => {
    const cnn = composeGravityConfig(['model=baseline_cnn', 'data=gravity_spy', 'train=smoke']).config;
    expect([
      cnn.model.name,
      cnn.model.input_size,
      cnn.data.class_weights,
      cnn.train.epochs,
      cnn.data.train_limit,
    ]).toEqual(['baseline_cnn', [140, 170], true, 2, 64]);
    expect(composeGravityConfig(['model=multiview_vit_b16']).config.model.vit).toMatchObject({
      dim: 768,
      depth: 12,
      heads: 12,
    });
    expect(() => composeGravityConfig(['model=resnet'])).toThrow(
      /no option 'resnet' in config group 'model'.*baseline_cnn/,
    );
    expect(() => composeGravityConfig(['train.loss.name=hinge'])).toThrow(/train\.loss\.name/);
    expect(() => composeGravityConfig(['model.input_size=[70,85]'])).toThrow(
      /not divisible by model\.vit\.patch_size 16/,
    );
    expect(() => composeGravityConfig(['model.view=3.0', 'model=vit'])).toThrow(/model\.view/);
  });
});
