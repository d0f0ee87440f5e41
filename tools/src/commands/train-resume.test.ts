// tools train through the real command line: a training killed with SIGKILL mid-epoch, then `tools train --resume
// <run>`, ends with the same metrics, test figures and weights as an uninterrupted run (augmentation on, so the
// data order and random crops must resume exactly too).
import { unseedEverything } from '@research/common';
import { lastCheckpointWeights, runChild } from '@research/common/testing';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { register as registerImageFolder } from './image-folder';
import { register as registerInitConfig } from './init-config';
import { register as registerSplit } from './split';

const TOOLS = path.join(__dirname, '..', '..', 'bin', 'tools.js');
const SAMPLE = path.join(__dirname, '..', '..', '..', 'packages', 'common', 'data', 'fashion-mnist-sample');
// Three epochs of three batches (22 training images, batch 8); every step prints a progress line (CI=true).
const ARGS = [
  '--config',
  'fm.yaml',
  '--backend',
  'wasm',
  '--num_epochs',
  '3',
  '--batch_size',
  '8',
  'model.architecture=tiny_net',
  'training.log_every_n_steps=1',
];

let tmp: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-train-kill-'));
  const program = new Command().exitOverride();
  for (const register of [registerImageFolder, registerSplit, registerInitConfig]) register(program);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const at = (dir: string) => path.join(tmp, dir);
  await program.parseAsync(
    ['image-folder', 'fashion-mnist', '--from', SAMPLE, '--out', at('fm'), '--per-class', '6', '--split', 'test'],
    { from: 'user' },
  );
  await program.parseAsync(['split', '--raw_data', at('fm/raw'), '--folds', '2', '--test_ratio', '0.25'], {
    from: 'user',
  });
  await program.parseAsync(['init-config', at('fm'), '--output', at('fm.yaml')], { from: 'user' });
  log.mockRestore();
});
afterAll(() => {
  unseedEverything();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `tools <args>` in the temp folder; with `killOn`, SIGKILLs it as soon as its output shows that text. */
const tools = (args: string[], killOn?: string) =>
  runChild([TOOLS, ...args], { cwd: tmp, env: { RESEARCH_WASM_THREADS: '0', CI: 'true' }, killOn });

const runFolder = (out: string) => path.resolve(tmp, /run folder (.*)/.exec(out)![1].trim());

it('a run killed mid-epoch and resumed with --resume ends exactly like an uninterrupted run', async () => {
  const [full, killed] = await Promise.all([
    tools(['train', ...ARGS, '--output-dir', 'full']),
    tools(['train', ...ARGS, '--output-dir', 'killed'], 'epoch 2/3 step 2/3'),
  ]);
  expect({ code: full.code, out: full.code ? full.out : '' }).toEqual({ code: 0, out: '' });
  expect(killed.signal).toBe('SIGKILL');
  const killedDir = runFolder(killed.out);
  expect(killedDir).toBe(path.join(tmp, 'killed', 'fm_batch_8_epochs_3_architecture_tiny_net_fold_0'));
  expect(fs.existsSync(path.join(killedDir, 'results.json'))).toBe(false);

  const resumed = await tools(['train', '--resume', killedDir]);
  expect({ code: resumed.code, out: resumed.code ? resumed.out : '' }).toEqual({ code: 0, out: '' });
  expect(runFolder(resumed.out)).toBe(killedDir);
  const fullDir = runFolder(full.out);
  const read = (dir: string, file: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
  expect(read(killedDir, 'metrics.json')).toEqual(read(fullDir, 'metrics.json'));
  const [a, b] = [read(fullDir, 'results.json'), read(killedDir, 'results.json')];
  for (const key of ['test_loss', 'test_acc', 'best_epoch', 'epochs', 'experiment'])
    expect([key, b[key]]).toEqual([key, a[key]]);
  expect(lastCheckpointWeights(killedDir)).toEqual(lastCheckpointWeights(fullDir));
  expect((read(killedDir, 'run.json').attempts as { status: string }[]).map((x) => x.status)).toEqual([
    'running',
    'finished',
  ]);
});
