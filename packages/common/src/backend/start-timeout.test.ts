// A stalled backend start must not end the program silently with exit code 0 (what a search worker did once, leaving
// its trial RUNNING): startWithin keeps the process alive and turns the stall into an error.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startWithin } from './start-timeout';

const WORKSPACE = path.resolve(__dirname, '../../../..');
const run = (mode: string) =>
  spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '__fixtures__', 'stalled-start.ts'), mode], {
    cwd: WORKSPACE,
    encoding: 'utf8',
  });

it('a bare stalled start ends the process with exit 0 and nothing said; a guarded one fails and says why', () => {
  const bare = run('bare');
  expect([bare.status, bare.stdout, bare.stderr]).toEqual([0, '', '']);
  const guarded = run('guarded');
  expect(guarded.status).toBe(1);
  expect(guarded.stderr).toContain('the test backend did not start within 0.2 s; the hint');
});

it('passes a start that settles in time through, value or error', async () => {
  await expect(startWithin(Promise.resolve(true), 'x', 'y', 1000)).resolves.toBe(true);
  await expect(startWithin(Promise.reject(new Error('no module')), 'x', 'y', 1000)).rejects.toThrow('no module');
});
