const preset = require('../../jest.preset.js');

module.exports = { ...preset, displayName: 'gravity-vit', rootDir: __dirname };
