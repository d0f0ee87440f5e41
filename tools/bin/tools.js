#!/usr/bin/env node
// Entry of the `tools` CLI: runs the TypeScript sources directly through tsx (no build step).
require('tsx/cjs');
require('../src/main.ts');
