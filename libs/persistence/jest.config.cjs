require('../../tools/testing/pglite-jest.cjs').allowPGliteInJest();

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'persistence',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
};
