// "Ready" means what clients need: the admin API answers describeCluster with a broker and
// a controller. A log line can say "started" before the listener accepts requests.
const { Kafka, logLevel } = require('kafkajs');
const { KafkaSetupError } = require('./errors.cjs');

const BROKER_LIST = /^(\[[0-9a-fA-F:.]+\]|[^\s:,[\]]+):(\d{1,5})$/;

/** "a:1, b:2" -> ["a:1", "b:2"]; throws on anything that is not host:port. */
function parseBrokerList(value, source = 'KAFKA_BROKERS') {
  const brokers = String(value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) {
    throw new KafkaSetupError(`${source} is empty; expected host:port[,host:port]`);
  }
  for (const broker of brokers) {
    const match = BROKER_LIST.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new KafkaSetupError(`${source} has "${broker}", which is not host:port`);
    }
  }
  return brokers;
}

async function describeOnce(brokers) {
  const kafka = new Kafka({
    clientId: 'hum-kafka-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) {
      throw new Error('cluster metadata has no broker or no controller yet');
    }
    return cluster;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Polls until the cluster answers or `timeoutMs` passes. `aborted()` lets a caller stop
 * early (the broker process died); `describeFailure()` adds context to the error.
 */
async function waitForKafka(brokers, options = {}) {
  const {
    timeoutMs = 60_000,
    intervalMs = 250,
    aborted = () => undefined,
    describeFailure = () => '',
  } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    const abortReason = aborted();
    if (abortReason) throw new KafkaSetupError(`${abortReason}${describeFailure()}`);
    try {
      return await describeOnce(brokers);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new KafkaSetupError(
        `Kafka at ${brokers.join(',')} did not answer describeCluster within ${timeoutMs} ms ` +
          `(last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` +
          describeFailure(),
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function untilDeadline(what, brokers, deadline, intervalMs, attempt) {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new KafkaSetupError(
          `Kafka at ${brokers.join(',')} is up but its ${what} did not become available: ${error.message}`,
          { cause: error },
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * On a fresh cluster the first FindCoordinator creates __consumer_offsets (and the first
 * transaction __transaction_state); until they have loaded, group joins and producer-id
 * requests fail with "coordinator is loading". Going through each once here keeps the first
 * consumer, idempotent producer and transaction of every test run from tripping over it.
 */
async function warmUpCoordinators(brokers, { timeoutMs = 30_000, intervalMs = 250 } = {}) {
  const kafka = new Kafka({
    clientId: 'hum-kafka-warmup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  const admin = kafka.admin();
  try {
    await admin.connect();
    await untilDeadline('group coordinator', brokers, deadline, intervalMs, () =>
      admin.describeGroups(['hum-kafka-warmup']),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await untilDeadline('transaction coordinator', brokers, deadline, intervalMs, async () => {
    const producer = kafka.producer({
      transactionalId: 'hum-kafka-warmup',
      idempotent: true,
      maxInFlightRequests: 1,
      // kafkajs refuses an idempotent producer without retries; the outer loop does the rest.
      retry: { retries: 1 },
    });
    try {
      await producer.connect();
      const transaction = await producer.transaction();
      await transaction.abort();
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  });
}

module.exports = { waitForKafka, warmUpCoordinators, parseBrokerList };
