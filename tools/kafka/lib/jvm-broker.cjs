// Runs the pinned Apache Kafka broker as a KRaft single node (broker + controller in one JVM)
// on free loopback ports. Settings follow the single-node notes in KAFKA-NOTES.md: every
// internal topic at replication 1, no initial rebalance delay, no auto-created topics.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { KafkaSetupError } = require('./errors.cjs');
const { classDataSharing } = require('./class-data-sharing.cjs');
const { ensureJars } = require('./jars.cjs');
const { LOG4J_CONFIG_FILE, KAFKA_VERSION } = require('./paths.cjs');
const { stopProcess } = require('./processes.cjs');
const { waitForKafka, warmUpCoordinators } = require('./readiness.cjs');

const LOOPBACK = '127.0.0.1';
const BIND_RETRIES = 3;
const LOG_TAIL_LINES = 40;

function serverProperties({ port, controllerPort, logDir }) {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${LOOPBACK}:${controllerPort}`,
    `listeners=PLAINTEXT://${LOOPBACK}:${port},CONTROLLER://${LOOPBACK}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${LOOPBACK}:${port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'auto.create.topics.enable=false',
    // The defaults (3) cannot be met by one node: consumers would never find a coordinator.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Tests join groups constantly; the 3 s default delay would dominate their run time.
    'group.initial.rebalance.delay.ms=0',
  ].join('\n')}\n`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function twoFreePorts() {
  const first = await freePort();
  let second = await freePort();
  while (second === first) second = await freePort();
  return [first, second];
}

function tailOf(file, lines = LOG_TAIL_LINES) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker log was written)';
  }
}

function classpathArgs(libsDir) {
  return [`-Dlog4j2.configurationFile=${LOG4J_CONFIG_FILE}`, '-cp', path.join(libsDir, '*')];
}

function brokerJvmArgs({ libsDir, heapMb, cds }) {
  return [
    `-Xms${Math.min(128, heapMb)}m`,
    `-Xmx${heapMb}m`,
    // kafka-run-class.sh's defaults, which the broker is tuned for.
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    ...cds.args,
    ...classpathArgs(libsDir),
  ];
}

/** A one-shot tool: the quick JIT tier and the serial collector start fastest. */
function toolJvmArgs({ libsDir, cds }) {
  return [
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    ...cds.args,
    ...classpathArgs(libsDir),
  ];
}

/**
 * 16 random bytes in URL-safe base64, as Kafka's Uuid.randomUuid(): re-rolled when it starts
 * with "-", which the storage tool's argument parser would take for an option.
 */
function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function formatStorage({ runtime, propertiesFile, logFile, env }) {
  const clusterId = randomClusterId();
  const cds = classDataSharing('storage-tool', { ...runtime, env });
  const result = spawnSync(
    runtime.java,
    [
      ...toolJvmArgs({ libsDir: runtime.libsDir, cds }),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propertiesFile,
    ],
    { encoding: 'utf8', env, timeout: 120_000 },
  );
  cds.commit(!result.error && result.status === 0);
  fs.appendFileSync(logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.error || result.status !== 0) {
    throw new KafkaSetupError(
      `Formatting the Kafka storage in ${path.dirname(propertiesFile)} failed ` +
        `(${result.error?.message ?? `exit ${result.status}`}):\n${tailOf(logFile)}`,
      { cause: result.error },
    );
  }
}

async function launchOnce({
  runtime,
  dataDir,
  port,
  controllerPort,
  heapMb,
  detached,
  env,
  readyTimeoutMs,
}) {
  const logDir = path.join(dataDir, 'kraft-logs');
  const propertiesFile = path.join(dataDir, 'server.properties');
  const logFile = path.join(dataDir, 'broker.log');
  fs.writeFileSync(propertiesFile, serverProperties({ port, controllerPort, logDir }));
  fs.writeFileSync(logFile, '');
  // A formatted directory keeps its cluster id; formatting it again with a new one fails.
  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    formatStorage({ runtime, propertiesFile, logFile, env });
  }

  const cds = classDataSharing('broker', { ...runtime, env, create: !detached });
  const out = fs.openSync(logFile, 'a');
  const args = [
    ...brokerJvmArgs({ libsDir: runtime.libsDir, heapMb, cds }),
    'kafka.Kafka',
    propertiesFile,
  ];
  const child = spawn(runtime.java, args, { stdio: ['ignore', out, out], detached, env });
  fs.closeSync(out);
  let exit;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', (error) => {
      exit = { code: null, signal: null, error };
      resolve(exit);
    });
  });
  // A crashed test runner must not leave a JVM behind. Detached brokers are meant to outlive us.
  const killOnExit = () => {
    if (!child.pid || exit) return;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill: nothing left to clean up.
    }
  };
  if (detached) child.unref();
  else process.once('exit', killOnExit);

  const brokers = `${LOOPBACK}:${port}`;
  try {
    await waitForKafka([brokers], {
      timeoutMs: readyTimeoutMs,
      aborted: () =>
        exit &&
        `The Kafka broker exited before it was ready (${exit.error?.message ?? `code ${exit.code}, signal ${exit.signal}`}).`,
      describeFailure: () =>
        `\n--- ${logFile} (last ${LOG_TAIL_LINES} lines) ---\n${tailOf(logFile)}`,
    });
    await warmUpCoordinators([brokers]);
  } catch (error) {
    if (child.pid) await stopProcess(child.pid, { graceMs: 2_000, exited });
    process.removeListener('exit', killOnExit);
    cds.commit(false);
    error.bindConflict = /Address already in use|BindException/.test(tailOf(logFile, 200));
    throw error;
  }
  return { child, exited, killOnExit, cds, brokers, logFile, propertiesFile };
}

/**
 * Starts one broker and resolves once clients can use it. `stop()` sends SIGTERM, then
 * SIGKILL after `stopGraceMs`, and removes the data directory if this call created it.
 * With `detached` the JVM runs in its own process group and survives this process.
 */
async function startBroker(options = {}) {
  const {
    log = () => undefined,
    heapMb = 512,
    detached = false,
    env = process.env,
    readyTimeoutMs = 90_000,
    stopGraceMs = 15_000,
  } = options;
  const runtime = ensureJars({ log, env });
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hum-kafka-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const fixedPorts = options.port !== undefined;

  for (let attempt = 1; ; attempt += 1) {
    const [port, controllerPort] = fixedPorts
      ? [options.port, options.controllerPort ?? (await freePort())]
      : await twoFreePorts();
    const started = Date.now();
    log(`Starting Apache Kafka ${KAFKA_VERSION} (JVM, KRaft) on ${LOOPBACK}:${port} ...`);
    try {
      const launched = await launchOnce({
        runtime,
        dataDir,
        port,
        controllerPort,
        heapMb,
        detached,
        env,
        readyTimeoutMs,
      });
      log(
        `Kafka ready at ${launched.brokers} in ${Date.now() - started} ms (log: ${launched.logFile})`,
      );
      return brokerHandle({ ...launched, port, controllerPort, dataDir, ownsDataDir, stopGraceMs });
    } catch (error) {
      // Free ports are picked, then bound by the JVM seconds later; another process can
      // take one in between. Only then is a fresh attempt the right answer.
      const retry = error.bindConflict && !fixedPorts && attempt < BIND_RETRIES && ownsDataDir;
      if (!retry) {
        if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
        throw error;
      }
      log(`Port taken before the broker bound it; retrying on new ports (attempt ${attempt + 1}).`);
      fs.rmSync(path.join(dataDir, 'kraft-logs'), { recursive: true, force: true });
    }
  }
}

function brokerHandle({
  child,
  exited,
  killOnExit,
  cds,
  brokers,
  logFile,
  port,
  controllerPort,
  dataDir,
  ownsDataDir,
  stopGraceMs,
}) {
  let stopping;
  return {
    brokers,
    port,
    controllerPort,
    pid: child.pid,
    dataDir,
    logFile,
    exited,
    stop() {
      stopping ??= (async () => {
        // Writing the class-data archive at exit takes a while the first time; let it finish.
        const graceMs = cds.creating ? Math.max(stopGraceMs, 60_000) : stopGraceMs;
        const outcome = await stopProcess(child.pid, { graceMs, exited });
        process.removeListener('exit', killOnExit);
        cds.commit(outcome === 'terminated');
        if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
        return outcome;
      })();
      return stopping;
    },
  };
}

module.exports = { startBroker, serverProperties, freePort, randomClusterId };
