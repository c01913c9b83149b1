// The one switch that decides where a broker comes from. Everything that needs Kafka (jest
// global setup, `npm test`, `npm run bench`) asks this function and nothing else.
const { spawnSync } = require('node:child_process');
const { KafkaSetupError } = require('./errors.cjs');
const { parseBrokerList } = require('./readiness.cjs');

const BACKENDS = ['external', 'testcontainers', 'jvm'];
const DOCKER_PROBE_TIMEOUT_MS = 5_000;

/** True when a Docker daemon answers `docker info` within a few seconds. */
function isDockerAvailable(env = process.env) {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    env,
    timeout: DOCKER_PROBE_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return !result.error && result.status === 0 && result.stdout.trim().length > 0;
}

/**
 * KAFKA_BROKERS set -> that cluster; KAFKA_BACKEND=external|testcontainers|jvm -> as asked;
 * else Docker answering -> Testcontainers; else the JVM broker from tools/kafka.
 * KAFKA_BROKERS wins over KAFKA_BACKEND so a runner that started a broker can hand it down
 * to child processes that still carry the user's KAFKA_BACKEND.
 */
function resolveKafkaBackend(env = process.env, { dockerAvailable = isDockerAvailable } = {}) {
  const requested = (env.KAFKA_BACKEND ?? '').trim().toLowerCase();
  if (requested !== '' && !BACKENDS.includes(requested)) {
    throw new KafkaSetupError(
      `KAFKA_BACKEND="${env.KAFKA_BACKEND}" is not one of ${BACKENDS.join(', ')} (or unset for automatic).`,
    );
  }
  if ((env.KAFKA_BROKERS ?? '').trim() !== '') {
    return {
      kind: 'external',
      brokers: parseBrokerList(env.KAFKA_BROKERS),
      reason: 'KAFKA_BROKERS is set',
    };
  }
  if (requested === 'external') {
    throw new KafkaSetupError(
      'KAFKA_BACKEND=external needs KAFKA_BROKERS=host:port[,host:port] naming the cluster to use.',
    );
  }
  if (requested === 'testcontainers' || requested === 'jvm') {
    return { kind: requested, reason: `KAFKA_BACKEND=${requested}` };
  }
  if (dockerAvailable(env)) {
    return { kind: 'testcontainers', reason: 'a Docker daemon answers `docker info`' };
  }
  return { kind: 'jvm', reason: 'no KAFKA_BROKERS and no Docker daemon' };
}

module.exports = { resolveKafkaBackend, isDockerAvailable, BACKENDS };
