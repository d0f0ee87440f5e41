import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launch, report, tensorboardOnPath } from './visualise';

let root: string;
let run: string;
const savedPath = process.env.PATH;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'visualise-'));
  run = path.join(root, 'outputs', 'paper', 'exp', '2026-01-01T00-00-00Z');
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(
    path.join(run, 'metrics.json'),
    JSON.stringify([
      { epoch: 0, train_loss: 1 },
      { epoch: 1, train_loss: 0.5 },
    ]),
  );
});
afterEach(() => {
  process.env.PATH = savedPath;
  fs.rmSync(root, { recursive: true, force: true });
});

/** A fake `tensorboard` that records its arguments, first on PATH. */
function fakeTensorboard(): string {
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const script = path.join(bin, 'tensorboard');
  fs.writeFileSync(script, `#!/bin/sh\necho "$@" > "${path.join(root, 'args.txt')}"\n`, { mode: 0o755 });
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
  return script;
}

describe('tools visualise', () => {
  it('--mode report writes report.html into the run folder', () => {
    expect(report({ mode: 'report', runDir: run })).toBe(path.join(run, 'report.html'));
    expect(fs.readFileSync(path.join(run, 'report.html'), 'utf8')).toContain('train_loss');
    expect(() => report({ mode: 'report' })).toThrow('--mode report needs --run_dir');
    expect(() => report({ mode: 'report', runDir: path.join(root, 'outputs') })).toThrow(/not a run folder/);
    expect(() => report({ mode: 'report', runDir: path.join(root, 'nope') })).toThrow(
      /--run_dir .*nope: no such folder/,
    );
  });

  it('--mode launch runs tensorboard --logdir when it is on PATH', async () => {
    const script = fakeTensorboard();
    expect(tensorboardOnPath()).toBe(script);
    const launched = await launch({ mode: 'launch', logdir: path.join(root, 'outputs'), port: '7007' });
    expect(launched.kind).toBe('tensorboard');
    if (launched.kind !== 'tensorboard') return;
    await new Promise((resolve) => launched.child.on('exit', resolve));
    expect(fs.readFileSync(path.join(root, 'args.txt'), 'utf8').trim()).toBe(
      `--logdir ${path.join(root, 'outputs')} --port 7007 --host 127.0.0.1`,
    );
  });

  it('--mode launch --dashboard (or without tensorboard) serves the dashboard on 127.0.0.1', async () => {
    fakeTensorboard();
    const launched = await launch({ mode: 'launch', runDir: run, port: '0', dashboard: true });
    expect(launched.kind).toBe('dashboard');
    if (launched.kind !== 'dashboard') return;
    try {
      expect(launched.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const runs = await (await fetch(`${launched.url}api/runs`)).json();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ id: '', name: '2026-01-01T00-00-00Z', best: { name: 'train_loss', value: 0.5 } });
      const details = await (await fetch(`${launched.url}api/run?id=`)).json();
      expect(details.scalars).toEqual([
        {
          tag: 'train_loss',
          points: [
            { step: 0, value: 1 },
            { step: 1, value: 0.5 },
          ],
        },
      ]);
    } finally {
      await launched.dashboard.close();
    }
    await expect(launch({ mode: 'launch', logdir: root, port: '70000', dashboard: true })).rejects.toThrow(
      "--port: expected an integer 0..65535, got '70000'",
    );
  });
});
