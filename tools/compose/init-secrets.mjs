#!/usr/bin/env node
// Writes the secrets docker-compose.yml mounts (random, 0600, in .hum-data/compose-secrets/),
// once: an existing secret is kept, so `docker compose up` after a restart finds the same ones.
//   node tools/compose/init-secrets.mjs && docker compose up -d
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = path.join(root, '.hum-data', 'compose-secrets');
const token = (bytes = 24) => randomBytes(bytes).toString('base64url');

/** Every secret docker-compose.yml names under `secrets:`, with how to make one. */
export const COMPOSE_SECRETS = {
  ops_token: () => token(),
  postgres_password: () => token(18),
  database_url: (made) =>
    `postgres://hum:${encodeURIComponent(made.postgres_password)}@postgres:5432/hum`,
  patcher_operator_token: () => token(),
  github_token: () => `ghp_${randomBytes(18).toString('hex')}`,
  jira_api_token: () => token(),
};

function main() {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = {};
  for (const [name, make] of Object.entries(COMPOSE_SECRETS)) {
    const file = path.join(dir, name);
    if (existsSync(file)) {
      made[name] = readFileSync(file, 'utf8');
      continue;
    }
    made[name] = make(made);
    writeFileSync(file, made[name], { mode: 0o600 });
  }
  process.stdout.write(`compose secrets in ${path.relative(root, dir)}/ (kept if present)\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
