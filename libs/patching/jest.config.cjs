module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'patching',
  rootDir: __dirname,
};
