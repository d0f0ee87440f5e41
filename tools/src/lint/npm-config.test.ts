// Every npm/npx call in the workspace runs without npm's warning about an unknown project config (the old
// `onnxruntime-node-install` key in .npmrc); onnxruntime-node's CUDA download is kept off by allowScripts instead.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const WORKSPACE = path.resolve(__dirname, '../../..');

it('npm reads the project config without warnings, and onnxruntime-node may not run its install script', () => {
  const out = spawnSync('npm', ['config', 'get', 'save-exact'], { cwd: WORKSPACE, encoding: 'utf8' });
  expect(out.status).toBe(0);
  expect(out.stdout.trim()).toBe('true');
  expect(out.stderr).not.toMatch(/Unknown project config/);
  const pkg = JSON.parse(fs.readFileSync(path.join(WORKSPACE, 'package.json'), 'utf8')) as {
    allowScripts: Record<string, boolean>;
  };
  expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
});
