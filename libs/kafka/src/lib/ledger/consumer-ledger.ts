import { randomUUID } from 'node:crypto';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import { findTopic } from '@hum/contracts';
import { MAX_TEXT_PARAMS, type Migrations, textParams } from '@hum/persistence';
import type {
  BatchHandler,
  HandlerOutput,
  InboundEvent,
  MessageContext,
} from '../consumer/handler';
import type { OutgoingEvent } from '../producer';
import type { TopicDefinition } from '@hum/contracts';

/**
 * Tables of the consumer ledger, in the consuming service's own schema: per input partition
 * the highest offset whose effects are in the database, and the events each applied message
 * produced, so a redelivery re-emits exactly those instead of applying the message again.
 */
export interface ConsumerLedgerTables {
  consumer_progress: {
    topic: string;
    partition: number;
    applied_offset: string;
  };
  consumer_emitted: {
    topic: string;
    partition: number;
    offset: string;
    seq: number;
    /** The event as JSON text: stored and read back whole, never queried, so not jsonb. */
    event: string;
    created_at: Date;
  };
}

interface StoredEvent {
  topic: string;
  key: string;
  data: unknown;
  id: string;
  time: string;
  subject?: string;
  correlationId?: string;
}

export const consumerLedgerMigrations: Migrations = {
  '0001_consumer_ledger': {
    async up(db) {
      await db.schema
        .createTable('consumer_progress')
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('partition', 'integer', (c) => c.notNull())
        .addColumn('applied_offset', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('consumer_progress_pk', ['topic', 'partition'])
        .execute();
      await db.schema
        .createTable('consumer_emitted')
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('partition', 'integer', (c) => c.notNull())
        .addColumn('offset', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('consumer_emitted_pk', ['topic', 'partition', 'offset', 'seq'])
        .execute();
    },
  },
};

function store(event: OutgoingEvent, data: unknown): StoredEvent {
  return {
    topic: event.topic.name,
    key: event.key,
    data,
    // Fixed now, so a re-emitted event carries the same CloudEvents id and time.
    id: event.id ?? randomUUID(),
    time: (event.time ?? new Date()).toISOString(),
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    ...(event.correlationId !== undefined ? { correlationId: event.correlationId } : {}),
  };
}

function topicOf(stored: StoredEvent): TopicDefinition {
  const topic = findTopic(stored.topic);
  if (!topic) throw new Error(`ledger holds an event for unknown topic ${stored.topic}`);
  return topic;
}

function outgoing(stored: StoredEvent, topic: TopicDefinition, data: unknown): OutgoingEvent {
  return {
    topic,
    key: stored.key,
    data,
    id: stored.id,
    time: new Date(stored.time),
    ...(stored.subject !== undefined ? { subject: stored.subject } : {}),
    ...(stored.correlationId !== undefined ? { correlationId: stored.correlationId } : {}),
  };
}

/**
 * For outputs that repeat their input message (a classified finding carries the finding):
 * `omit` gives the data to store without what the input holds, and `restore` puts it back
 * from the same message, redelivered. `restore` must also accept data stored whole.
 */
export interface LedgerCompaction<S extends z.ZodType> {
  omit(output: OutgoingEvent, input: InboundEvent<S>): unknown;
  restore(stored: unknown, topic: TopicDefinition, input: InboundEvent<S>): unknown;
}

export type LedgerTransaction<DB> = Transaction<DB & ConsumerLedgerTables>;

/**
 * Applies messages to the database at most once per offset and returns their output events
 * every time: run it under an `exactly-once` consumer, whose Kafka transaction publishes the
 * outputs and commits the offset together. If the process dies after the database commit but
 * before the Kafka commit, the redelivered messages find their offsets applied and their
 * outputs recorded, and the same events are published once.
 *
 * `apply` receives only messages not applied before, in offset order, inside the database
 * transaction that also records them; it returns each message's outputs by offset.
 */
export function ledgeredBatchHandler<S extends z.ZodType, DB>(options: {
  topic: TopicDefinition<S>;
  name: string;
  db: Kysely<DB & ConsumerLedgerTables>;
  apply: (
    trx: LedgerTransaction<DB>,
    events: readonly InboundEvent<S>[],
    context: MessageContext,
  ) => Promise<Map<string, readonly OutgoingEvent[]>>;
  compaction?: LedgerCompaction<S>;
}): BatchHandler<S> {
  const { compaction } = options;
  return {
    kind: 'batch',
    topic: options.topic,
    name: options.name,
    handle: async (events, context): Promise<HandlerOutput> => {
      if (events.length === 0) return [];
      const partition = events[0]!.partition;
      const topic = options.topic.name;
      const db = options.db as unknown as Kysely<ConsumerLedgerTables>;
      return db.transaction().execute(async (trx) => {
        // One round trip creates the partition's row on first use and takes its lock (a
        // conflicting upsert locks the row as SELECT FOR UPDATE would): the lock serialises
        // two owners of one partition (a rebalance's zombie).
        const progress = await trx
          .insertInto('consumer_progress')
          .values({ topic, partition, applied_offset: '-1' })
          .onConflict((oc) =>
            oc.columns(['topic', 'partition']).doUpdateSet((eb) => ({
              applied_offset: eb.ref('consumer_progress.applied_offset'),
            })),
          )
          .returning('applied_offset')
          .executeTakeFirstOrThrow();
        const applied = BigInt(progress.applied_offset);
        const replayed = events.filter((e) => BigInt(e.offset) <= applied);
        const fresh = events.filter((e) => BigInt(e.offset) > applied);
        const outputs: OutgoingEvent[] = [];
        if (replayed.length > 0) {
          const rows = await trx
            .selectFrom('consumer_emitted')
            .select(['offset', 'seq', 'event'])
            .where('topic', '=', topic)
            .where('partition', '=', partition)
            .where('offset', '>=', replayed[0]!.offset)
            .where('offset', '<=', replayed[replayed.length - 1]!.offset)
            .orderBy('offset')
            .orderBy('seq')
            .execute();
          const inputs = new Map(replayed.map((event) => [event.offset, event]));
          for (const row of rows) {
            const stored = JSON.parse(row.event) as StoredEvent;
            const outputTopic = topicOf(stored);
            if (!compaction) {
              outputs.push(outgoing(stored, outputTopic, stored.data));
              continue;
            }
            const input = inputs.get(String(row.offset));
            if (!input) {
              throw new Error(
                `ledger holds outputs of ${options.topic.name}/${partition}@${String(row.offset)}, which this delivery lacks`,
              );
            }
            const data = compaction.restore(stored.data, outputTopic, input);
            outputs.push(outgoing(stored, outputTopic, data));
          }
        }
        if (fresh.length > 0) {
          const produced = await options.apply(
            trx as unknown as LedgerTransaction<DB>,
            fresh,
            context,
          );
          const rows: EmittedRow[] = [];
          for (const event of fresh) {
            const list = produced.get(event.offset) ?? [];
            list.forEach((output, seq) => {
              const stored = store(
                output,
                compaction ? compaction.omit(output, event) : output.data,
              );
              outputs.push(outgoing(stored, output.topic, output.data));
              rows.push({ offset: event.offset, seq, event: JSON.stringify(stored) });
            });
          }
          await recordApplied(trx, topic, partition, rows, fresh[fresh.length - 1]!.offset);
        }
        return outputs;
      });
    },
  };
}

interface EmittedRow {
  offset: string;
  seq: number;
  /** JSON text of a {@link StoredEvent}. */
  event: string;
}

/**
 * Stores the outputs and moves the partition's progress, in one statement for up to
 * MAX_TEXT_PARAMS outputs: their positions travel as one JSON parameter (a VALUES list would
 * bind and plan three parameters per row), each event as a text parameter of its own, which
 * PostgreSQL takes without lexing it (textParams).
 */
async function recordApplied(
  trx: Transaction<ConsumerLedgerTables>,
  topic: string,
  partition: number,
  rows: readonly EmittedRow[],
  appliedOffset: string,
): Promise<void> {
  let rest = rows;
  while (rest.length > MAX_TEXT_PARAMS) {
    await insertEmitted(topic, partition, rest.slice(0, MAX_TEXT_PARAMS)).execute(trx);
    rest = rest.slice(MAX_TEXT_PARAMS);
  }
  await sql`
    with emitted as (${insertEmitted(topic, partition, rest)})
    update consumer_progress set applied_offset = ${appliedOffset}::bigint
    where topic = ${topic}::text and partition = ${partition}::integer`.execute(trx);
}

function insertEmitted(
  topic: string,
  partition: number,
  rows: readonly EmittedRow[],
): RawBuilder<unknown> {
  const positions = rows.map(({ offset, seq }) => ({ offset, seq }));
  return sql`
    insert into consumer_emitted (topic, partition, "offset", seq, event)
    select ${topic}::text, ${partition}::integer, r."offset", r.seq, r.event
    from rows from (
      json_to_recordset(${JSON.stringify(positions)}::json) as ("offset" bigint, seq integer),
      unnest(${textParams(rows.map((row) => row.event))})
    ) as r("offset", seq, event)`;
}

/** Forgets outputs old enough to be committed to Kafka long ago; run it periodically. */
export async function pruneConsumerLedger<DB>(
  db: Kysely<DB & ConsumerLedgerTables>,
  olderThan: Date,
): Promise<number> {
  const result = await (db as unknown as Kysely<ConsumerLedgerTables>)
    .deleteFrom('consumer_emitted')
    .where('created_at', '<', olderThan)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
