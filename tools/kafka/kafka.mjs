#!/usr/bin/env node
// `npm run kafka:start | kafka:stop | kafka:fetch` (and `node tools/kafka/kafka.mjs status`):
// the pinned Apache Kafka broker for people, without Docker. The broker runs detached; its
// pid, ports and data directory are kept in tools/kafka/.run/broker.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const {
  KAFKA_VERSION,
  RUN_DIR,
  KafkaSetupError,
  ensureJars,
  startBroker,
  stopProcess,
  isAlive,
  waitForKafka,
} = require('./broker.cjs');

const STATE_FILE = path.join(RUN_DIR, 'broker.json');
const DATA_DIR = path.join(RUN_DIR, 'data');
const USAGE = `usage: node tools/kafka/kafka.mjs <command> [options]

commands:
  start   start Apache Kafka ${KAFKA_VERSION} (KRaft, one node) in the background and print
          KAFKA_BROKERS; reports the running broker if there is one
            --port <n>     client port (default: a free one)
            --heap-mb <n>  JVM heap (default 512)
  stop    stop the broker started by \`start\` and delete its data
  status  say whether it runs and where (exit 1 if it does not)
  fetch   download the broker jars with Maven (once; later runs are offline)

With Docker you can use \`docker compose up -d kafka\` instead (KAFKA_BROKERS=127.0.0.1:9092).`;

const out = (line) => process.stdout.write(`${line}\n`);
const note = (line) => process.stderr.write(`${line}\n`);

function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw new KafkaSetupError(`${STATE_FILE} is unreadable (${error.message}); delete it.`, {
      cause: error,
    });
  }
}

function clearState(state) {
  fs.rmSync(STATE_FILE, { force: true });
  if (state?.dataDir) fs.rmSync(state.dataDir, { recursive: true, force: true });
}

/** Guards against pid reuse: only a JVM running our properties file is "our broker". */
function isOurBroker(state) {
  if (!state?.pid || !isAlive(state.pid)) return false;
  let commandLine;
  try {
    commandLine = fs.readFileSync(`/proc/${state.pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    const ps = spawnSync('ps', ['-p', String(state.pid), '-o', 'command='], { encoding: 'utf8' });
    commandLine = ps.stdout ?? '';
  }
  return commandLine.includes('kafka.Kafka') && commandLine.includes(state.propertiesFile);
}

async function answers(state) {
  try {
    await waitForKafka([state.brokers], { timeoutMs: 5_000 });
    return true;
  } catch {
    return false;
  }
}

function printRunning(state, prefix) {
  note(`${prefix} (pid ${state.pid}, data ${state.dataDir}, log ${state.logFile})`);
  out(`KAFKA_BROKERS=${state.brokers}`);
}

async function start(options) {
  const existing = readState();
  if (existing && isOurBroker(existing)) {
    if (!(await answers(existing))) {
      throw new KafkaSetupError(
        `A broker from kafka:start runs (pid ${existing.pid}) but does not answer at ${existing.brokers}; ` +
          `see ${existing.logFile}, or run kafka:stop and start again.`,
      );
    }
    printRunning(
      existing,
      `Kafka ${existing.kafkaVersion} is already running at ${existing.brokers}`,
    );
    return;
  }
  if (existing) note(`Removing state of a broker that is no longer running (pid ${existing.pid}).`);
  clearState(existing);
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  fs.mkdirSync(DATA_DIR, { recursive: true });
  let broker;
  try {
    broker = await startBroker({
      dataDir: DATA_DIR,
      detached: true,
      log: note,
      port: options.port === undefined ? undefined : Number(options.port),
      heapMb: options['heap-mb'] === undefined ? undefined : Number(options['heap-mb']),
    });
  } catch (error) {
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
    throw error;
  }
  const state = {
    kafkaVersion: KAFKA_VERSION,
    pid: broker.pid,
    brokers: broker.brokers,
    port: broker.port,
    controllerPort: broker.controllerPort,
    dataDir: broker.dataDir,
    logFile: broker.logFile,
    propertiesFile: path.join(broker.dataDir, 'server.properties'),
    startedAt: new Date().toISOString(),
  };
  fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  printRunning(state, `Kafka ${KAFKA_VERSION} started at ${state.brokers}`);
}

async function stop() {
  const state = readState();
  if (!state) {
    note('No broker from kafka:start is running.');
    return;
  }
  if (!isOurBroker(state)) {
    note(
      `The broker from kafka:start (pid ${state.pid}) had already exited; cleaned up its state.`,
    );
    clearState(state);
    return;
  }
  const outcome = await stopProcess(state.pid, { graceMs: 20_000 });
  clearState(state);
  note(`Stopped Kafka at ${state.brokers} (pid ${state.pid}, ${outcome}).`);
}

async function status() {
  const state = readState();
  if (!state || !isOurBroker(state)) {
    note('Kafka (kafka:start) is not running.');
    return 1;
  }
  if (!(await answers(state))) {
    note(
      `Kafka process ${state.pid} runs but does not answer at ${state.brokers}; see ${state.logFile}.`,
    );
    return 1;
  }
  printRunning(state, `Kafka ${state.kafkaVersion} is running at ${state.brokers}`);
  return 0;
}

function fetch() {
  const { libsDir, jars, fetched } = ensureJars({ log: note });
  note(
    `Kafka ${KAFKA_VERSION}: ${jars.length} jars ${fetched ? 'fetched into' : 'already in'} ${libsDir}`,
  );
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'heap-mb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || command === undefined) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  fs.mkdirSync(RUN_DIR, { recursive: true });
  switch (command) {
    case 'start':
      await start(values);
      return 0;
    case 'stop':
      await stop();
      return 0;
    case 'status':
      return status();
    case 'fetch':
      fetch();
      return 0;
    default:
      note(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    note(error instanceof KafkaSetupError ? error.message : (error.stack ?? String(error)));
    process.exitCode = 1;
  },
);
