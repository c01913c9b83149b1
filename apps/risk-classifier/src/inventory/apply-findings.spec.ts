import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { auditMigrations } from '@hum/audit';
import {
  ClassifiedFindingV1,
  EXAMPLE_FINDING,
  EXAMPLE_SCAN_COMPLETED,
  type FindingV1,
  TOPICS,
} from '@hum/contracts';
import {
  consumerLedgerMigrations,
  type InboundEvent,
  type MessageContext,
  type OutgoingEvent,
} from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { createDatabase, type Database, IN_MEMORY, parseJsonText } from '@hum/persistence';
import { createTestDatabase } from '@hum/testing';
import { ClassifierMetrics } from '../classifier-metrics';
import { InventoryHandlers } from '../handlers/inventory.handlers';
import { RiskContext } from '../risk-context';
import { type ClassifierDatabase, intelMigrations, inventoryMigrations } from './schema';

type FindingEvent = InboundEvent<typeof TOPICS.findingsRaw.schema>;

const NOW = new Date('2026-11-20T12:00:00.000Z');
const logger = createLogger({ service: 'apply-findings-spec', level: 'silent' });
const risk = RiskContext.load({});

function finding(n: number, scanId: string, overrides: Partial<FindingV1> = {}): FindingV1 {
  const cve = `CVE-2025-${String(10_000 + n)}`;
  return TOPICS.findingsRaw.schema.parse({
    ...EXAMPLE_FINDING,
    fingerprint: createHash('sha256').update(`spec:${n}`).digest('hex'),
    scanId,
    title: `${cve} in lib-${n} 1.0.0`,
    vulnerability: { id: cve, aliases: [] },
    detectedAt: '2026-11-20T11:00:00.000Z',
    ...overrides,
  });
}

function delivered(findings: readonly FindingV1[], firstOffset = 0, partition = 0): FindingEvent[] {
  return findings.map((data, i) => ({
    key: data.fingerprint,
    metadata: {
      id: randomUUID(),
      source: '/hum/spec',
      type: TOPICS.findingsRaw.eventType,
      time: NOW.toISOString(),
    },
    data,
    partition,
    offset: String(firstOffset + i),
  }));
}

function context(partition = 0, topic: string = TOPICS.findingsRaw.name): MessageContext {
  return {
    topic,
    partition,
    offset: '0',
    attempt: 1,
    logger,
    heartbeat: async () => undefined,
    signal: new AbortController().signal,
  };
}

const classified = (outputs: unknown): OutgoingEvent<ClassifiedFindingV1>[] =>
  (outputs as OutgoingEvent<ClassifiedFindingV1>[]).filter(
    (output) => output.topic === TOPICS.findingsClassified,
  );

const engines: [
  string,
  () => Promise<{ database: Database<ClassifierDatabase>; cleanup: () => Promise<void> }>,
][] = [
  [
    'postgres',
    async () => {
      const test = await createTestDatabase('apply_findings');
      const database = await createDatabase<ClassifierDatabase>({
        url: test.url,
        schema: test.schema,
      });
      return {
        database,
        cleanup: async () => {
          await database.close();
          await test.cleanup();
        },
      };
    },
  ],
  [
    'pglite',
    async () => {
      const database = await createDatabase<ClassifierDatabase>({
        dataDir: IN_MEMORY,
        schema: 'apply_findings',
      });
      return { database, cleanup: () => database.close() };
    },
  ],
];

