// tools search on a small Fashion-MNIST image folder (tiny_net, 16x16 images, 1-3 short epochs): the study Python
// Optuna reads back (trials, params, values, intermediate values equal to the trials' own metrics), --resume and the
// error without it, pruning that stops a trial at once, best_config.yaml that `tools train` trains, a misspelt search
// key, --workers 2 sharing one budget, and a SIGKILLed worker's trial turned FAIL (and retried) by heartbeats.
import { loadFrameworkConfig, RdbStorage, type FrameworkConfig } from '@research/common';
import { runChild } from '@research/common/testing';
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useFrameworkWorkspace } from './__fixtures__/framework-workspace';
import { register as registerImageFolder } from './image-folder';
import { register as registerInitConfig } from './init-config';
import { register as registerSearch } from './search';
import { register as registerSplit } from './split';
import { register as registerTrain } from './train';

process.env.RESEARCH_WASM_THREADS = '0';
const TOOLS = path.join(__dirname, '..', '..', 'bin', 'tools.js');
const PYTHON = '/usr/bin/python3';

const run = async (...args: string[]) => {
  const program = new Command().exitOverride();
  for (const register of [registerImageFolder, registerSplit, registerInitConfig, registerTrain, registerSearch])
    register(program);
  await program.parseAsync(args, { from: 'user' });
};
const studyDir = (name: string) => path.join(ws.dir, 'assets', 'outputs', 'runs', 'optuna_studies', name);
const storageOf = (name: string) => `sqlite:///${path.join(studyDir(name), 'study.db')}`;

/** A config file: the folder's config, small and fast, with this search section. */
function writeConfig(file: string, search: Record<string, unknown>, epochs = 2): string {
  const config: FrameworkConfig = loadFrameworkConfig('fm.yaml', [
    'model.architecture=tiny_net',
    'data.image_size=16',
    'data.batch_size=8',
    `training.num_epochs=${epochs}`,
    'augmentation.random_resized_crop.enabled=false',
    'augmentation.horizontal_flip=0',
  ]);
  const section = {
    storage: null,
    n_trials: 3,
    direction: 'maximize',
    metric: 'val_acc',
    sampler: 'random',
    pruner: 'none',
    seed: 7,
    search_space: { optimizer: { lr: { type: 'loguniform', low: 1e-4, high: 1e-1 } } },
    ...search,
  };
  fs.writeFileSync(file, JSON.stringify({ ...config, search: section }, null, 1)); // JSON is YAML
  return file;
}

/** The study as Python Optuna 3.1 loads it. */
function optunaTrials(name: string, storage = storageOf(name)) {
  const script =
    'import json, sys, optuna\n' +
    's = optuna.load_study(study_name=sys.argv[1], storage=sys.argv[2])\n' +
    'print(json.dumps({"direction": s.direction.name, "trials": [{"number": t.number, "state": t.state.name, ' +
    '"params": t.params, "value": t.value, "intermediate": {str(k): v for k, v in t.intermediate_values.items()}, ' +
    '"user_attrs": t.user_attrs, "system_attrs": t.system_attrs} for t in s.trials]}))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, name, storage], { cwd: '/' }).toString()) as {
    direction: string;
    trials: Array<{
      number: number;
      state: string;
      params: Record<string, number | string>;
      value: number | null;
      intermediate: Record<string, number>;
      user_attrs: Record<string, unknown>;
      system_attrs: Record<string, unknown>;
    }>;
  };
}

const metricsOf = (runDir: string) =>
  JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as Array<Record<string, number>>;

const ws = useFrameworkWorkspace('tools-search-', run);

