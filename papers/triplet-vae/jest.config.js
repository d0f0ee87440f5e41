const preset = require('../../jest.preset.js');

module.exports = { ...preset, displayName: 'triplet-vae', rootDir: __dirname };
