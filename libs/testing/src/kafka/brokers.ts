import { Kafka, logLevel } from 'kafkajs';

/**
 * The brokers a spec must use: KAFKA_BROKERS, set by `npm test` or by the jest global setup
 * in tools/testing. Specs never start brokers of their own.
 */
export function testKafkaBrokers(): string[] {
  const value = process.env['KAFKA_BROKERS'] ?? '';
  const brokers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) {
    throw new Error(
      'KAFKA_BROKERS is not set, and this spec needs a real Kafka broker. Run it with `npm test`, ' +
        "or give the project's jest.config.cjs globalSetup/globalTeardown from tools/testing, or " +
        'start one with `npm run kafka:start` and export the KAFKA_BROKERS line it prints.',
    );
  }
  return brokers;
}

/** A kafkajs client for specs: the test brokers, errors only in the output. */
export function createTestKafka(clientId: string, brokers: string[] = testKafkaBrokers()): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.ERROR });
}
