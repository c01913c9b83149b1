#!/usr/bin/env node
// Writes docs/asyncapi.yaml and docs/schemas/*.json from libs/contracts (built into a private
// directory, never the shared dist/). libs/contracts has a spec that fails when these files
// drift from the code.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, writeFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const buildDir = path.join(root, 'tmp', `contracts-gen-${process.pid}`);
execFileSync(process.execPath, [path.join(root, 'tools/scripts/build.mjs'), '--out', buildDir], {
  stdio: 'ignore',
});
const contracts = require(path.join(buildDir, 'libs/contracts/src/index.js'));

const schemaDir = path.join(root, 'docs', 'schemas');
await mkdir(schemaDir, { recursive: true });
for (const file of await readdir(schemaDir)) {
  if (file.endsWith('.json')) await rm(path.join(schemaDir, file));
}
for (const [file, schema] of contracts.allJsonSchemas()) {
  await writeFile(path.join(schemaDir, file), `${JSON.stringify(schema, null, 2)}\n`);
}
await writeFile(path.join(root, 'docs', 'asyncapi.yaml'), contracts.renderAsyncApiYaml());
process.stdout.write(
  `wrote docs/asyncapi.yaml and ${contracts.allJsonSchemas().size} schemas in docs/schemas/\n`,
);
