// Nx loads a generator with require(): register tsx so that the TypeScript implementation can be required.
require('tsx/cjs');
module.exports = require('./generator.ts');
