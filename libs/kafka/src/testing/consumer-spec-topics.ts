import type { Kafka } from 'kafkajs';
import { TOPICS } from '@hum/contracts';
import { provisionTopics } from '../lib/topics';
import type { TopicNames } from '../lib/topics';

/**
 * What the consumer specs consume and produce: findings.raw with its dead-letter topic, and
 * tickets.events as the handlers' output.
 */
export async function provisionConsumerSpecTopics(kafka: Kafka, names: TopicNames): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, names, [TOPICS.findingsRaw], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await provisionTopics(admin, names, [TOPICS.ticketsEvents], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
  } finally {
    await admin.disconnect();
  }
}
