#!/usr/bin/env node
// Compiles every app and lib (not specs) with swc into dist/, rewriting @hum/* aliases to
// relative paths so `node dist/apps/<app>/src/main.js` runs without a loader. Type checking
// is `npm run typecheck`; this step only transpiles, which keeps it fast on two cores.
import { transformFile } from '@swc/core';
import { createRequire } from 'node:module';
import { mkdir, readdir, copyFile, writeFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { swcOptions, workspaceRoot } = require('./swc-options.cjs');

const SOURCE_ROOTS = ['apps', 'libs'];
const ASSET_EXTENSIONS = new Set([
  '.json',
  '.yaml',
  '.yml',
  '.html',
  '.css',
  '.sql',
  '.csv',
  '.svg',
]);
// `--out <dir>` builds elsewhere (specs that spawn services build into their own temp dir,
// so they never race the shared dist/).
const outFlag = process.argv.indexOf('--out');
const outRoot =
  outFlag === -1 ? path.join(workspaceRoot, 'dist') : path.resolve(process.argv[outFlag + 1]);

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function isShippedSource(file) {
  const rel = path.relative(workspaceRoot, file).split(path.sep);
  // Only <root>/<project>/src/** (code) and <root>/<project>/data/** (shipped data files such
  // as threat-intel snapshots) ship; specs and e2e suites never do.
  return (
    (rel[2] === 'src' || rel[2] === 'data') && !file.endsWith('.spec.ts') && !file.endsWith('.d.ts')
  );
}

async function main() {
  const started = Date.now();
  await rm(outRoot, { recursive: true, force: true });
  const options = swcOptions({ rewritePaths: true });
  let compiled = 0;
  let copied = 0;
  const jobs = [];
  for (const root of SOURCE_ROOTS) {
    for await (const file of walk(path.join(workspaceRoot, root))) {
      if (!isShippedSource(file)) continue;
      const rel = path.relative(workspaceRoot, file);
      if (file.endsWith('.ts')) {
        const target = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
        jobs.push(
          transformFile(file, { ...options, filename: file, sourceFileName: file }).then(
            async (out) => {
              await mkdir(path.dirname(target), { recursive: true });
              await writeFile(
                target,
                `${out.code}\n//# sourceMappingURL=${path.basename(target)}.map\n`,
              );
              if (out.map) await writeFile(`${target}.map`, out.map);
              compiled += 1;
            },
          ),
        );
      } else if (ASSET_EXTENSIONS.has(path.extname(file))) {
        const target = path.join(outRoot, rel);
        jobs.push(
          mkdir(path.dirname(target), { recursive: true }).then(async () => {
            await copyFile(file, target);
            copied += 1;
          }),
        );
      }
    }
  }
  await Promise.all(jobs);
  await writeFile(path.join(outRoot, '.build-stamp'), new Date().toISOString());
  const ms = Date.now() - started;
  process.stdout.write(
    `build: ${compiled} modules, ${copied} assets -> ${path.relative(workspaceRoot, outRoot) || '.'}/ in ${ms} ms\n`,
  );
  await stat(outRoot);
}

main().catch((error) => {
  process.stderr.write(`build failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
