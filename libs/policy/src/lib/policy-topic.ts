import type { Kafka } from 'kafkajs';
import { TOPICS } from '@hum/contracts';
import { provisionTopics, type TopicNames } from '@hum/kafka';

/**
 * Creates policy.state if nobody has yet, on an admin client of its own: every service that
 * follows it does this before starting its follower, since a fresh cluster has no policy topic
 * and one created empty reads as "every tier off". A dead-letter topic makes no sense for
 * state that nobody consumes as events.
 */
export async function provisionPolicyTopic(
  kafka: Kafka,
  names: TopicNames,
  replicationFactor: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, names, [TOPICS.policyState], {
      replicationFactor,
      withDeadLetters: false,
    });
  } finally {
    await admin.disconnect();
  }
}
