// Entry point of the Kafka harness for jest global setup, scripts and the CLI. CommonJS so
// that every one of them can require it without a build step.
const { resolveKafkaBackend, isDockerAvailable, BACKENDS } = require('./lib/backend.cjs');
const { KafkaSetupError } = require('./lib/errors.cjs');
const { ensureJars, checkJava, checkMaven, parseJavaMajor } = require('./lib/jars.cjs');
const { startBroker, serverProperties, randomClusterId } = require('./lib/jvm-broker.cjs');
const { KAFKA_VERSION, LIBS_DIR, RUN_DIR, WORKSPACE_ROOT } = require('./lib/paths.cjs');
const { stopProcess, isAlive } = require('./lib/processes.cjs');
const { waitForKafka, parseBrokerList } = require('./lib/readiness.cjs');
const {
  startTestcontainersBroker,
  BROKER_ENVIRONMENT: TESTCONTAINERS_BROKER_ENVIRONMENT,
  DEFAULT_IMAGE: TESTCONTAINERS_DEFAULT_IMAGE,
} = require('./lib/testcontainers-broker.cjs');

const EXTERNAL_READY_TIMEOUT_MS = 20_000;

/**
 * A broker for one run, wherever `resolveKafkaBackend(env)` says it comes from. `started`
 * tells whether `stop()` will stop anything: a cluster named by KAFKA_BROKERS is only
 * checked for an answer, never stopped.
 */
async function provideKafka({
  env = process.env,
  log = () => undefined,
  heapMb,
  externalReadyTimeoutMs = EXTERNAL_READY_TIMEOUT_MS,
} = {}) {
  const backend = resolveKafkaBackend(env);
  log(`Kafka backend: ${backend.kind} (${backend.reason})`);
  switch (backend.kind) {
    case 'external': {
      await waitForKafka(backend.brokers, {
        timeoutMs: externalReadyTimeoutMs,
        describeFailure: () =>
          '. KAFKA_BROKERS names a cluster that must already run; unset it to let the harness start one.',
      });
      return {
        backend: backend.kind,
        brokers: backend.brokers.join(','),
        started: false,
        stop: async () => 'not-started',
      };
    }
    case 'testcontainers': {
      const broker = await startTestcontainersBroker({ log, env });
      return { backend: backend.kind, brokers: broker.brokers, started: true, stop: broker.stop };
    }
    case 'jvm': {
      const broker = await startBroker({ log, env, heapMb });
      return {
        backend: backend.kind,
        brokers: broker.brokers,
        started: true,
        dataDir: broker.dataDir,
        stop: broker.stop,
      };
    }
    default:
      throw new KafkaSetupError(`unknown Kafka backend ${backend.kind}`);
  }
}

module.exports = {
  WORKSPACE_ROOT,
  KAFKA_VERSION,
  LIBS_DIR,
  RUN_DIR,
  BACKENDS,
  KafkaSetupError,
  provideKafka,
  resolveKafkaBackend,
  isDockerAvailable,
  ensureJars,
  checkJava,
  checkMaven,
  parseJavaMajor,
  startBroker,
  serverProperties,
  randomClusterId,
  startTestcontainersBroker,
  TESTCONTAINERS_BROKER_ENVIRONMENT,
  TESTCONTAINERS_DEFAULT_IMAGE,
  waitForKafka,
  parseBrokerList,
  stopProcess,
  isAlive,
};
