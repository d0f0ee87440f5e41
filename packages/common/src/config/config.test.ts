import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import convict from 'convict';
import {
  composeConfig,
  composeConfigDetailed,
  ConfigError,
  intIn,
  loadConfig,
  numberIn,
  saveConfig,
  arrayOf,
  type ConfigSchema,
} from './index';

interface Cfg {
  model: { name: string; depth: number; width: number; dropout: number };
  data: { name: string; batch_size: number; mean: number[]; augment: boolean };
  train: { lr: number; epochs: number; optimizer: string; clip: number | null; label: string };
  seed: number;
}

const schema: ConfigSchema<Cfg> = {
  model: {
    name: { doc: 'architecture', format: String, default: 'cnn' },
    depth: { format: intIn(1, 64), default: 2 },
    width: { format: 'int', default: 32 },
    dropout: { format: numberIn(0, 1, { maxExclusive: true }), default: 0 },
  },
  data: {
    name: { format: String, default: 'fashion-mnist' },
    batch_size: { format: intIn(1), default: 64 },
    mean: { format: arrayOf('number'), default: [0.5] },
    augment: { format: Boolean, default: false },
  },
  train: {
    lr: { format: numberIn(0, Infinity, { minExclusive: true }), default: 0.001 },
    epochs: { format: 'nat', default: 1 },
    optimizer: { format: ['sgd', 'adam', 'adamw'], default: 'adam' },
    clip: { format: Number, default: null, nullable: true },
    label: { format: String, default: 'run' },
  },
  seed: { format: 'int', default: 0 },
};

function makeConfigDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const baseFiles = {
  'config.yaml':
    'defaults:\n  - model: cnn\n  - data: fashion-mnist\n  - train: default\n  - _self_\nseed: 7\ntrain:\n  label: ${model.name}-d${model.depth}\n',
  'model/cnn.yaml': 'name: cnn\ndepth: 3\nwidth: 16\n',
  'model/vit.yaml': 'name: vit\ndepth: 6\nwidth: 64\ndropout: 0.1\n',
  'data/fashion-mnist.yaml': 'batch_size: 64\nmean: [0.286]\n',
  'train/default.yaml': 'lr: 0.001\nepochs: 2\n',
  'train/sgd.yaml': 'lr: 0.1\noptimizer: sgd\nepochs: 10\n',
};

