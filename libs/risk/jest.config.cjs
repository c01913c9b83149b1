module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'risk',
  rootDir: __dirname,
};
