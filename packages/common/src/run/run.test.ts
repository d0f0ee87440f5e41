// The run layer end to end on a tiny app: run folders, files, determinism, refused resumes, bad input, the CLI.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEvents } from '../viz';
import { appProgram, createRunDir, evaluateRun, trainRun } from '.';
import { tinyApp } from './__fixtures__/tiny-app';

process.env.RESEARCH_WASM_THREADS = '0'; // single-threaded wasm: the README promises bit-identical curves there

let root: string;
const quiet = () => undefined;
beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-layer-'))));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Every file under a folder with its bytes, for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) out[path.relative(dir, full)] = fs.readFileSync(full).toString('base64');
  }
  return out;
}

it('two runs started in the same second get their own folders', () => {
  const at = new Date('2026-11-29T01:02:03.456Z');
  const a = createRunDir(root, at);
  const b = createRunDir(root, at);
  expect(path.basename(a)).toBe('2026-11-29T01-02-03Z');
  expect(path.basename(b)).toBe('2026-11-29T01-02-03Z_1');
});

it('a run writes the standard files, and the same seed gives bit-identical curves on single-threaded wasm', async () => {
  const first = await trainRun(tinyApp, { outputRoot: root, progress: false, log: quiet });
  const second = await trainRun(tinyApp, { outputRoot: root, progress: false, log: quiet });
  expect(first.runDir).not.toBe(second.runDir);
  const files = fs.readdirSync(first.runDir).sort();
  expect(files).toEqual([
    'checkpoints',
    'classification_report.txt',
    'config.yaml',
    'confusion_matrix.png',
    'curves.png',
    'metrics.csv',
    'metrics.json',
    'report.html',
    'results.json',
    'run.json',
    'tensorboard',
  ]);
  const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  expect(read(second.runDir, 'metrics.json')).toBe(read(first.runDir, 'metrics.json'));
  expect(second.results.test_loss).toBe(first.results.test_loss);
  const info = JSON.parse(read(first.runDir, 'run.json'));
  expect(info).toMatchObject({
    project: 'tiny',
    experiment: 'tiny',
    config: 'config',
    status: 'finished',
    data: 'synthetic 4x4: 64 train / 32 val / 32 test',
  });
  expect(JSON.parse(read(first.runDir, 'metrics.json')).map((r: { epoch: number }) => r.epoch)).toEqual([1, 2]);

  // TensorBoard has the test figures too: scalars, the confusion matrix image and the report text.
  const events = readEvents(path.join(first.runDir, 'tensorboard'));
  expect(events.scalars['test/loss']?.[0].step).toBe(2);
  expect(events.scalars['test/loss']?.[0].value).toBeCloseTo(first.results.test_loss as number, 6); // float32 in the file
  expect(events.images['test/confusion_matrix']).toHaveLength(1);
  expect(events.texts['test/classification_report/text_summary']?.[0].text).toContain('weighted avg');

  // evaluate uses the run's config and reproduces the run's test figures, in its own folder.
  const evaluated = await evaluateRun(tinyApp, { target: first.runDir, log: quiet });
  expect(evaluated.results.test_loss).toBe(first.results.test_loss);
  expect(evaluated.outDir).toBe(path.join(first.runDir, 'evaluation_best'));
});

it('a refused resume (another --epochs changes the cosine schedule) writes nothing, and the run stays resumable', async () => {
  const { runDir } = await trainRun(tinyApp, { outputRoot: root, progress: false, log: quiet, epochs: 2 });
  const before = snapshot(runDir);
  await expect(trainRun(tinyApp, { resume: runDir, epochs: 3, progress: false, log: quiet })).rejects.toThrow(
    /LR schedule .* differs/,
  );
  expect(snapshot(runDir)).toEqual(before);
  // The same schedule resumes (nothing left to train: it ends at once with the same test figures).
  const resumed = await trainRun(tinyApp, { resume: runDir, progress: false, log: quiet });
  expect(resumed.runDir).toBe(runDir);
  expect(resumed.history).toHaveLength(2);
});