it('writes a study Python Optuna reads with the trials, params and values of their runs; --resume continues it', async () => {
  const config = writeConfig('plain.yaml', {
    study_name: 'plain',
    n_trials: 2,
    search_space: {
      optimizer: {
        lr: { type: 'loguniform', low: 1e-4, high: 1e-1 },
        name: { type: 'categorical', choices: ['sgd', 'adam'] },
      },
      data: { batch_size: { type: 'int', low: 4, high: 12, step: 4 } },
    },
  });
  const search = ['search', '--config', config, '--backend', 'wasm', '--no-progress', '--schema-revision', 'v3.0.0.d'];
  await run(...search);
  const dir = studyDir('plain');
  expect(fs.readdirSync(dir).sort()).toEqual(
    expect.arrayContaining(['best_config.yaml', 'study.db', 'trial_0', 'trial_1']),
  );

  const read = optunaTrials('plain');
  expect(read.direction).toBe('MAXIMIZE');
  expect(read.trials.map((t) => [t.number, t.state])).toEqual([
    [0, 'COMPLETE'],
    [1, 'COMPLETE'],
  ]);
  for (const t of read.trials) {
    // Each trial's run: its config holds the trial's params, its epochs the reported values; the value is the best.
    const runDir = path.join(dir, `trial_${t.number}`);
    expect(t.user_attrs.run_dir).toBe(runDir);
    const saved = loadFrameworkConfig(path.join(runDir, 'config.yaml'));
    expect(t.params).toEqual({
      'optimizer.lr': saved.optimizer.lr,
      'optimizer.name': saved.optimizer.name,
      'data.batch_size': saved.data.batch_size,
    });
    expect([4, 8, 12]).toContain(t.params['data.batch_size']);
    const epochs = metricsOf(runDir);
    expect(t.intermediate).toEqual({ '1': epochs[0].val_acc, '2': epochs[1].val_acc });
    expect(t.value).toBe(Math.max(epochs[0].val_acc, epochs[1].val_acc));
    const results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8'));
    expect(t.user_attrs.test_acc).toBe(results.test_acc);
  }
  const best = read.trials.reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a));
  const summary = ws.out.join('\n');
  expect(summary).toContain(`best trial ${best.number}: val_acc ${best.value}`);
  expect(summary).toContain('npx tools visualise --mode search --study-name plain');

  // The same study name again is an error naming --resume; --resume with a larger budget adds trial 2.
  await expect(run(...search)).rejects.toThrow(/study 'plain' already exists in .*: pass --resume/);
  await run(...search, '--resume', '--n-trials', '3');
  expect(optunaTrials('plain').trials.map((t) => t.number)).toEqual([0, 1, 2]);

  // best_config.yaml: the best trial's params, no search section; tools train trains it.
  const bestConfig = loadFrameworkConfig(path.join(dir, 'best_config.yaml'));
  const finalBest = optunaTrials('plain').trials.reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a));
  expect(bestConfig.search).toBeNull();
  expect(bestConfig.optimizer.lr).toBe(finalBest.params['optimizer.lr']);
  expect(bestConfig.optimizer.name).toBe(finalBest.params['optimizer.name']);
  expect(bestConfig.data.batch_size).toBe(finalBest.params['data.batch_size']);
  await run('train', '--config', path.join(dir, 'best_config.yaml'), '--backend', 'wasm', '--no-progress');
  const trained = /^\[framework\] run folder (.*)$/m.exec(ws.out.join('\n'))?.[1].trim() as string;
  expect(metricsOf(trained)).toEqual(metricsOf(path.join(dir, `trial_${finalBest.number}`)));
});

it('prunes a trial at once: PRUNED with its intermediate values, its run stopped after that epoch', async () => {
  // lr 1e-9 cannot learn: once a trial with a usable lr has completed, the median pruner stops it after epoch 1.
  const config = writeConfig(
    'prune.yaml',
    {
      study_name: 'prune',
      n_trials: 4,
      metric: 'val_loss',
      direction: 'minimize',
      sampler: 'grid',
      seed: 0,
      pruner: 'median',
      pruner_options: { n_startup_trials: 1 },
      search_space: { optimizer: { lr: { type: 'categorical', choices: [0.01, 1e-9] } } },
    },
    3,
  );
  await run('search', '--config', config, '--backend', 'wasm', '--no-progress', '--schema-revision', 'v3.0.0.d');
  const trials = optunaTrials('prune').trials;
  // The grid has 2 points: the study ends after both (a third ask finds the grid used up).
  expect(trials.map((t) => t.params['optimizer.lr'] as number).sort((a, b) => a - b)).toEqual([1e-9, 0.01]);
  const byLr = (lr: number) => trials.find((t) => t.params['optimizer.lr'] === lr)!;
  const [good, bad] = [byLr(0.01), byLr(1e-9)];
  expect(good.number).toBe(0); // the seed's grid order: the pruned case needs the usable lr first
  expect(good.state).toBe('COMPLETE');
  expect(Object.keys(good.intermediate)).toEqual(['1', '2', '3']);
  expect(bad.state).toBe('PRUNED');
  const badRun = path.join(studyDir('prune'), `trial_${bad.number}`);
  const epochs = metricsOf(badRun);
  expect(epochs.map((e) => e.epoch)).toEqual([1]); // stopped after the epoch the pruner judged
  expect(bad.intermediate).toEqual({ '1': epochs[0].val_loss });
  expect(bad.value).toBe(epochs[0].val_loss); // Optuna stores a pruned trial's last intermediate value
  expect(epochs[0].val_loss).toBeGreaterThan(good.intermediate['1']);
  const results = JSON.parse(fs.readFileSync(path.join(badRun, 'results.json'), 'utf8'));
  expect(results.stop_reason).toMatch(/^pruned by the median pruner after epoch 1/);
});