function expectConfigError(fn: () => unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

describe('composeConfig', () => {
  const configDir = makeConfigDir(baseFiles);

  it('merges the defaults list in order, fills schema defaults and resolves interpolations', () => {
    const cfg = composeConfig({ configDir, schema });
    expect(cfg).toEqual({
      model: { name: 'cnn', depth: 3, width: 16, dropout: 0 },
      data: { name: 'fashion-mnist', batch_size: 64, mean: [0.286], augment: false },
      train: { lr: 0.001, epochs: 2, optimizer: 'adam', clip: null, label: 'cnn-d3' },
      seed: 7,
    });
  });

  it('selects group options and types key overrides by the schema', () => {
    const { config, choices } = composeConfigDetailed({
      configDir,
      schema,
      overrides: [
        'model=vit',
        'train=sgd',
        'model.depth=12',
        'train.lr=0.05',
        'data.augment=true',
        'data.mean=0.1,0.2,0.3',
        'train.clip=1.5',
        'train.label=123',
      ],
    });
    expect(choices).toEqual({ model: 'vit', data: 'fashion-mnist', train: 'sgd' });
    expect(config.model).toEqual({ name: 'vit', depth: 12, width: 64, dropout: 0.1 });
    expect(config.train).toEqual({ lr: 0.05, epochs: 10, optimizer: 'sgd', clip: 1.5, label: '123' });
    expect(config.data.augment).toBe(true);
    expect(config.data.mean).toEqual([0.1, 0.2, 0.3]);
  });

  it('lets _self_ placed first be overridden by groups', () => {
    const dir = makeConfigDir({
      ...baseFiles,
      'config.yaml': 'defaults:\n  - _self_\n  - model: cnn\nmodel:\n  depth: 40\n  width: 8\n',
    });
    const cfg = composeConfig({ configDir: dir, schema });
    expect(cfg.model.depth).toBe(3);
    expect(cfg.model.width).toBe(16);
  });

  it('adds keys with +, sets or adds with ++, and removes with ~ (back to the schema default)', () => {
    const { config, addedKeys } = composeConfigDetailed({
      configDir,
      schema,
      overrides: ['+experiment.name=baseline', '+experiment.tags=[a, b]', '++train.epochs=5', '~model.width'],
    });
    expect((config as unknown as { experiment: unknown }).experiment).toEqual({ name: 'baseline', tags: ['a', 'b'] });
    expect(addedKeys).toEqual(['experiment.name', 'experiment.tags']);
    expect(config.train.epochs).toBe(5);
    expect(config.model.width).toBe(32);
  });

  it('accepts the root config name with or without its extension', () => {
    expect(composeConfig({ configDir, configName: 'config.yaml', schema })).toEqual(
      composeConfig({ configDir, schema }),
    );
    expectConfigError(() => composeConfig({ configDir, configName: 'nope', schema }), "no root config 'nope.yaml'");
  });

  it('builds the schema from the chosen group options when given a function', () => {
    const seen: unknown[] = [];
    composeConfig({ configDir, overrides: ['model=vit'], schema: (choices) => (seen.push(choices), schema) });
    expect(seen).toEqual([{ model: 'vit', data: 'fashion-mnist', train: 'default' }]);
  });

  it('puts a @package _global_ group file at the top level', () => {
    const dir = makeConfigDir({
      ...baseFiles,
      'config.yaml': 'defaults:\n  - model: cnn\n  - experiment: long\n',
      'experiment/long.yaml': '# @package _global_\ntrain:\n  epochs: 30\nseed: 3\n',
    });
    const cfg = composeConfig({ configDir: dir, schema });
    expect(cfg.train.epochs).toBe(30);
    expect(cfg.seed).toBe(3);
  });

  it('a group added on the command line (+experiment=x) overrides a root config that does not place _self_', () => {
    const dir = makeConfigDir({
      ...baseFiles,
      'config.yaml': 'seed: 7\ntrain:\n  epochs: 5\n',
      'experiment/smoke.yaml': '# @package _global_\ntrain:\n  epochs: 1\nseed: 3\n',
    });
    const cfg = composeConfig({ configDir: dir, schema, overrides: ['+experiment=smoke'] });
    expect([cfg.train.epochs, cfg.seed]).toEqual([1, 3]);
    expect(composeConfig({ configDir: dir, schema }).train.epochs).toBe(5);
  });

  describe('errors name the key, the value, what was expected and the file', () => {
    it('unknown key in a group file', () => {
      const dir = makeConfigDir({ ...baseFiles, 'model/cnn.yaml': 'name: cnn\ndeptth: 3\n' });
      expectConfigError(
        () => composeConfig({ configDir: dir, schema }),
        'model.deptth = 3',
        path.join('model', 'cnn.yaml'),
        'unknown key',
        "did you mean 'model.depth'",
      );
    });

    it('wrong type from the command line', () => {
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['train.epochs=abc'] }),
        'train.epochs = "abc"',
        "override 'train.epochs=abc'",
        'expected an integer >= 0',
      );
    });

    it('out of range in a file', () => {
      const dir = makeConfigDir({ ...baseFiles, 'train/default.yaml': 'lr: -0.5\n' });
      expectConfigError(
        () => composeConfig({ configDir: dir, schema }),
        'train.lr = -0.5',
        path.join('train', 'default.yaml'),
        'expected a number > 0',
      );
    });

    it('several problems in one message', () => {
      const dir = makeConfigDir({ ...baseFiles, 'model/cnn.yaml': 'depth: 0\ndropout: 1\n' });
      expectConfigError(
        () => composeConfig({ configDir: dir, schema, overrides: ['data.augment=maybe'] }),
        '3 problems',
        'model.depth = 0',
        'an integer in [1, 64]',
        'model.dropout = 1',
        'a number in [0, 1)',
        'data.augment = "maybe"',
        'a boolean',
      );
    });

    it('enum and null', () => {
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['train.optimizer=rmsprop'] }),
        'train.optimizer = "rmsprop"',
        'one of "sgd", "adam", "adamw"',
      );
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['model.width=null'] }),
        'model.width = null',
        'null is not allowed here',
      );
    });

    it('unknown group option lists the available ones', () => {
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['model=vt'] }),
        "no option 'vt' in config group 'model'",
        'available: cnn, vit',
      );
    });

    it('set of an undeclared key asks for +, add of an existing key refuses', () => {
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['train.warmup=3'] }),
        "no key 'train.warmup'",
        '+train.warmup=3',
      );
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['+train.lr=3'] }),
        "key 'train.lr' already exists",
      );
    });

    it('interpolation cycles and missing references', () => {
      const dir = makeConfigDir({
        ...baseFiles,
        'config.yaml': 'defaults:\n  - model: cnn\ntrain:\n  label: ${train.label}x\n',
      });
      expectConfigError(
        () => composeConfig({ configDir: dir, schema }),
        'interpolation cycle: train.label -> train.label',
      );
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['train.label=${model.nope}'] }),
        "no key 'model.nope'",
        'train.label',
      );
    });

    it('bad YAML and bad override syntax', () => {
      const dir = makeConfigDir({ ...baseFiles, 'model/cnn.yaml': 'depth: [3\n' });
      expectConfigError(
        () => composeConfig({ configDir: dir, schema }),
        'invalid YAML',
        path.join('model', 'cnn.yaml'),
      );
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['train.lr'] }),
        "invalid override 'train.lr'",
      );
    });

    it('a YAML tag outside the core schema (!!js/function, a custom !tag) in a file or an override', () => {
      // Before: the tag was dropped with a warning and its text became the value (a run folder, for a name).
      const dir = makeConfigDir({
        ...baseFiles,
        'train/default.yaml': 'lr: 0.001\nlabel: !!js/function "function () { return \'/a/b\' }"\n',
        'model/vit.yaml': 'name: vit\ndepth: 6\nwidth: !!int 64\ndropout: !!float 0.1\n',
        'data/tagged.yaml': 'batch_size: 64\nmean: [0.2, !custom 0.3]\n',
      });
      expectConfigError(
        () => composeConfig({ configDir: dir, schema }),
        `config file ${path.join(dir, 'train', 'default.yaml')}, line 2: key 'label' has the YAML tag !!js/function`,
      );
      expectConfigError(
        () => composeConfig({ configDir: dir, schema, overrides: ['data=tagged', 'train=sgd'] }),
        "line 2: key 'mean[1]' has the YAML tag !custom",
      );
      // Core tags are plain values.
      expect(composeConfig({ configDir: dir, schema, overrides: ['model=vit', 'train=sgd'] }).model.width).toBe(64);
      expectConfigError(
        () => composeConfig({ configDir, schema, overrides: ['train.label=!!js/function x'] }),
        "override 'train.label=!!js/function x': the value of 'train.label' has the YAML tag !!js/function",
      );
      expect(composeConfig({ configDir, schema, overrides: ['train.label="!!js/function x"'] }).train.label).toBe(
        '!!js/function x',
      );
    });
  });

  it('a whole-value interpolation keeps its type and is validated', () => {
    const cfg = composeConfig({ configDir, schema, overrides: ['model.width=${data.batch_size}'] });
    expect(cfg.model.width).toBe(64);
    expectConfigError(
      () => composeConfig({ configDir, schema, overrides: ['model.width=${train.label}'] }),
      'model.width = "cnn-d3"',
      'expected an integer',
    );
  });
});

