const path = require('node:path');

require('../../tools/testing/pglite-jest.cjs').allowPGliteInJest();

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'kafka',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
  // One broker for the run: reused when KAFKA_BROKERS is set, else started and stopped here.
  globalSetup: path.join(__dirname, '../../tools/testing/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../tools/testing/jest-global-teardown.cjs'),
};
