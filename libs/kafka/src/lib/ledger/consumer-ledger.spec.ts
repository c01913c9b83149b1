import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  EXAMPLE_FINDING,
  EXAMPLE_RESOLVED,
  type FindingV1,
  type FindingResolvedV1,
  TOPICS,
} from '@hum/contracts';
import { createLogger } from '@hum/observability';
import { createDatabase, type Database, IN_MEMORY, MAX_TEXT_PARAMS } from '@hum/persistence';
import type { InboundEvent, MessageContext } from '../consumer/handler';
import type { OutgoingEvent } from '../producer';
import {
  type ConsumerLedgerTables,
  consumerLedgerMigrations,
  type LedgerCompaction,
  ledgeredBatchHandler,
} from './consumer-ledger';

type RawEvent = InboundEvent<typeof TOPICS.findingsRaw.schema>;

function rawEvent(offset: number, partition = 0): RawEvent {
  const data: FindingV1 = { ...EXAMPLE_FINDING, title: `finding at ${offset}` };
  return {
    key: data.fingerprint,
    metadata: { id: randomUUID(), source: '/spec', type: 'raw', time: new Date(0).toISOString() },
    data,
    partition,
    offset: String(offset),
  };
}

const context: MessageContext = {
  topic: TOPICS.findingsRaw.name,
  partition: 0,
  offset: '0',
  attempt: 1,
  logger: createLogger({ service: 'spec', level: 'silent' }),
  heartbeat: async () => undefined,
  signal: new AbortController().signal,
};

/** `count` resolved events for a message: documents the ledger stores as they are. */
function outputsOf(event: RawEvent, count: number): OutgoingEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: TOPICS.findingsResolved,
    key: `${event.offset}-${i}`,
    data: {
      ...EXAMPLE_RESOLVED,
      title: `resolved "${event.offset}/${i}" \\ caf\u00e9`,
    } satisfies FindingResolvedV1,
    subject: 'payments-api',
  }));
}

/** What a consumer publishes: everything but the fresh ids and times, which must repeat. */
function published(outputs: readonly OutgoingEvent[]) {
  return outputs.map((o) => ({ ...o, topic: o.topic.name, time: o.time?.toISOString() }));
}

const engines: [
  string,
  () => Promise<{ db: Database<ConsumerLedgerTables>; close(): Promise<void> }>,
][] = [
  [
    'pglite',
    async () => {
      const db = await createDatabase<ConsumerLedgerTables>({
        dataDir: IN_MEMORY,
        schema: 'ledger_spec',
      });
      return { db, close: () => db.close() };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = `ledger_spec_${randomUUID().slice(0, 8)}`;
      const db = await createDatabase<ConsumerLedgerTables>({
        url: process.env['HUM_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test',
        schema,
        poolMax: 2,
      });
      return {
        db,
        close: async () => {
          await sql`drop schema ${sql.id(schema)} cascade`.execute(db.db);
          await db.close();
        },
      };
    },
  ],
];

describe.each(engines)('the consumer ledger on %s', (_kind, open) => {
  let opened: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    opened = await open();
    await opened.db.migrate(consumerLedgerMigrations);
  });
  afterAll(async () => {
    await opened.close();
  });

  function handlerFor(
    name: string,
    outputs: (event: RawEvent) => OutgoingEvent[],
    compaction?: LedgerCompaction<typeof TOPICS.findingsRaw.schema>,
  ) {
    const applied: string[] = [];
    const handler = ledgeredBatchHandler({
      topic: TOPICS.findingsRaw,
      name,
      db: opened.db.db,
      apply: async (_trx, events) => {
        applied.push(...events.map((e) => e.offset));
        return new Map(events.map((e) => [e.offset, outputs(e)]));
      },
      ...(compaction ? { compaction } : {}),
    });
    return { handler, applied };
  }

  it('applies a message once and re-emits the same events, ids and times, on redelivery', async () => {
    const partition = 1;
    const { handler, applied } = handlerFor('once', (e) => outputsOf(e, 2));
    const batch = [10, 11, 12].map((o) => rawEvent(o, partition));
    const first = (await handler.handle(batch, context)) as OutgoingEvent[];
    expect(first).toHaveLength(6);
    const again = (await handler.handle(batch, context)) as OutgoingEvent[];
    expect(published(again)).toEqual(published(first));
    // A redelivery that runs past the applied offset applies only the new message.
    const overlapping = [11, 12, 13].map((o) => rawEvent(o, partition));
    const third = (await handler.handle(overlapping, context)) as OutgoingEvent[];
    expect(applied).toEqual(['10', '11', '12', '13']);
    expect(published(third.slice(0, 4))).toEqual(published(first.slice(2)));
    expect(third).toHaveLength(6);
  });

  it('stores a message with more outputs than one statement carries, and gives all of them back', async () => {
    const many = MAX_TEXT_PARAMS + 7;
    const { handler, applied } = handlerFor('many', (e) =>
      outputsOf(e, e.offset === '5' ? many : 1),
    );
    const batch = [5, 6].map((o) => rawEvent(o, 2));
    const first = (await handler.handle(batch, context)) as OutgoingEvent[];
    expect(first).toHaveLength(many + 1);
    const again = (await handler.handle(batch, context)) as OutgoingEvent[];
    expect(applied).toEqual(['5', '6']);
    expect(published(again)).toEqual(published(first));
    const { rows } = await sql<{ count: string }>`
      select count(*)::text as count from consumer_emitted
      where topic = ${TOPICS.findingsRaw.name} and partition = 2`.execute(opened.db.db);
    expect(rows).toEqual([{ count: String(many + 1) }]);
  });

  it('stores outputs without what their message holds and restores it from the redelivery', async () => {
    const omitted: unknown[] = [];
    const compaction: LedgerCompaction<typeof TOPICS.findingsRaw.schema> = {
      omit: (output, input) => {
        const { title: _title, ...rest } = input.data;
        omitted.push(rest);
        return { copy: rest };
      },
      restore: (_stored, _topic, input) => input.data,
    };
    const { handler } = handlerFor(
      'compacted',
      (e) => [{ topic: TOPICS.findingsRaw, key: e.key, data: e.data }],
      compaction,
    );
    const batch = [1, 2].map((o) => rawEvent(o, 3));
    const first = (await handler.handle(batch, context)) as OutgoingEvent[];
    const again = (await handler.handle(batch, context)) as OutgoingEvent[];
    expect(omitted).toHaveLength(2);
    expect(published(again)).toEqual(published(first));
    expect(again.map((o) => (o.data as FindingV1).title)).toEqual(['finding at 1', 'finding at 2']);
    const { rows } = await sql<{ event: string }>`
      select event from consumer_emitted where topic = ${TOPICS.findingsRaw.name} and partition = 3
      order by "offset"`.execute(opened.db.db);
    expect(rows.map((r) => (JSON.parse(r.event) as { data: unknown }).data)).toEqual(
      omitted.map((copy) => ({ copy })),
    );
  });
});
