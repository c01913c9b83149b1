#!/usr/bin/env node
// `npm run --silent hum -- <args>`: runs the hum CLI from dist/, building first when dist/ is
// missing or older than a source under apps/ or libs/. The check compares modification times
// only (files and directories, so deletions count too) and takes milliseconds; the build's own
// output goes to stderr so that stdout stays the command's (`hum parse` writes JSON lines).
import { spawn, spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
const stamp = path.join(root, 'dist', '.build-stamp');
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'e2e', 'coverage']);

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The newest modification time of what the build ships from `dir` (specs and e2e suites excluded). */
async function newest(dir) {
  let latest = (await mtime(dir)) ?? 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return 0;
    throw error;
  }
  const nested = [];
  for (const item of entries) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(item.name)) nested.push(newest(full));
    } else if (!item.name.endsWith('.spec.ts')) {
      nested.push(mtime(full).then((t) => t ?? 0));
    }
  }
  for (const t of await Promise.all(nested)) latest = Math.max(latest, t);
  return latest;
}

async function buildIsStale() {
  const built = await mtime(stamp);
  if (built === undefined || (await mtime(entry)) === undefined)
    return 'dist/ has no build of the CLI';
  const sources = Math.max(
    await newest(path.join(root, 'apps')),
    await newest(path.join(root, 'libs')),
    (await mtime(path.join(root, 'tsconfig.base.json'))) ?? 0,
  );
  return sources > built ? 'sources changed since the last build' : undefined;
}

const reason = await buildIsStale();
if (reason !== undefined) {
  process.stderr.write(`hum: building first (${reason})\n`);
  const build = spawnSync(process.execPath, [path.join(root, 'tools', 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
// The terminal sends Ctrl-C to both processes; the CLI decides what it means.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