describe('saveConfig / loadConfig', () => {
  const configDir = makeConfigDir(baseFiles);

  it('round-trips a composed config, keys added with + included, through an atomically written file', () => {
    const cfg = composeConfig({ configDir, schema, overrides: ['model=vit', '+experiment.name=x'] });
    const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-')), 'nested');
    const file = saveConfig(runDir, cfg);
    expect(file).toBe(path.join(runDir, 'config.yaml'));
    expect(fs.readdirSync(runDir)).toEqual(['config.yaml']);
    expect(fs.readFileSync(file, 'utf8')).toContain('@added-keys: experiment.name');
    expect(loadConfig(file, schema)).toEqual(cfg);
  });

  it('rebuilds a schema made from group choices with the choices recorded in the file', () => {
    const seen: unknown[] = [];
    const fromChoices = (choices: Record<string, string | null>) => (seen.push(choices), schema);
    const cfg = composeConfig({ configDir, schema: fromChoices, overrides: ['model=vit', 'train=sgd'] });
    const file = saveConfig(fs.mkdtempSync(path.join(os.tmpdir(), 'run-')), cfg);
    expect(loadConfig(file, fromChoices)).toEqual(cfg);
    expect(seen).toEqual([
      { model: 'vit', data: 'fashion-mnist', train: 'sgd' },
      { model: 'vit', data: 'fashion-mnist', train: 'sgd' },
    ]);
    fs.writeFileSync(file, '{}\n');
    expect(() => loadConfig(file, fromChoices)).toThrow('records no group choices');
  });

  it('rejects a hand-edited file with a wrong value, naming the file', () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-'));
    const file = saveConfig(runDir, composeConfig({ configDir, schema }));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('batch_size: 64', 'batch_size: 0'));
    expectConfigError(() => loadConfig(file, schema), 'data.batch_size = 0', 'config.yaml', 'an integer >= 1');
  });

  it('agrees with convict on the defaults of the schema', () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-'));
    fs.writeFileSync(path.join(runDir, 'config.yaml'), '{}\n');
    expect(loadConfig(path.join(runDir, 'config.yaml'), schema)).toEqual(
      convict(schema, { env: {}, args: [] }).getProperties(),
    );
  });
});
