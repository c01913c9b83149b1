module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'scanner-formats',
  rootDir: __dirname,
};
