// A training started by a wrapper (npx nx run) ends when the wrapper is killed instead of running on as an orphan.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const WORKSPACE = path.resolve(__dirname, '../../../..');
/** Running (not gone, not a zombie: an orphan that exited waits for a reaper that a container's init may not be). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

it('a process that called exitWithParent ends within moments of its parent being SIGKILLed', async () => {
  const ready = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'orphan-')), 'ready');
  const parent = spawn(
    process.execPath,
    ['-r', 'tsx/cjs', path.join(__dirname, '__fixtures__', 'orphan-parent.ts'), ready],
    {
      cwd: WORKSPACE,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const childPid = await new Promise<number>((resolve) =>
    parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  while (!fs.existsSync(ready)) await new Promise((r) => setTimeout(r, 100)); // the child is up and watching
  expect(alive(childPid)).toBe(true);
  parent.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(childPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(alive(childPid)).toBe(false);
});
