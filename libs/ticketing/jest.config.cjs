module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ticketing',
  rootDir: __dirname,
};
