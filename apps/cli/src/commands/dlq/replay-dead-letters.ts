import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Clock } from '@hum/common';
import type { DlqErrorKind } from '@hum/contracts';
import { EventProducer, type RawOutgoingMessage, TopicNames } from '@hum/kafka';
import type { Logger } from '@hum/observability';
import { CliError } from '../../cli-error';
import { EXIT } from '../../exit-codes';
import {
  type DeadLetterSummary,
  replayMessage,
  requeueMessage,
  summarizeDeadLetter,
} from './dead-letter-message';
import { type PartitionPlan, pendingOffsets, pendingPartitions, planReplay } from './replay-plan';

/** Letters per transaction: small enough to commit often, large enough to be quick. */
const CHUNK = 200;

export type LetterKind = DlqErrorKind | 'unknown';

export interface ReplayRequest {
  kafka: Kafka;
  /** Physical names. */
  sourceTopic: string;
  dlqTopic: string;
  /** The consumer group whose committed offsets remember what was replayed. */
  groupId: string;
  kind: LetterKind | undefined;
  limit: number | undefined;
  dryRun: boolean;
  logger: Logger;
  clock: Clock;
  /** Give up when the DLQ yields nothing for this long before its snapshot end is reached. */
  idleTimeoutMs: number;
  /** Each letter replayed (or, in a dry run, each letter that would be). */
  onLetter?: (letter: DeadLetterSummary) => void;
}

export interface ReplayOutcome {
  /** Letters replayed (or listed by a dry run) per error kind. */
  byKind: Partial<Record<LetterKind, number>>;
  total: number;
  /** Letters of other kinds passed over by `--kind` and appended to the DLQ again. */
  requeued: number;
  /** Offsets waiting when the replay started (transaction markers included). */
  pendingAtStart: bigint;
  limitReached: boolean;
}

interface PartitionState extends PartitionPlan {
  /** Next offset to look at. */
  position: bigint;
  /** What this run committed for the group, if anything. */
  committed: bigint | undefined;
  done: boolean;
}

/**
 * Re-drives the dead letters present when it starts back to their source topic, exactly once:
 * each chunk of replayed letters and the group's new offset commit in one Kafka transaction,
 * under a transactional id per DLQ, so two concurrent replays fence each other instead of
 * replaying twice, and a second run finds nothing left.
 */
