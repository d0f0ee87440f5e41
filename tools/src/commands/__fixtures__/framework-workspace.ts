// The small framework workspace the command tests share, made once per test file: a temporary working directory
// (the config's data_dir and runs_dir are relative to it) holding a Fashion-MNIST image folder `fm` (6 images a
// class, train and test), its 2-fold split and its config `fm.yaml`. Each test's console.log lines are collected in
// `out`; stderr is silenced.
import { unseedEverything } from '@research/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FASHION_MNIST_SAMPLE = path.join(
  __dirname,
  ...['..', '..', '..', '..', 'packages', 'common', 'data', 'fashion-mnist-sample'],
);

export interface FrameworkWorkspace {
  /** The working directory of the tests. */
  dir: string;
  /** This test's console.log lines. */
  readonly out: string[];
}

/** Registers the jest hooks that make, enter and remove the workspace; `run` runs a tools command. */
export function useFrameworkWorkspace(prefix: string, run: (...args: string[]) => Promise<void>): FrameworkWorkspace {
  const workspace: FrameworkWorkspace = { dir: '', out: [] };
  let cwd = '';
  beforeAll(async () => {
    workspace.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    cwd = process.cwd();
    process.chdir(workspace.dir);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const image = ['--from', FASHION_MNIST_SAMPLE, '--out', 'fm', '--per-class', '6', '--split', 'test'];
    await run('image-folder', 'fashion-mnist', ...image);
    await run('split', '--raw_data', 'fm/raw', '--folds', '2', '--test_ratio', '0.25');
    await run('init-config', 'fm', '--output', 'fm.yaml');
    jest.restoreAllMocks();
  });
  beforeEach(() => {
    workspace.out.length = 0;
    jest.spyOn(console, 'log').mockImplementation((line: string) => void workspace.out.push(line));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    process.chdir(cwd);
    unseedEverything();
    fs.rmSync(workspace.dir, { recursive: true, force: true });
  });
  return workspace;
}
