// The layering of docs/architecture.md is enforced by lint, not prose: these imports must fail `npm run lint`.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const WORKSPACE = path.resolve(__dirname, '../../..');

/**
 * Lints `code` as if it were the file at `file` (relative to the workspace) with the workspace's eslint config, in a
 * child process (the config is ESM); returns the messages as `<rule>: <text>`. The type-aware rules need the file in
 * a tsconfig project, so `file` is an existing file's path.
 */
async function lint(file: string, code: string): Promise<string[]> {
  const eslint = path.join(WORKSPACE, 'node_modules', '.bin', 'eslint');
  const out = spawnSync(eslint, ['--stdin', '--stdin-filename', path.join(WORKSPACE, file), '--format', 'json'], {
    cwd: WORKSPACE,
    input: code,
    encoding: 'utf8',
  });
  if (!out.stdout) throw new Error(`eslint failed: ${out.stderr}`);
  const [result] = JSON.parse(out.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const EXISTING = {
  io: 'packages/common/src/io/atomic.ts',
  training: 'packages/common/src/training/evaluate.ts',
  tools: 'tools/src/commands/tda.ts',
};

it('common importing a paper fails lint, by package name or by path', async () => {
  const byName = await lint(
    EXISTING.training,
    "import { hrnetApp } from '@research/hrnet-tda';\nexport const x = hrnetApp;\n",
  );
  expect(byName.join('\n')).toMatch(/common never imports an app/);
  const byPath = await lint(
    EXISTING.training,
    "import { hrnetApp } from '../../../../papers/hrnet-tda/src/app';\nexport const x = hrnetApp;\n",
  );
  expect(byPath.join('\n')).toMatch(/common never imports an app/);
}, 120_000);

it("an import that runs up common's module table fails lint; one that runs down passes", async () => {
  const up = await lint(EXISTING.io, "import { Trainer } from '../training';\nexport const x = Trainer;\n");
  expect(up.join('\n')).toMatch(/common\/src\/io may import only no other module of common/);
  const down = await lint(
    EXISTING.training,
    "import { writeFileAtomic } from '../io';\nexport const x = writeFileAtomic;\n",
  );
  expect(down.filter((m) => m.startsWith('no-restricted-imports'))).toEqual([]);
}, 120_000);

it("apps use common's package name, not its source files; built-ins take node:; promises are not dropped", async () => {
  const deep = await lint(
    EXISTING.tools,
    "import { writeFileAtomic } from '../../../packages/common/src/io';\nexport const x = writeFileAtomic;\n",
  );
  expect(deep.join('\n')).toMatch(/import '@research\/common' or a subpath entry/);
  const builtin = await lint(EXISTING.tools, "import * as fs from 'fs';\nexport const x = fs;\n");
  expect(builtin.join('\n')).toMatch(/import 'node:fs'/);
  const floating = await lint(
    EXISTING.tools,
    'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n',
  );
  expect(floating.join('\n')).toMatch(/@typescript-eslint\/no-floating-promises/);
}, 120_000);
