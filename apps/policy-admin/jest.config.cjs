const path = require('node:path');

require('../../tools/testing/pglite-jest.cjs').allowPGliteInJest();

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'policy-admin',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
  // Process and browser specs start the built service; they share two cores with a broker.
  testTimeout: 180_000,
  globalSetup: path.join(__dirname, '../../tools/testing/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../tools/testing/jest-global-teardown.cjs'),
};