export class DeadLetterReplay {
  private readonly states = new Map<number, PartitionState>();
  private readonly outcome: ReplayOutcome = {
    byKind: {},
    total: 0,
    requeued: 0,
    pendingAtStart: 0n,
    limitReached: false,
  };
  private producer: EventProducer | undefined;
  private settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private settled = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly request: ReplayRequest) {}

  async run(): Promise<ReplayOutcome> {
    const plan = await this.plan();
    this.outcome.pendingAtStart = pendingOffsets(plan);
    const pending = pendingPartitions(plan);
    if (pending.length === 0) return this.outcome;
    for (const p of plan) {
      this.states.set(p.partition, {
        ...p,
        position: p.start,
        committed: undefined,
        done: p.start >= p.end,
      });
    }
    // A dry run reads through a throwaway group, starting where the real one stands.
    const groupId = this.request.dryRun
      ? `${this.request.groupId}.dry-run.${randomUUID().slice(0, 8)}`
      : this.request.groupId;
    try {
      if (!this.request.dryRun) this.producer = await this.connectProducer();
      await this.consume(groupId);
      if (!this.request.dryRun) await this.commitSkippedTails();
    } finally {
      await this.producer?.disconnect();
      if (this.request.dryRun) await this.dropScratchGroup(groupId);
    }
    return this.outcome;
  }

  private async plan(): Promise<PartitionPlan[]> {
    const admin = this.request.kafka.admin();
    await admin.connect();
    try {
      const topics = new Set(await admin.listTopics());
      if (!topics.has(this.request.dlqTopic)) {
        throw new CliError(
          EXIT.notFound,
          `no dead-letter topic ${this.request.dlqTopic} (is the topic name or --topic-prefix right?)`,
        );
      }
      if (!topics.has(this.request.sourceTopic)) {
        throw new CliError(EXIT.notFound, `no topic ${this.request.sourceTopic} to replay into`);
      }
      return await planReplay(admin, this.request.dlqTopic, this.request.groupId);
    } finally {
      await admin.disconnect();
    }
  }

  private async dropScratchGroup(groupId: string): Promise<void> {
    const admin = this.request.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch (error) {
      // Harmless (an empty group expires with the broker's offsets retention), but say so.
      this.request.logger.warn(
        { err: error, groupId },
        'could not delete the dry run consumer group',
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async connectProducer(): Promise<EventProducer> {
    const producer = new EventProducer(this.request.kafka, {
      names: new TopicNames(''),
      source: '/hum/cli',
      logger: this.request.logger,
      transactionalId: `hum-cli.dlq-replay.${this.request.dlqTopic}`,
    });
    await producer.connect();
    return producer;
  }

  private async consume(groupId: string): Promise<void> {
    const consumer = this.request.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    const finished = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      // Batches of transaction markers only never reach eachBatch; they still move us on.
      if (payload.batchSize === 0)
        this.advance(consumer, payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => this.touch());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.finish(payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.request.dlqTopic, fromBeginning: true });
      this.touch();
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.onBatch(consumer, payload),
      });
      for (const state of this.states.values()) {
        const partitions = [{ topic: this.request.dlqTopic, partitions: [state.partition] }];
        if (state.done) consumer.pause(partitions);
        // A dry run's scratch group has no offsets: start it where the real group stands.
        else if (this.request.dryRun) {
          consumer.seek({
            topic: this.request.dlqTopic,
            partition: state.partition,
            offset: state.start.toString(),
          });
        }
      }
      await finished;
    } finally {
      clearTimeout(this.idleTimer);
      await consumer.disconnect();
    }
  }

  private async onBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const state = this.states.get(batch.partition);
    if (this.settled || state === undefined || state.done) return;
    this.touch();
    try {
      const letters = batch.messages.filter((m) => {
        const offset = BigInt(m.offset);
        return offset >= state.position && offset < state.end;
      });
      const batchEnd = BigInt(batch.lastOffset()) + 1n;
      for (let i = 0; i < letters.length; i += CHUNK) {
        if (!isRunning() || isStale() || this.settled) return;
        const chunk = letters.slice(i, i + CHUNK);
        const isLast = i + CHUNK >= letters.length;
        const handled = await this.handleChunk(state, chunk, isLast ? batchEnd : undefined);
        // kafkajs fetches again from the last resolved offset: resolve, or loop on this batch.
        resolveOffset((state.position - 1n).toString());
        await heartbeat();
        if (!handled) return this.finish();
      }
      resolveOffset(batch.lastOffset());
      this.advance(consumer, batch.partition, batchEnd);
    } catch (error) {
      this.finish(error);
    }
  }

  /**
   * Replays (or lists) one chunk and commits the group's offset with it. Returns false when
   * `--limit` was reached inside it: the rest stays for a later run.
   */
  private async handleChunk(
    state: PartitionState,
    chunk: readonly KafkaMessage[],
    batchEnd: bigint | undefined,
  ): Promise<boolean> {
    const { request } = this;
    const now = request.clock.now();
    const out: RawOutgoingMessage[] = [];
    const taken: { letter: DeadLetterSummary; requeued: boolean }[] = [];
    let next = state.position;
    let limitHit = false;
    for (const message of chunk) {
      if (
        request.limit !== undefined &&
        this.outcome.total + this.counted(taken) >= request.limit
      ) {
        limitHit = true;
        break;
      }
      const letter = summarizeDeadLetter(state.partition, message);
      const matches = request.kind === undefined || letter.kind === request.kind;
      if (matches) {
        if (!request.dryRun) out.push(replayMessage(message, request.sourceTopic, now));
        taken.push({ letter, requeued: false });
      } else if (!request.dryRun) {
        out.push(requeueMessage(message, request.dlqTopic));
        taken.push({ letter, requeued: true });
      }
      next = BigInt(message.offset) + 1n;
    }
    // A chunk that ends its batch also covers the batch's trailing markers, up to the snapshot.
    if (!limitHit && batchEnd !== undefined) next = maxBig(next, minBig(batchEnd, state.end));
    if (!request.dryRun && next > state.position) {
      await this.producer!.transaction(async (tx) => {
        await tx.publishRaw(out);
        await tx.sendOffsets({
          consumerGroupId: request.groupId,
          topics: [
            {
              topic: request.dlqTopic,
              partitions: [{ partition: state.partition, offset: next.toString() }],
            },
          ],
        });
      });
      state.committed = next;
    }
    state.position = next > state.position ? next : state.position;
    for (const { letter, requeued } of taken) this.count(letter, requeued);
    if (limitHit || (request.limit !== undefined && this.outcome.total >= request.limit)) {
      this.outcome.limitReached = true;
      return false;
    }
    return true;
  }

  private counted(taken: readonly { requeued: boolean }[]): number {
    return taken.filter((t) => !t.requeued).length;
  }

  private count(letter: DeadLetterSummary, requeued: boolean): void {
    if (requeued) {
      this.outcome.requeued += 1;
      return;
    }
    this.outcome.total += 1;
    this.outcome.byKind[letter.kind] = (this.outcome.byKind[letter.kind] ?? 0) + 1;
    this.request.onLetter?.(letter);
  }

  /** Moves a partition's position on; once at its snapshot end it is paused and done. */
  private advance(consumer: Consumer, partition: number, to: bigint): void {
    const state = this.states.get(partition);
    if (this.settled || state === undefined || state.done) return;
    if (to > state.position) state.position = minBig(to, state.end);
    if (state.position < state.end) return;
    state.done = true;
    consumer.pause([{ topic: this.request.dlqTopic, partitions: [partition] }]);
    if ([...this.states.values()].every((s) => s.done)) this.finish();
  }

  /**
   * Offsets a run moved past without a transaction of its own (transaction markers at the
   * end of the DLQ) are committed at the end, so the next run finds nothing to read at all.
   */
  private async commitSkippedTails(): Promise<void> {
    const behind = [...this.states.values()].filter(
      (s) => s.position > s.start && (s.committed === undefined || s.committed < s.position),
    );
    if (behind.length === 0) return;
    await this.producer!.transaction((tx) =>
      tx.sendOffsets({
        consumerGroupId: this.request.groupId,
        topics: [
          {
            topic: this.request.dlqTopic,
            partitions: behind.map((s) => ({
              partition: s.partition,
              offset: s.position.toString(),
            })),
          },
        ],
      }),
    );
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const stuck = [...this.states.values()]
        .filter((s) => !s.done)
        .map((s) => `partition ${s.partition} at ${s.position} of ${s.end}`);
      this.finish(
        new CliError(
          EXIT.temporary,
          `the dead-letter topic yielded nothing for ${this.request.idleTimeoutMs / 1000} s before its end (${stuck.join(', ')})`,
        ),
      );
    }, this.request.idleTimeoutMs);
  }

  private finish(error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.idleTimer);
    if (error === undefined) this.settle?.resolve();
    else this.settle?.reject(error);
  }
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
