require('../../tools/testing/pglite-jest.cjs').allowPGliteInJest();

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'audit',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
};
