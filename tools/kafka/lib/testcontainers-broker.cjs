// Kafka in a container through @testcontainers/kafka 11.14. Its KafkaContainer drives the
// Confluent images' start script (/etc/confluent/docker/run), so the apache/kafka image is
// not an option here; cp-kafka 8.1.x is Confluent's build of Apache Kafka 4.1.x, the line
// tools/kafka pins. Tags >= 8.0.0 make the module run KRaft on its own.
const { KafkaSetupError } = require('./errors.cjs');
const { waitForKafka, warmUpCoordinators } = require('./readiness.cjs');

const DEFAULT_IMAGE = 'confluentinc/cp-kafka:8.1.1';
// The module's plaintext listener for clients outside the container.
const CLIENT_PORT = 9093;

/** Same single-node settings as the JVM broker, as cp-kafka environment variables. */
const BROKER_ENVIRONMENT = {
  KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
  KAFKA_NUM_PARTITIONS: '3',
  KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
  KAFKA_MIN_INSYNC_REPLICAS: '1',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
  KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
  KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
};

function loadKafkaContainer() {
  try {
    return require('@testcontainers/kafka').KafkaContainer;
  } catch (error) {
    throw new KafkaSetupError(
      '@testcontainers/kafka is not installed (run `npm ci`), or use KAFKA_BACKEND=jvm.',
      { cause: error },
    );
  }
}

async function startTestcontainersBroker({ log = () => undefined, env = process.env } = {}) {
  const image = env.KAFKA_TESTCONTAINERS_IMAGE || DEFAULT_IMAGE;
  const KafkaContainer = loadKafkaContainer();
  log(`Starting Kafka in Docker (${image}) with Testcontainers ...`);
  let container;
  try {
    container = await new KafkaContainer(image).withEnvironment(BROKER_ENVIRONMENT).start();
  } catch (error) {
    throw new KafkaSetupError(
      `Testcontainers could not start ${image}: ${error instanceof Error ? error.message : String(error)}. ` +
        'Check that Docker runs, or use KAFKA_BACKEND=jvm.',
      { cause: error },
    );
  }
  const brokers = `${container.getHost()}:${container.getMappedPort(CLIENT_PORT)}`;
  try {
    await waitForKafka([brokers], { timeoutMs: 60_000 });
    await warmUpCoordinators([brokers]);
  } catch (error) {
    await container.stop().catch(() => undefined);
    throw error;
  }
  log(`Kafka ready at ${brokers} (container ${container.getId().slice(0, 12)})`);
  let stopping;
  return {
    brokers,
    stop() {
      stopping ??= container.stop().then(() => 'terminated');
      return stopping;
    },
  };
}

module.exports = { startTestcontainersBroker, DEFAULT_IMAGE, BROKER_ENVIRONMENT };
