// PGlite's CommonJS build loads Node built-ins with import() (electric-sql/pglite#224), which
// jest's module sandbox allows only under --experimental-vm-modules. Jest's worker processes
// inherit NODE_OPTIONS from this one, and a worker memory limit makes jest always use workers
// (never run in band), so `jest -c libs/persistence/jest.config.cjs` works as is.
const VM_MODULES = '--experimental-vm-modules';
const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
if (!process.execArgv.includes(VM_MODULES) && !nodeOptions.includes(VM_MODULES)) {
  process.env.NODE_OPTIONS = [...nodeOptions, VM_MODULES].join(' ');
}

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'persistence',
  rootDir: __dirname,
  workerIdleMemoryLimit: '4GB',
};
