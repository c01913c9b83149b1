#!/usr/bin/env node
// `npm run bench`: builds, then runs every bench/*.bench.mjs against one broker for the whole
// run (the same backend switch as `npm test`). Words select benches by name; `--flags` go to
// the selected bench, so give them with one bench only. `--skip-build` uses dist/ as it is.
//   npm run bench
//   npm run bench -- kafka-baseline --messages=50000
import { readdirSync } from 'node:fs';
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

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
const SUFFIX = '.bench.mjs';

function selectBenches(filters) {
  const all = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith(SUFFIX))
    .sort();
  const chosen =
    filters.length === 0 ? all : all.filter((file) => filters.some((f) => file.includes(f)));
  if (chosen.length === 0) {
    throw new KafkaSetupError(
      `no bench matches ${filters.join(', ') || '(any)'}; there are: ${all.join(', ') || 'none'}`,
    );
  }
  return chosen;
}

async function main() {
  const args = process.argv.slice(2).filter((arg) => arg !== '--skip-build');
  const skipBuild = args.length !== process.argv.length - 2;
  const benchArgs = args.filter((arg) => arg.startsWith('--'));
  const interrupt = interruptible();
  const rows = [];
  let broker;
  let exitCode = 0;
  try {
    const nodeProblem = checkNodeVersion('20.19.0');
    if (nodeProblem) throw new KafkaSetupError(nodeProblem);
    const benches = selectBenches(args.filter((arg) => !arg.startsWith('--')));
    if (benchArgs.length > 0 && benches.length > 1) {
      throw new KafkaSetupError(
        `${benchArgs.join(' ')} would go to ${benches.length} benches with different options; name one.`,
      );
    }
    const env = { ...process.env };
    if (!skipBuild) {
      // Benches measure the built code in dist/, so it must be today's.
      const buildStarted = Date.now();
      const code = await runCommand('npm', ['run', '--silent', 'build'], { env, interrupt });
      rows.push({ name: 'build', ms: Date.now() - buildStarted, ok: code === 0 });
      if (code !== 0) throw new KafkaSetupError(`npm run build failed (exit ${code})`);
    }
    const brokerStarted = Date.now();
    broker = await brokerForRun(env);
    env.KAFKA_BROKERS = broker.brokers;
    rows.push({ name: 'kafka', ms: Date.now() - brokerStarted, ok: true, note: broker.backend });
    for (const file of benches) {
      if (interrupt.signal) break;
      say(`\n▶ ${file}`);
      const started = Date.now();
      const code = await runCommand(process.execPath, [path.join(BENCH_DIR, file), ...benchArgs], {
        env,
        interrupt,
      });
      rows.push({ name: file, ms: Date.now() - started, ok: code === 0 });
      say(`${code === 0 ? '✔' : '✖'} ${file} (${seconds(Date.now() - started)})`);
      if (code !== 0) exitCode = code;
    }
  } catch (error) {
    say(error instanceof KafkaSetupError ? error.message : (error.stack ?? String(error)));
    exitCode = 1;
  } finally {
    if (broker?.started) await broker.stop();
  }
  if (interrupt.signal) exitCode = exitCodeFor(interrupt.signal);
  printSummary(`npm run bench ${exitCode === 0 ? 'done' : 'FAILED'}`, rows);
  process.exitCode = exitCode;
}

await main();
