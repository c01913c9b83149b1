/**
 * Anything that stops us from getting a broker: missing Java or Maven, a broker that never
 * answers, a malformed KAFKA_BROKERS. The message is meant for a person and says what to do.
 */
class KafkaSetupError extends Error {
  constructor(message, options) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaSetupError';
  }
}

/** What a person can do when this machine cannot run the broker itself. */
const ALTERNATIVES = [
  'point at a running cluster with KAFKA_BROKERS=host:port[,host:port]',
  'or use Docker: `docker compose up -d kafka` then KAFKA_BROKERS=127.0.0.1:9092, or KAFKA_BACKEND=testcontainers in tests',
];

module.exports = { KafkaSetupError, ALTERNATIVES };