it('a misspelt search key names the nearest config key; a failing trial is FAIL and the search goes on; an unknown metric stops it', async () => {
  const bad = writeConfig('typo.yaml', {
    study_name: 'typo',
    search_space: { optimizer: { lrr: { type: 'loguniform', low: 1e-4, high: 1e-1 } } },
  });
  await expect(run('search', '--config', bad)).rejects.toThrow(
    /search\.search_space\.optimizer\.lrr: not a key of the config \(did you mean 'optimizer\.lr'\?\)/,
  );
  // A trial whose config is refused fails with the reason and the search goes on to its budget.
  const failing = writeConfig('fail.yaml', {
    study_name: 'fail',
    n_trials: 2,
    search_space: { model: { dropout: { type: 'categorical', choices: [1.5, 2] } } },
  });
  await run('search', '--config', failing, '--backend', 'wasm', '--no-progress', '--schema-revision', 'v3.0.0.d');
  const failed = optunaTrials('fail').trials;
  expect(failed.map((t) => [t.number, t.state])).toEqual([
    [0, 'FAIL'],
    [1, 'FAIL'],
  ]);
  for (const t of failed) expect(t.user_attrs.fail_reason).toMatch(/model\.dropout/);
  expect(ws.out.join('\n')).toMatch(/study fail: 2 trials \(0 complete, 0 pruned, 2 failed\)\nno trial completed/);
  expect(fs.existsSync(path.join(studyDir('fail'), 'best_config.yaml'))).toBe(false);

  const metric = writeConfig('metric.yaml', { study_name: 'metric', metric: 'val_accuracy' });
  await expect(run('search', '--config', metric, '--backend', 'wasm', '--no-progress')).rejects.toThrow(
    /search\.metric 'val_accuracy' is not recorded by an epoch \(an epoch records .*val_acc/,
  );
});

it('--workers 2: two processes share one budget, trials numbered 0..3', async () => {
  const config = writeConfig('workers.yaml', { study_name: 'workers', n_trials: 4 }, 1);
  const child = await runChild([TOOLS, 'search', '--config', config, '--workers', '2', '--backend', 'wasm'], {
    cwd: ws.dir,
    env: { RESEARCH_WASM_THREADS: '0' },
  });
  expect({ code: child.code, out: child.code ? child.out : '' }).toEqual({ code: 0, out: '' });
  expect(child.out).toMatch(/^\[worker 0\] \[search\] trial \d: /m);
  expect(child.out).toMatch(/^\[worker 1\] \[search\] trial \d: /m);
  const storage = await RdbStorage.open(storageOf('workers'));
  const trials = await storage.getAllTrials(await storage.getStudyIdFromName('workers'));
  await storage.close();
  expect(trials.map((t) => [t.number, t.state])).toEqual([0, 1, 2, 3].map((n) => [n, 'COMPLETE']));
  expect(fs.existsSync(path.join(studyDir('workers'), 'best_config.yaml'))).toBe(true);
});

it("a SIGKILLed worker's RUNNING trial turns FAIL after the grace period and is retried with its params", async () => {
  const config = writeConfig('kill.yaml', {
    study_name: 'kill',
    n_trials: 2,
    heartbeat_interval: 0.5,
    grace_period: 2,
    failed_trial_max_retry: 1,
  });
  const args = [TOOLS, 'search', '--config', config, '--backend', 'wasm', '--schema-revision', 'v3.0.0.d'];
  const killed = await runChild(args, {
    cwd: ws.dir,
    env: { RESEARCH_WASM_THREADS: '0' },
    killOn: '[trial 0] [framework] run folder',
  });
  expect(killed.signal).toBe('SIGKILL');
  await new Promise((r) => setTimeout(r, 2500)); // older than the grace period
  await run('search', '--config', config, '--resume', '--backend', 'wasm', '--no-progress');
  const trials = optunaTrials('kill').trials;
  expect(trials.map((t) => [t.number, t.state])).toEqual([
    [0, 'FAIL'],
    [1, 'COMPLETE'],
  ]);
  expect(trials[1].params).toEqual(trials[0].params);
  expect(trials[1].system_attrs).toMatchObject({ failed_trial: 0, retry_history: [0] });
});
