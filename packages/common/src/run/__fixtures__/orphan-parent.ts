// The parent of exit-with-parent.test.ts's child: starts a child that watches its parent (and then creates the file
// named by argv[2]), prints the child's pid, then waits to be killed.
import { spawn } from 'node:child_process';

const ready = process.argv[2];
const script = `require('./packages/common/src/run/cli').exitWithParent(100); require('node:fs').writeFileSync(${JSON.stringify(ready)}, 'ok'); setInterval(() => undefined, 1000);`;
const child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
  cwd: process.cwd(),
  stdio: 'ignore',
  detached: true,
});
process.stdout.write(`${child.pid}\n`);
setInterval(() => undefined, 1000);
