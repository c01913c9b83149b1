import type { Admin, Kafka } from 'kafkajs';
import { type Kysely, sql, type Transaction } from 'kysely';
import { describeError, sleep } from '@hum/common';
import { findTopic, TOPICS } from '@hum/contracts';
import { EventProducer, type KafkaMetrics, type OutgoingEvent, type TopicNames } from '@hum/kafka';
import type { Logger } from '@hum/observability';
import type { AdminDatabase } from '../database/schema';

export interface OutboxRelayOptions {
  kafka: Kafka;
  names: TopicNames;
  db: Kysely<AdminDatabase>;
  logger: Logger;
  metrics?: KafkaMetrics;
  /** Unique per database (made with it): names the watermark group and the transactional id. */
  epoch: string;
  /** How often to look for work besides the wake-up after each change. */
  pollMs: number;
}

/** Rows per Kafka transaction. */
const BATCH = 500;
// A key space of its own for the relay's advisory lock (persistence uses 0x6875_6d00/+1).
const LOCK_SPACE = 0x6875_6d10;

/**
 * Publishes the outbox, in sequence order, exactly once. Each batch and a watermark (the last
 * sequence number sent) are committed in one Kafka transaction — the watermark as the offset
 * of a consumer group that never consumes — so Kafka itself records how far publication got.
 * After a crash between the Kafka commit and the database's `published_at`, the next run reads
 * the watermark and skips what was sent. One shared transactional id fences a stalled
 * replica's late commit; an advisory lock keeps replicas from taking turns fencing each other.
 */
export class OutboxRelay {
  private producer: EventProducer | undefined;
  private admin: Admin | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;
  private published = 0n;
  private readonly waiters = new Set<{ seq: bigint; resolve: (done: boolean) => void }>();
  private readonly group: string;
  private readonly transactionalId: string;
  private readonly log: Logger;
  private lastFailure: string | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.group = `${options.names.prefix}policy-admin.outbox.${options.epoch}`;
    this.transactionalId = `${options.names.prefix}policy-admin.outbox.${options.epoch}`;
    this.log = options.logger.child({ context: OutboxRelay.name });
  }

  /** The last failure, if the latest attempt failed (health). */
  get failure(): string | undefined {
    return this.lastFailure;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters.clear();
  }

  /** Called after a transaction that queued events has committed. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Resolves true once every event up to `seq` is on Kafka, false after `timeoutMs`. */
  whenPublished(seq: bigint, timeoutMs: number): Promise<boolean> {
    if (this.published >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        seq,
        resolve: (done: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(done);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.waiters.add(waiter);
      this.wake();
    });
  }

  /** Events committed to the database but not yet known to be on Kafka. */
  async backlog(): Promise<number> {
    const row = await this.options.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this.wakeRequested = false;
      try {
        const more = await this.flush();
        failures = 0;
        this.lastFailure = undefined;
        if (more) continue;
      } catch (error) {
        failures += 1;
        this.lastFailure = describeError(error);
        this.log.warn({ err: error, failures }, 'outbox publication failed; will retry');
        // A fenced or broken producer is replaced: a fresh one re-initialises its epoch.
        await this.producer?.disconnect().catch(() => undefined);
        await this.admin?.disconnect().catch(() => undefined);
        this.producer = undefined;
        this.admin = undefined;
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
        continue;
      }
      if (this.stopping) break;
      if (!this.wakeRequested) await this.idle(this.options.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  /** One batch; true when more may be waiting. */
  private async flush(): Promise<boolean> {
    const { db } = this.options;
    const pending = await db
      .selectFrom('outbox')
      .select('seq')
      .where('published_at', 'is', null)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (pending === undefined) {
      // Nothing waits: every event queued so far has been sent.
      this.settle(await this.highestPublished());
      return false;
    }
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(${sql.lit(LOCK_SPACE)}, hashtext(${this.options.epoch})) as locked`.execute(
        trx,
      );
      if (!rows[0]?.locked) return false;
      const producer = await this.connectedProducer();
      const watermark = await this.readWatermark();
      await this.markPublished(trx, watermark);
      const batch = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('seq', '>', watermark.toString())
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      if (batch.length === 0) {
        this.settle(watermark);
        return false;
      }
      const last = BigInt(batch[batch.length - 1]!.seq);
      const events = batch.map((row): OutgoingEvent => {
        const topic = findTopic(row.topic);
        if (!topic) throw new Error(`outbox row ${row.seq} names unknown topic ${row.topic}`);
        return {
          topic,
          key: row.key,
          data: row.event.data,
          id: row.event.id,
          time: new Date(row.event.time),
          ...(row.event.subject !== undefined ? { subject: row.event.subject } : {}),
          ...(row.event.correlationId !== undefined
            ? { correlationId: row.event.correlationId }
            : {}),
        };
      });
      await producer.transaction(async (tx) => {
        await tx.publish(events);
        await tx.sendOffsets({
          consumerGroupId: this.group,
          topics: [
            {
              topic: this.watermarkTopic(),
              partitions: [{ partition: 0, offset: last.toString() }],
            },
          ],
        });
      });
      await this.markPublished(trx, last);
      this.settle(last);
      this.log.debug({ events: batch.length, upTo: last.toString() }, 'outbox published');
      return batch.length === BATCH;
    });
  }

  private watermarkTopic(): string {
    return this.options.names.of(TOPICS.policyState);
  }

  private async connectedProducer(): Promise<EventProducer> {
    if (this.producer) return this.producer;
    const producer = new EventProducer(this.options.kafka, {
      names: this.options.names,
      source: '/hum/policy-admin',
      logger: this.log,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      transactionalId: this.transactionalId,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** The last sequence number Kafka has committed, or 0 when nothing was ever sent. */
  private async readWatermark(): Promise<bigint> {
    if (!this.admin) {
      const admin = this.options.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const [committed] = await this.admin.fetchOffsets({
      groupId: this.group,
      topics: [this.watermarkTopic()],
    });
    const offset = committed?.partitions.find((p) => p.partition === 0)?.offset ?? '-1';
    return BigInt(offset) < 0n ? 0n : BigInt(offset);
  }

  private async highestPublished(): Promise<bigint> {
    const row = await this.options.db
      .selectFrom('outbox_head')
      .select('seq')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return BigInt(row.seq);
  }

  private async markPublished(trx: Transaction<AdminDatabase>, upTo: bigint): Promise<void> {
    await trx
      .updateTable('outbox')
      .set({ published_at: new Date() })
      .where('seq', '<=', upTo.toString())
      .where('published_at', 'is', null)
      .execute();
  }

  private settle(seq: bigint): void {
    if (seq > this.published) this.published = seq;
    for (const waiter of [...this.waiters]) if (waiter.seq <= this.published) waiter.resolve(true);
  }
}
