// Jest globalSetup for projects whose specs need Kafka. With KAFKA_BROKERS set (`npm test`
// starts one broker for the whole run and passes it down) it only checks that the cluster
// answers; otherwise it starts one through the backend switch in tools/kafka and hands its
// address to the workers, which jest forks after this function resolves.
const { provideKafka } = require('../kafka/broker.cjs');

const HANDLE = Symbol.for('hum.testing.kafka');

module.exports = async function humKafkaGlobalSetup() {
  const broker = await provideKafka({
    env: process.env,
    log: (line) => process.stderr.write(`[kafka] ${line}\n`),
  });
  if (broker.started) {
    process.env.KAFKA_BROKERS = broker.brokers;
    // globalSetup and globalTeardown run in the same process, so the handle survives here.
    globalThis[HANDLE] = broker;
  }
};

module.exports.HANDLE = HANDLE;
