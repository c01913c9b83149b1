const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'policy',
  rootDir: __dirname,
  globalSetup: path.join(__dirname, '../../tools/testing/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../tools/testing/jest-global-teardown.cjs'),
};
