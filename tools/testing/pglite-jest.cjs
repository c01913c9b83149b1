// PGlite's CommonJS build loads Node built-ins with import() (electric-sql/pglite#224), which
// jest's module sandbox allows only under --experimental-vm-modules. Jest's worker processes
// inherit NODE_OPTIONS from the process that reads the config; a config that needs PGlite calls
// this first, and sets a worker memory limit, which makes jest always use workers (never run in
// band), so `jest -c <config>` works as is.
const VM_MODULES = '--experimental-vm-modules';

function allowPGliteInJest() {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  if (!process.execArgv.includes(VM_MODULES) && !nodeOptions.includes(VM_MODULES)) {
    process.env.NODE_OPTIONS = [...nodeOptions, VM_MODULES].join(' ');
  }
}

module.exports = { allowPGliteInJest };
