// What `npm test` and `npm run bench` share: one broker for the whole run, child processes
// that see it, step timing, and clean-up on exit, failure and Ctrl-C.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const require = createRequire(import.meta.url);
const { provideKafka, KafkaSetupError } = require('../kafka/broker.cjs');

export { KafkaSetupError };

export const say = (line) => process.stderr.write(`${line}\n`);

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Node >= min (e.g. "20.19.0"), else a message saying what runs and what is needed. */
export function checkNodeVersion(min, actual = process.versions.node) {
  const parse = (version) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [want, have] = [parse(min), parse(actual)];
  for (let i = 0; i < 3; i += 1) {
    if (have[i] > want[i]) return undefined;
    if (have[i] < want[i]) return `Node ${min} or newer is needed; this is Node ${actual}.`;
  }
  return undefined;
}

/**
 * Tracks Ctrl-C / SIGTERM: the running child is told too (a terminal already signals the
 * whole process group; a CI runner's SIGTERM reaches only us), and the run then winds down
 * through its normal clean-up instead of dying with the broker still up.
 */
export function interruptible() {
  const state = { signal: undefined, child: undefined };
  const handler = (signal) => {
    if (state.signal) return;
    state.signal = signal;
    say(`\n${signal}: stopping after the current step, then cleaning up ...`);
    state.child?.kill(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return state;
}

export function exitCodeFor(signal) {
  return signal === 'SIGINT' ? 130 : 143;
}

/** Runs a command with inherited stdio; resolves with its exit code (signals count as failure). */
export function runCommand(command, args, { env, interrupt }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    if (interrupt) interrupt.child = child;
    child.once('error', (error) => {
      say(`could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      if (interrupt) interrupt.child = undefined;
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}

/** One broker for the run, through the backend switch; KAFKA_BROKERS set means reuse it. */
export async function brokerForRun(env) {
  return provideKafka({ env, log: (line) => say(`  kafka: ${line}`) });
}

export function printSummary(title, rows) {
  const width = Math.max(...rows.map((row) => row.name.length));
  say(`\n${title}`);
  for (const row of rows) {
    say(
      `  ${row.ok ? 'ok  ' : 'FAIL'}  ${row.name.padEnd(width)}  ${seconds(row.ms).padStart(8)}${row.note ? `  ${row.note}` : ''}`,
    );
  }
}
