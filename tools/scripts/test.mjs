#!/usr/bin/env node
// `npm test`: the one test command. Checks what the tests need (Node, PostgreSQL, one Kafka
// broker for the whole run), then runs format check, lint, typecheck, build and every
// project's tests, failing fast and timing each step. Arguments after `--` go to
// `nx run-many` (e.g. `npm test -- --projects=contracts`), except `--skip=<steps>` (e.g.
// `--skip=format,lint`) for a quicker local loop; CI never skips.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  brokerForRun,
  checkNodeVersion,
  exitCodeFor,
  interruptible,
  KafkaSetupError,
  printSummary,
  runCommand,
  say,
  seconds,
} from '../testing/run-support.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const MIN_NODE = '20.19.0';
// Written by tools/testing/failure-digest-reporter.cjs, one file per failing project.
const FAILURE_DIGEST_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../tmp/test-failures',
);
const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE_TIMEOUT_MS = 5_000;

const STEPS = [
  { name: 'format', command: 'npm', args: ['run', '--silent', 'format:check'] },
  { name: 'lint', command: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'typecheck', command: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'build', command: 'npm', args: ['run', '--silent', 'build'] },
  {
    name: 'test',
    command: 'npx',
    args: ['nx', 'run-many', '-t', 'test', '--parallel=2', '--outputStyle=stream'],
  },
];

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function checkDatabase(url) {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: DATABASE_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new KafkaSetupError(
      [
        `PostgreSQL is not reachable at ${redact(url)} (${error.message || error.code}).`,
        'Integration specs need it. Start it (on Debian: `pg_ctlcluster --skip-systemctl-redirect <version> main start`;',
        '.ci/run does that), or point HUM_TEST_DATABASE_URL at a server that runs.',
      ].join('\n  '),
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Repeats the failing tests last, where a reader of a long CI log looks first.
function printFailureDigest() {
  if (!existsSync(FAILURE_DIGEST_DIR)) return;
  const files = readdirSync(FAILURE_DIGEST_DIR).filter((name) => name.endsWith('.txt'));
  if (files.length === 0) return;
  say('\nFailing tests (full output above):');
  for (const name of files.sort()) {
    say(`\n[${name.replace(/\.txt$/, '')}]`);
    say(readFileSync(path.join(FAILURE_DIGEST_DIR, name), 'utf8').trimEnd());
  }
}

async function timed(rows, name, fn) {
  const started = Date.now();
  say(`\n▶ ${name}`);
  try {
    const note = await fn();
    const ms = Date.now() - started;
    rows.push({ name, ms, ok: true, note });
    say(`✔ ${name} (${seconds(ms)})`);
  } catch (error) {
    const ms = Date.now() - started;
    rows.push({ name, ms, ok: false, note: error.exitCode ? `exit ${error.exitCode}` : undefined });
    say(`✖ ${name} failed after ${seconds(ms)}`);
    throw error;
  }
}

class StepFailed extends Error {
  constructor(step, exitCode) {
    super(`${step} failed (exit ${exitCode})`);
    this.exitCode = exitCode;
  }
}

async function main() {
  const skipArgs = process.argv.slice(2).filter((arg) => arg.startsWith('--skip='));
  const skip = new Set(skipArgs.flatMap((arg) => arg.slice('--skip='.length).split(',')));
  const passThrough = process.argv.slice(2).filter((arg) => !arg.startsWith('--skip='));
  const interrupt = interruptible();
  const rows = [];
  const started = Date.now();
  let broker;
  let exitCode = 0;
  try {
    const nodeProblem = checkNodeVersion(MIN_NODE);
    if (nodeProblem) throw new KafkaSetupError(nodeProblem);
    const unknown = [...skip].filter((name) => !STEPS.some((step) => step.name === name));
    if (unknown.length > 0) {
      throw new KafkaSetupError(
        `--skip=${unknown.join(',')}: no such step (steps: ${STEPS.map((s) => s.name).join(', ')})`,
      );
    }

    const env = {
      ...process.env,
      HUM_TEST_DATABASE_URL: process.env.HUM_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
    };
    await timed(rows, 'postgres', async () => {
      await checkDatabase(env.HUM_TEST_DATABASE_URL);
      return redact(env.HUM_TEST_DATABASE_URL);
    });
    await timed(rows, 'kafka', async () => {
      broker = await brokerForRun(env);
      env.KAFKA_BROKERS = broker.brokers;
      return `${broker.backend}, KAFKA_BROKERS=${broker.brokers}`;
    });

    for (const step of STEPS) {
      if (interrupt.signal) break;
      if (skip.has(step.name)) {
        say(`\n- ${step.name} skipped (--skip)`);
        continue;
      }
      const args = step.name === 'test' ? [...step.args, ...passThrough] : step.args;
      if (step.name === 'test') rmSync(FAILURE_DIGEST_DIR, { recursive: true, force: true });
      await timed(rows, step.name, async () => {
        const code = await runCommand(step.command, args, { env, interrupt });
        if (code !== 0) throw new StepFailed(step.name, code);
      });
    }
  } catch (error) {
    if (error instanceof KafkaSetupError) say(`\n${error.message}`);
    else if (!(error instanceof StepFailed)) say(`\n${error.stack ?? error}`);
    exitCode = error.exitCode ?? 1;
  } finally {
    if (broker?.started) {
      const stopping = Date.now();
      await broker.stop().catch((error) => say(`stopping the broker failed: ${error.message}`));
      rows.push({ name: 'kafka stop', ms: Date.now() - stopping, ok: true });
    }
  }
  if (interrupt.signal) exitCode = exitCodeFor(interrupt.signal);
  if (exitCode !== 0) printFailureDigest();
  printSummary(
    `npm test ${exitCode === 0 ? 'passed' : 'FAILED'} in ${seconds(Date.now() - started)}`,
    rows,
  );
  process.exitCode = exitCode;
}

await main();
