// Stops the broker that jest-global-setup.cjs started, and nothing else: a cluster named by
// KAFKA_BROKERS before the run belongs to whoever started it.
const { HANDLE } = require('./jest-global-setup.cjs');

module.exports = async function humKafkaGlobalTeardown() {
  const broker = globalThis[HANDLE];
  if (!broker) return;
  delete globalThis[HANDLE];
  await broker.stop();
  if (process.env.KAFKA_BROKERS === broker.brokers) delete process.env.KAFKA_BROKERS;
};
