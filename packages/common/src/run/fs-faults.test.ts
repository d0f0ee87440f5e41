// A full disk, a read-only mount, a permission refused or a file where the checkpoints folder was, met by the
// Trainer's writes in the middle of a run: reported with the file, the operation and the fix, no half-written file,
// run.json saying the run failed. Root ignores permissions, so the errors are injected at the writes themselves
// (RESEARCH_FAULT_ERROR_AT) or made real by replacing a folder with a file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEvents } from '../viz';
import { resetFaultCounts } from '../io';
import { runChild } from '../testing';
import { trainRun } from '.';
import { tinyApp } from './__fixtures__/tiny-app';

process.env.RESEARCH_WASM_THREADS = '0';

let root: string;
const quiet = () => undefined;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-fs-faults-'));
  resetFaultCounts();
});
afterEach(() => {
  delete process.env.RESEARCH_FAULT_ERROR_AT;
  fs.rmSync(root, { recursive: true, force: true });
});

/** The one run folder under root, every file in it, and its run.json. */
function theRun(): { dir: string; files: string[]; info: { status: string; attempts: { error?: string }[] } } {
  const parent = path.join(root, 'tiny');
  const [name] = fs.readdirSync(parent);
  const dir = path.join(parent, name);
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  return { dir, files, info: JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) };
}

const train = () => trainRun(tinyApp, { outputRoot: root, progress: false, log: quiet });

it.each([
  ['last.safetensors@2:ENOSPC', 'write', 'checkpoints/last.safetensors', 'ENOSPC: the disk is full: free space'],
  ['best.safetensors@1:EROFS', 'write', 'checkpoints/best.safetensors', 'EROFS: the filesystem is read-only'],
  ['metrics.json@1:EACCES', 'write', 'metrics.json', 'EACCES: no permission: check the folder owner'],
])('%s is reported as "cannot %s <run>/%s: %s", with no temporary file left', async (fault, op, file, why) => {
  process.env.RESEARCH_FAULT_ERROR_AT = fault;
  const message = await train().then(
    () => 'no error',
    (err: Error) => err.message,
  );
  const run = theRun();
  const expected = `cannot ${op} ${path.join(run.dir, file)}: ${why}`;
  expect(message.slice(0, expected.length)).toBe(expected);
  expect(run.files.filter((f) => f.includes('.tmp-'))).toEqual([]);
  expect(run.info.status).toBe('failed');
  expect(run.info.attempts[0].error).toBe(message);
});

it('a failed TensorBoard flush names the event file and cuts it back to its last whole record', async () => {
  process.env.RESEARCH_FAULT_ERROR_AT = 'events@2:ENOSPC'; // @1 is the file's header, @2 epoch 1's scalars
  const message = await train().catch((err: Error) => err.message);
  const run = theRun();
  const [eventFile] = run.files.filter((f) => f.startsWith('tensorboard/'));
  expect(message).toBe(
    `cannot append TensorBoard events to ${path.join(run.dir, eventFile)}: ENOSPC: the disk is full: free space or ` +
      'write elsewhere (RESEARCH_ASSETS_DIR / --output-dir)',
  );
  const events = readEvents(path.join(run.dir, 'tensorboard')); // throws on a torn record
  expect(events.scalars).toEqual({});
  expect(fs.statSync(path.join(run.dir, eventFile)).size).toBeLessThan(100); // the header only
});

it('a file where the checkpoints folder was (after epoch 1) fails naming the folder', async () => {
  const app = {
    ...tinyApp,
    setup: async (...args: Parameters<typeof tinyApp.setup>) => {
      const experiment = await tinyApp.setup(...args);
      const replaceCheckpoints = {
        onEpochEnd(trainer: { runDir?: string; epoch: number }) {
          if (trainer.epoch !== 2) return;
          const dir = path.join(trainer.runDir as string, 'checkpoints');
          fs.rmSync(dir, { recursive: true });
          fs.writeFileSync(dir, 'in the way');
        },
      };
      return { ...experiment, callbacks: [replaceCheckpoints] };
    },
  };
  const message = await trainRun(app, { outputRoot: root, progress: false, log: quiet }).catch(
    (err: Error) => err.message,
  );
  const run = theRun();
  expect(message).toMatch(
    new RegExp(
      `^cannot create the folder ${path.join(run.dir, 'checkpoints')}: ` +
        '(EEXIST: a file stands where a folder should be|ENOTDIR: a parent path is a file, not a folder)$',
    ),
  );
  expect(run.info.status).toBe('failed');
});

it('the command line exits 1 with that message, no stack', async () => {
  const cli = path.join(__dirname, '__fixtures__', 'tiny-cli.ts');
  const out = path.join(root, 'cli');
  const run = await runChild(['-r', 'tsx/cjs', cli, 'train', '--output-dir', out, '--no-progress'], {
    cwd: path.resolve(__dirname, '../../../..'),
    env: { RESEARCH_FAULT_ERROR_AT: 'last.safetensors@1:ENOSPC' },
  });
  expect(run.code).toBe(1);
  expect(run.out).toMatch(/\nerror: cannot write \S+\/checkpoints\/last\.safetensors: ENOSPC: the disk is full/);
  expect(run.out).not.toMatch(/\n\s+at /);
});
