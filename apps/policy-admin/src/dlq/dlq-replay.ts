import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { EventProducer, type RawOutgoingMessage, TopicNames } from '@hum/kafka';
import type { Logger } from '@hum/observability';
import { replayGroupOf } from './dlq.service';

/** Headers the consumer runner adds when it dead-letters; a replay drops them. */
const DLQ_HEADER_PREFIX = 'hum_dlq_';
export const REPLAYED_AT_HEADER = 'hum_replayed_at';

export interface ReplayRequest {
  kafka: Kafka;
  /** Physical names. */
  sourceTopic: string;
  dlqTopic: string;
  limit: number | undefined;
  logger: Logger;
  /** Finish when the DLQ yields nothing for this long before the snapshot end is reached. */
  idleMs?: number;
}

export interface ReplayOutcome {
  replayed: number;
  /** Offsets waiting when the replay started (transaction markers included). */
  pendingAtStart: number;
  limitReached: boolean;
}

interface PartitionState {
  /** Next offset to look at. */
  position: bigint;
  /** What the replay group has committed. */
  committed: bigint;
  /** Snapshot end when the replay started (exclusive). */
  end: bigint;
}

function replayed(message: KafkaMessage, sourceTopic: string, at: Date): RawOutgoingMessage {
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers ?? ({} as IHeaders))) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && !name.startsWith(DLQ_HEADER_PREFIX)) headers[name] = first;
  }
  headers[REPLAYED_AT_HEADER] = at.toISOString();
  return { physicalTopic: sourceTopic, key: message.key, value: message.value, headers };
}

/**
 * Sends the dead letters present when it starts back to their source topic, exactly once: each
 * batch of replays and the replay group's offset commit go in one Kafka transaction. Group and
 * transactional id are those of `hum dlq replay`, so the console and the CLI share one
 * position and fence each other instead of replaying twice.
 */
export async function replayDeadLetters(request: ReplayRequest): Promise<ReplayOutcome> {
  const group = replayGroupOf(request.dlqTopic);
  const states = new Map<number, PartitionState>();
  const admin = request.kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(request.dlqTopic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [request.dlqTopic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    for (const { partition, high, low } of ends) {
      const start = BigInt(low);
      const position = at.get(partition) ?? -1n;
      const from = position < start ? start : position;
      states.set(partition, { position: from, committed: from, end: BigInt(high) });
    }
  } finally {
    await admin.disconnect();
  }
  const outcome: ReplayOutcome = {
    replayed: 0,
    pendingAtStart: [...states.values()].reduce(
      (n, s) => n + Number(s.end > s.position ? s.end - s.position : 0n),
      0,
    ),
    limitReached: false,
  };
  if (outcome.pendingAtStart === 0) return outcome;

  const producer = new EventProducer(request.kafka, {
    names: new TopicNames(''),
    source: '/hum/policy-admin',
    logger: request.logger,
    transactionalId: `hum-cli.dlq-replay.${request.dlqTopic}`,
  });
  await producer.connect();
  const consumer = request.kafka.consumer({
    groupId: group,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  try {
    await consume(consumer, producer, request, group, states, outcome);
    // Transaction markers after the last letter never reach a handler: commit past them, so
    // the depth shown afterwards is what truly waits.
    const tails = [...states.entries()].filter(([, s]) => s.position > s.committed);
    if (tails.length > 0) {
      await producer.transaction(async (tx) => {
        await tx.sendOffsets({
          consumerGroupId: group,
          topics: [
            {
              topic: request.dlqTopic,
              partitions: tails.map(([partition, s]) => ({
                partition,
                offset: s.position.toString(),
              })),
            },
          ],
        });
      });
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
  return outcome;
}

async function consume(
  consumer: Consumer,
  producer: EventProducer,
  request: ReplayRequest,
  group: string,
  states: Map<number, PartitionState>,
  outcome: ReplayOutcome,
): Promise<void> {
  const idleMs = request.idleMs ?? 3_000;
  let finish!: (error?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  let idle: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => finish(), idleMs);
  };
  const allDone = (): boolean => [...states.values()].every((s) => s.position >= s.end);
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const state = states.get(payload.partition);
    // Control records move the position without ever reaching eachBatch.
    if (state && payload.batchSize === 0) {
      const next = BigInt(payload.lastOffset) + 1n;
      if (next > state.position) state.position = next < state.end ? next : state.end;
      if (allDone()) finish();
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) finish(payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: request.dlqTopic, fromBeginning: true });
  touch();
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }: EachBatchPayload) => {
      const state = states.get(batch.partition);
      if (!state || !isRunning()) return;
      touch();
      const now = new Date();
      const letters: KafkaMessage[] = [];
      let next = state.position;
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        if (offset < state.position || offset >= state.end) continue;
        if (request.limit !== undefined && outcome.replayed + letters.length >= request.limit) {
          outcome.limitReached = true;
          break;
        }
        letters.push(message);
        next = offset + 1n;
      }
      if (letters.length > 0) {
        await producer.transaction(async (tx) => {
          await tx.publishRaw(letters.map((m) => replayed(m, request.sourceTopic, now)));
          await tx.sendOffsets({
            consumerGroupId: group,
            topics: [
              {
                topic: request.dlqTopic,
                partitions: [{ partition: batch.partition, offset: next.toString() }],
              },
            ],
          });
        });
        outcome.replayed += letters.length;
        state.position = next;
        state.committed = next;
      }
      if (!outcome.limitReached) {
        const batchEnd = BigInt(batch.lastOffset()) + 1n;
        if (batchEnd > state.position) state.position = batchEnd < state.end ? batchEnd : state.end;
      }
      resolveOffset((state.position - 1n).toString());
      await heartbeat();
      if (outcome.limitReached || allDone()) finish();
    },
  });
  for (const [partition, state] of states)
    if (state.position >= state.end)
      consumer.pause([{ topic: request.dlqTopic, partitions: [partition] }]);
  if (allDone()) finish();
  try {
    await finished;
  } finally {
    clearTimeout(idle);
  }
}