it('an app that names its runs gets that folder, suffixed when taken; a resume keeps it', async () => {
  const named = {
    ...tinyApp,
    runFolder: (c: { train: { lr: number } }, overrides: readonly string[]) => ({
      parent: path.join(root, 'default-parent'),
      name: `tiny_${overrides.length}_lr_${c.train.lr}`,
    }),
  };
  const first = await trainRun(named, {
    outputRoot: root,
    progress: false,
    log: quiet,
    epochs: 1,
    overrides: ['train.lr=0.01'],
  });
  const second = await trainRun(named, {
    outputRoot: root,
    progress: false,
    log: quiet,
    epochs: 1,
    overrides: ['train.lr=0.01'],
  });
  // --epochs is an override too: two of them.
  expect([first.runDir, second.runDir]).toEqual([
    path.join(root, 'tiny_2_lr_0.01'),
    path.join(root, 'tiny_2_lr_0.01_1'),
  ]);
  expect(first.results.experiment).toBe('tiny_2_lr_0.01');
  const third = await trainRun(named, { progress: false, log: quiet, epochs: 1 });
  expect(third.runDir).toBe(path.join(root, 'default-parent', 'tiny_1_lr_0.02'));
  const resumed = await trainRun(named, { resume: second.runDir, progress: false, log: quiet });
  expect([resumed.runDir, resumed.results.experiment]).toEqual([second.runDir, 'tiny_2_lr_0.01_1']);
  await expect(
    trainRun(
      { ...named, runFolder: () => ({ parent: root, name: '../x' }) },
      { progress: false, log: quiet, epochs: 1 },
    ),
  ).rejects.toThrow("run folder name '../x' cannot name a folder");
});

it('bad names and numbers are refused before any folder is made', async () => {
  const run = (opts: Parameters<typeof trainRun>[1]) =>
    trainRun(tinyApp, { outputRoot: root, progress: false, log: quiet, ...opts });
  await expect(run({ overrides: ['experiment.name=../../../x'] })).rejects.toThrow(
    "experiment.name '../../../x' cannot name a folder",
  );
  await expect(run({ seed: 2 ** 32 })).rejects.toThrow('--seed must be an integer in [0, 4294967295], got 4294967296');
  await expect(run({ epochs: 1e20 })).rejects.toThrow('--epochs must be an integer in [1, 1000000]');
  await expect(run({ overrides: ['+schedul=constant'] })).rejects.toThrow(
    "there is no config group 'schedul'; did you mean '+schedule=constant'?",
  );
  await expect(run({ overrides: ['train.lrr=0.1'] })).rejects.toThrow("did you mean 'train.lr'?");
  expect(fs.readdirSync(root)).toEqual([]);
});

it('a +key nothing reads is said aloud with the nearest key', async () => {
  const lines: string[] = [];
  await trainRun(tinyApp, {
    outputRoot: root,
    progress: false,
    log: (l) => lines.push(l),
    overrides: ['+train.lrate=0.1'],
    epochs: 1,
  });
  expect(lines).toContain(
    "warning: 'train.lrate' is not a key of tiny's config: it is saved in config.yaml but nothing reads it (did you mean 'train.lr'?)",
  );
});

it('--help lists the configs, groups and keys; --print-config prints the composed config', async () => {
  let out = '';
  const program = appProgram(tinyApp);
  program.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  program.commands.forEach((c) =>
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) }),
  );
  await expect(program.parseAsync(['node', 'tiny', 'train', '--help'])).rejects.toThrow();
  expect(out).toContain(
    'Config groups (select with group=option, add with +group=option):\n  schedule: constant, cosine',
  );
  expect(out).toMatch(/ {2}train\.lr +a number in \(0, 1\] +0\.02 +Adam learning rate/);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await appProgram(tinyApp).parseAsync(['node', 'tiny', 'train', '--print-config', 'train.lr=0.5']);
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('lr: 0.5');
  } finally {
    write.mockRestore();
  }
});
