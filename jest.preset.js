// Shared jest settings: @swc/jest transpiles TypeScript without type-checking (tsc runs as its own `typecheck` target).
const path = require('node:path');

const commonSrc = path.join(__dirname, 'packages', 'common', 'src');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // @research/common and its subpath entries (@research/common/tda, @research/common/testing, ...), as in package.json's exports.
  moduleNameMapper: {
    '^@research/common$': path.join(commonSrc, 'index.ts'),
    '^@research/common/([a-z-]+)$': path.join(commonSrc, '$1', 'index.ts'),
  },
  // tfjs prints a "use tfjs-node" banner on first use unless in production mode.
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 120000,
};
