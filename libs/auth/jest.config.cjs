const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'auth',
  rootDir: __dirname,
  // KafkaApiKeyStore's spec runs against a real broker: KAFKA_BROKERS, or one started here.
  globalSetup: path.join(__dirname, '../../tools/testing/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../tools/testing/jest-global-teardown.cjs'),
};
