// Shared jest settings for every project; each project's jest.config.cjs spreads this.
const path = require('node:path');
const { swcOptions, jestModuleNameMapper } = require('./tools/scripts/swc-options.cjs');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions({ rewritePaths: false })],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: jestModuleNameMapper(),
  testMatch: ['**/*.spec.ts'],
  setupFiles: ['reflect-metadata'],
  // Integration specs talk to a real broker and database; allow them time without
  // asserting on wall-clock durations anywhere.
  testTimeout: 60_000,
  clearMocks: true,
  reporters: ['default', path.join(__dirname, 'tools/testing/failure-digest-reporter.cjs')],
};
