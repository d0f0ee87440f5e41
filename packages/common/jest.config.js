const preset = require('../../jest.preset.js');

module.exports = { ...preset, displayName: 'common', rootDir: __dirname };
