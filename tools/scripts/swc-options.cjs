// One swc configuration for the build and for jest, so tests run the code the build ships.
// Path aliases come from tsconfig.base.json, the single place where they are declared.
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '..', '..');

function readTsPaths() {
  const text = fs.readFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), 'utf8');
  return JSON.parse(text).compilerOptions.paths;
}

/** @param {{ rewritePaths: boolean }} opts */
function swcOptions({ rewritePaths }) {
  const jsc = {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  };
  if (rewritePaths) {
    jsc.baseUrl = workspaceRoot;
    jsc.paths = readTsPaths();
  }
  return {
    jsc,
    module: { type: 'commonjs', strictMode: true, ignoreDynamic: true },
    sourceMaps: true,
    swcrc: false,
  };
}

/** jest moduleNameMapper entries for every alias in tsconfig.base.json. */
function jestModuleNameMapper() {
  const mapper = {};
  for (const [alias, targets] of Object.entries(readTsPaths())) {
    const escaped = alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace('\\*', '(.*)');
    mapper[`^${escaped}$`] = path.join(workspaceRoot, targets[0]).replace('*', '$1');
  }
  return mapper;
}

module.exports = { swcOptions, jestModuleNameMapper, workspaceRoot };
