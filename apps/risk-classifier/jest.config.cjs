const path = require('node:path');

// PGlite's CommonJS build loads Node built-ins with import() (electric-sql/pglite#224), which
// jest allows only under --experimental-vm-modules; workers inherit NODE_OPTIONS from here.
const VM_MODULES = '--experimental-vm-modules';
const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
if (!process.execArgv.includes(VM_MODULES) && !nodeOptions.includes(VM_MODULES)) {
  process.env.NODE_OPTIONS = [...nodeOptions, VM_MODULES].join(' ');
}

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'risk-classifier',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
  globalSetup: path.join(__dirname, '../../tools/testing/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../tools/testing/jest-global-teardown.cjs'),
};
