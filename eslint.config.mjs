// Lint for the whole workspace. Beyond the recommended rules it enforces the layering of docs/architecture.md:
// Nx scope tags between projects, the module table inside common, node: imports, and the promise mistakes that are
// silent at run time (type-aware rules).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Which modules of packages/common/src each module may import (docs/architecture.md, "Modules inside common"). */
const COMMON_MODULES = {
  io: [],
  random: [],
  backend: [],
  metrics: [],
  config: ['io'],
  tda: ['io', 'random'],
  data: ['io', 'random'],
  models: ['io', 'backend'],
  viz: ['io', 'random', 'data', 'search'],
  hub: ['io', 'data'],
  training: ['io', 'random', 'backend', 'data', 'metrics', 'models', 'viz'],
  search: ['io', 'random'],
  export: ['io', 'backend', 'data', 'models', 'training'],
  tracking: ['io', 'training'],
  run: [
    'io',
    'random',
    'backend',
    'metrics',
    'config',
    'tda',
    'data',
    'models',
    'viz',
    'hub',
    'training',
    'search',
    'export',
    'tracking',
  ],
  framework: ['io', 'random', 'backend', 'config', 'data', 'models', 'training', 'viz', 'search', 'export', 'run'],
  testing: ['io', 'data', 'hub'],
};

/** Common never imports an app, by package name or by path (also when Nx's project graph is not cached). */
const NO_APPS_FROM_COMMON = {
  regex: '^(@research/(?!common(/|$))|(\\.\\./)+(papers|projects|tools)/)',
  message: 'common never imports an app (docs/architecture.md): move what both need into common',
};

/** A relative import from packages/common/src/<from>/... into another module of common that <from> may not use. */
function layeringRule(from, allowed) {
  const forbidden = Object.keys(COMMON_MODULES).filter((m) => m !== from && !allowed.includes(m));
  return {
    files: [`packages/common/src/${from}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltinPaths,
          patterns: [
            NO_APPS_FROM_COMMON,
            ...(forbidden.length === 0
              ? []
              : [
                  {
                    regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
                    message: `common/src/${from} may import only ${allowed.join(', ') || 'no other module of common'} (docs/architecture.md): move the shared code down a layer`,
                  },
                ]),
          ],
        },
      ],
    },
  };
}

// `fs`, `path`, ... without the node: prefix: one spelling for built-ins everywhere.
const nodeBuiltinPaths = builtinModules
  .filter((m) => !m.startsWith('_') && !m.includes('/'))
  .map((name) => ({ name, message: `import 'node:${name}'` }));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.nx/**',
      'assets/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
      'packages/common/src/backend/native/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Type-aware: a forgotten await in an async callback loses its error and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:common', onlyDependOnLibsWithTags: ['scope:common'] },
            { sourceTag: 'scope:paper', onlyDependOnLibsWithTags: ['scope:common'] },
            { sourceTag: 'scope:project', onlyDependOnLibsWithTags: ['scope:common'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:common'] },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltinPaths,
          patterns: [
            {
              regex: 'packages/common/src',
              message:
                "import '@research/common' or a subpath entry ('@research/common/testing'), not common's source files",
            },
          ],
        },
      ],
    },
  },
  ...Object.entries(COMMON_MODULES).map(([from, allowed]) => layeringRule(from, allowed)),
  // Tests and fixtures of common may also use its test helpers.
  ...Object.entries(COMMON_MODULES).map(([from, allowed]) => ({
    ...layeringRule(from, [...allowed, 'testing', 'run']),
    files: [`packages/common/src/${from}/**/*.test.ts`, `packages/common/src/${from}/**/__fixtures__/**/*.ts`],
  })),
  {
    files: ['packages/common/scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: nodeBuiltinPaths, patterns: [NO_APPS_FROM_COMMON] }] },
  },
  prettier,
);
