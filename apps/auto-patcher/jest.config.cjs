const path = require('node:path');

require('../../tools/testing/pglite-jest.cjs').allowPGliteInJest();

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'auto-patcher',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
  globalSetup: path.join(__dirname, '../../tools/testing/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../tools/testing/jest-global-teardown.cjs'),
};
