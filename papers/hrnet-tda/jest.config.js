const preset = require('../../jest.preset.js');

module.exports = { ...preset, displayName: 'hrnet', rootDir: __dirname };