describe.each(engines)('the findings handler on %s', (_kind, open) => {
  let database: Database<ClassifierDatabase>;
  let db: Kysely<ClassifierDatabase>;
  let cleanup: () => Promise<void>;
  let handlers: InventoryHandlers;

  beforeAll(async () => {
    ({ database, cleanup } = await open());
    db = database.db;
    await database.migrate({
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...inventoryMigrations,
      ...intelMigrations,
    });
  });

  afterAll(async () => {
    await cleanup();
  });

  beforeEach(async () => {
    for (const table of [
      'findings',
      'finding_scopes',
      'scans',
      'scan_counts',
      'scan_sightings',
      'consumer_progress',
      'consumer_emitted',
    ] as const) {
      await db.deleteFrom(table).execute();
    }
    handlers = new InventoryHandlers(
      db,
      risk,
      new ClassifierMetrics(new Registry()),
      { maxShare: 0.5, minOpen: 10 },
      { now: () => NOW },
    );
  });

  it('writes each finding, scope, sighting and scan count of a batch, and emits one new event each', async () => {
    const scanId = randomUUID();
    const findings = Array.from({ length: 25 }, (_, n) => finding(n, scanId));
    const outputs = classified(await handlers.onFindings(delivered(findings), context()));

    expect(outputs.map((o) => o.key)).toEqual(findings.map((f) => f.fingerprint));
    expect(outputs.every((o) => o.data.lifecycle.change === 'new')).toBe(true);
    expect(outputs[0]!.data.finding).toEqual(findings[0]);
    const rows = await db
      .selectFrom('findings')
      .select([
        'fingerprint',
        'state',
        'revision',
        'vulnerability_ids',
        'finding',
        'classification',
      ])
      .orderBy('fingerprint')
      .execute();
    expect(rows).toHaveLength(25);
    const first = rows.find((row) => row.fingerprint === findings[0]!.fingerprint)!;
    expect(first).toMatchObject({
      state: 'open',
      revision: 1,
      vulnerability_ids: ['CVE-2025-10000'],
    });
    expect(parseJsonText(first.finding)).toEqual(findings[0]);
    expect(parseJsonText(first.classification)).toEqual(outputs[0]!.data.classification);
    // Only the classification and lifecycle were checked when the events were built: each
    // must still satisfy the whole contract.
    for (const output of outputs)
      expect(ClassifiedFindingV1.safeParse(output.data).success).toBe(true);
    const scopes = await db.selectFrom('finding_scopes').selectAll().execute();
    expect(scopes).toHaveLength(25);
    expect(new Date(scopes[0]!.last_seen_at).toISOString()).toBe('2026-11-20T11:00:00.000Z');
    expect(await db.selectFrom('scan_sightings').selectAll().execute()).toHaveLength(25);
    const scans = await db.selectFrom('scans').select(['scan_id', 'status']).execute();
    expect(scans).toEqual([{ scan_id: scanId, status: 'collecting' }]);
    const counts = await db.selectFrom('scan_counts').select(['partition', 'received']).execute();
    expect(counts).toEqual([{ partition: 0, received: 25 }]);
  });

  it('re-emits the same events for a redelivery without applying it again', async () => {
    const scanId = randomUUID();
    const events = delivered(Array.from({ length: 10 }, (_, n) => finding(n, scanId)));
    const first = classified(await handlers.onFindings(events, context()));
    const again = classified(await handlers.onFindings(events, context()));

    expect(again.map((o) => [o.key, o.id, o.time?.toISOString()])).toEqual(
      first.map((o) => [o.key, o.id, o.time?.toISOString()]),
    );
    expect(again.map((o) => o.data)).toEqual(first.map((o) => o.data));
    const revisions = await db.selectFrom('findings').select('revision').execute();
    expect(revisions.every((row) => row.revision === 1)).toBe(true);
    const counts = await db.selectFrom('scan_counts').select('received').execute();
    expect(counts).toEqual([{ received: 10 }]);
  });

  it('replays the applied part of an overlapping redelivery and applies only the rest', async () => {
    const scanId = randomUUID();
    const events = delivered(Array.from({ length: 8 }, (_, n) => finding(n, scanId)));
    const head = classified(await handlers.onFindings(events.slice(0, 5), context()));
    const all = classified(await handlers.onFindings(events, context()));

    expect(all.map((o) => o.key)).toEqual(events.map((e) => e.key));
    expect(all.slice(0, 5).map((o) => o.id)).toEqual(head.map((o) => o.id));
    expect(all.slice(5).every((o) => o.data.lifecycle.change === 'new')).toBe(true);
    const counts = await db.selectFrom('scan_counts').select('received').execute();
    expect(counts).toEqual([{ received: 8 }]);
  });

  it('applies a batch once when two owners of the partition handle it at the same time', async () => {
    const events = delivered(Array.from({ length: 6 }, (_, n) => finding(n, randomUUID())));
    const [one, two] = await Promise.all([
      handlers.onFindings(events, context()),
      handlers.onFindings(events, context()),
    ]);

    expect(classified(two).map((o) => o.id)).toEqual(classified(one).map((o) => o.id));
    const revisions = await db.selectFrom('findings').select('revision').execute();
    expect(revisions.map((row) => row.revision)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await db.selectFrom('consumer_emitted').selectAll().execute()).toHaveLength(6);
  });

  it('takes shared scan rows in one order in every partition: reports spread over partitions never deadlock', async () => {
    // A report's findings land on every partition and its scans.completed on another topic;
    // each batch's transaction writes the same scan rows. Completed events arrive here in the
    // reverse of the rows' key order, the order that deadlocked before.
    for (let round = 0; round < 8; round += 1) {
      const scanIds = Array.from({ length: 6 }, () => randomUUID()).sort();
      const byPartition = [0, 1, 2].map((partition) =>
        delivered(
          scanIds.map((scanId, s) => finding(1_000 * round + 10 * s + partition, scanId)),
          0,
          partition,
        ),
      );
      const completed = [...scanIds].reverse().map((scanId, i) => ({
        key: scanId,
        metadata: {
          id: randomUUID(),
          source: '/hum/spec',
          type: TOPICS.scansCompleted.eventType,
          time: NOW.toISOString(),
        },
        data: { ...EXAMPLE_SCAN_COMPLETED, scanId, findingCount: 3 },
        partition: 0,
        offset: String(round * 10 + i),
      }));
      const outcomes = await Promise.allSettled([
        handlers.onScansCompleted(completed, context(0, TOPICS.scansCompleted.name)),
        ...byPartition.map((events, partition) =>
          handlers.onFindings(
            events.map((event, i) => ({ ...event, offset: String(round * 10 + i) })),
            context(partition),
          ),
        ),
      ]);
      const failures = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [String(outcome.reason)] : [],
      );
      expect(failures).toEqual([]);
    }
    expect(await db.selectFrom('scans').select('scan_id').execute()).toHaveLength(48);
  });

  it('stores a classified event without the finding it carries, which the redelivery restores', async () => {
    const events = delivered([finding(1, randomUUID())]);
    await handlers.onFindings(events, context());
    const [row] = await db.selectFrom('consumer_emitted').select('event').execute();
    const stored = JSON.parse(row!.event) as { data: Record<string, unknown> };
    expect(stored.data['finding']).toBeUndefined();
    expect(stored.data['lifecycle']).toMatchObject({ change: 'new', revision: 1 });

    const [replayed] = classified(await handlers.onFindings(events, context()));
    expect(replayed!.data.finding).toEqual(events[0]!.data);
  });

  it('keeps a repeat sighting silent and counts it once per scan', async () => {
    const scanId = randomUUID();
    const seen = finding(1, scanId);
    await handlers.onFindings(delivered([seen]), context());
    const repeat = await handlers.onFindings(
      delivered([seen, { ...seen, detectedAt: '2026-11-20T11:30:00.000Z' }], 1),
      context(),
    );

    expect(classified(repeat)).toEqual([]);
    const [row] = await db.selectFrom('findings').select(['revision', 'last_seen_at']).execute();
    expect(row!.revision).toBe(1);
    expect(new Date(row!.last_seen_at).toISOString()).toBe('2026-11-20T11:30:00.000Z');
    const counts = await db.selectFrom('scan_counts').select('received').execute();
    expect(counts).toEqual([{ received: 1 }]);
  });
});
