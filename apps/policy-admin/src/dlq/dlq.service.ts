import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { PersonPrincipal } from '@hum/auth';
import { findTopic, TOPIC_LIST } from '@hum/contracts';
import { KAFKA_CLIENT, TopicNames } from '@hum/kafka';
import { LOGGER, type Logger } from '@hum/observability';
import { ChangeRunner } from '../audit/change-runner';
import { DeniedAttempts } from '../audit/denied-attempts';
import { Refused } from '../http/refusal';
import { replayDeadLetters, type ReplayOutcome } from './dlq-replay';

export interface DlqDepth {
  topic: string;
  dlq: string;
  /** Dead letters still retained. */
  retained: number;
  /** Dead letters not replayed yet (by `hum dlq replay` or from here). */
  pending: number;
}

/** The consumer group whose offsets remember what was replayed (shared with the CLI). */
export function replayGroupOf(physicalDlq: string): string {
  return `hum-cli.dlq-replay.${physicalDlq}`;
}

/** Dead-letter depth per consumed topic, from the admin client's offsets; replays by operators. */
@Injectable()
export class DlqService {
  private readonly log: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly names: TopicNames,
    private readonly changes: ChangeRunner,
    private readonly denied: DeniedAttempts,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ context: DlqService.name });
  }

  /** Replays a topic's dead letters (at most `limit`), exactly once, and audits it. */
  async replay(
    actor: PersonPrincipal,
    topicName: string,
    limit: number | undefined,
  ): Promise<ReplayOutcome> {
    return this.denied.guard(
      actor,
      'dlq.replay',
      { type: 'topic', id: topicName.slice(0, 300) },
      async () => {
        const topic = findTopic(topicName);
        const admin = this.kafka.admin();
        await admin.connect();
        let exists = false;
        try {
          exists =
            topic !== undefined && (await admin.listTopics()).includes(this.names.dlqOf(topic));
        } finally {
          await admin.disconnect();
        }
        if (topic === undefined || !exists)
          throw new Refused(
            'not-found',
            `no dead-letter topic for ${topicName} (topics are named as in the catalogue, e.g. findings.raw)`,
          );
        const outcome = await replayDeadLetters({
          kafka: this.kafka,
          sourceTopic: this.names.of(topic),
          dlqTopic: this.names.dlqOf(topic),
          limit,
          logger: this.log,
        });
        await this.changes.run(
          async (_trx, effects) => {
            effects.audit({
              actor: { type: 'user', id: actor.id },
              action: 'dlq.replayed',
              entity: { type: 'topic', id: topic.name },
              outcome: 'success',
              details: { ...outcome, ...(limit !== undefined ? { limit } : {}) },
            });
          },
          { awaitPublication: false },
        );
        return outcome;
      },
    );
  }

  async depths(): Promise<DlqDepth[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const depths: DlqDepth[] = [];
      for (const topic of TOPIC_LIST) {
        const dlq = this.names.dlqOf(topic);
        if (!existing.has(dlq)) continue;
        const offsets = await admin.fetchTopicOffsets(dlq);
        const [committed] = await admin.fetchOffsets({
          groupId: replayGroupOf(dlq),
          topics: [dlq],
        });
        const position = new Map(
          (committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
        );
        let retained = 0n;
        let pending = 0n;
        for (const { partition, high, low } of offsets) {
          const start = BigInt(low);
          const end = BigInt(high);
          retained += end - start;
          const at = position.get(partition) ?? -1n;
          pending += end - (at > start ? at : start);
        }
        depths.push({
          topic: topic.name,
          dlq,
          retained: Number(retained),
          pending: Number(pending > 0n ? pending : 0n),
        });
      }
      return depths;
    } finally {
      await admin.disconnect();
    }
  }
}
