// The run layer's test app: the synthetic classification data and tiny MLP of training/__fixtures__, with a cosine
// schedule over the configured epochs (so a resume with other --epochs must be refused).
import * as path from 'node:path';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../backend';
import { intIn, numberIn, type ConfigSchema } from '../../config';
import { classificationModule } from '../../training';
import { syntheticLoader, tinyMlp } from '../../training/__fixtures__/synthetic';
import type { AppDefinition } from '../app';

export interface TinyConfig {
  experiment: { name: string };
  seed: number;
  backend: BackendPreference;
  train: { epochs: number; lr: number };
  data: { batch_size: number };
  schedule: { name: 'cosine' | 'constant' };
}

const schema: ConfigSchema<TinyConfig> = {
  experiment: { name: { doc: 'run folder name', format: String, default: 'tiny' } },
  seed: { doc: 'seed', format: intIn(0, 2 ** 32 - 1), default: 0 },
  backend: { doc: 'tfjs backend', format: [...BACKEND_PREFERENCES], default: 'wasm' },
  train: {
    epochs: { doc: 'epochs', format: intIn(1), default: 2 },
    lr: { doc: 'Adam learning rate', format: numberIn(0, 1, { minExclusive: true }), default: 0.02 },
  },
  data: { batch_size: { doc: 'batch size', format: intIn(1), default: 8 } },
  schedule: { name: { doc: 'LR schedule', format: ['cosine', 'constant'], default: 'cosine' } },
};

export const tinyApp: AppDefinition<TinyConfig> = {
  project: 'tiny',
  description: 'the run layer test app',
  configDir: path.join(__dirname, 'tiny-app'),
  defaultConfig: 'config',
  schema,
  keys: { epochs: 'train.epochs', seed: 'seed', experimentName: 'experiment.name' },
  trainer: (c) => ({
    epochs: c.train.epochs,
    seed: c.seed,
    backend: c.backend,
    optimizer: { name: 'adam', lr: c.train.lr },
    schedule:
      c.schedule.name === 'cosine' ? { name: 'cosine', tMax: c.train.epochs, interval: 'epoch' } : { name: 'constant' },
    checkpoint: { monitor: 'val_acc', mode: 'max' },
  }),
  setup(c) {
    const model = tinyMlp();
    return {
      module: classificationModule(model),
      train: syntheticLoader(64, c.seed, c.data.batch_size),
      val: syntheticLoader(32, c.seed + 1, c.data.batch_size, false),
      test: syntheticLoader(32, c.seed + 2, c.data.batch_size, false),
      data: 'synthetic 4x4: 64 train / 32 val / 32 test',
      classifier: { predict: (batch) => model.predict(batch.x) as never, classNames: ['a', 'b', 'c'], model },
      dispose: () => model.dispose(),
    };
  },
};
