import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '@hum/persistence';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@hum/testing';
import type { TicketProvider } from '@hum/ticketing';
import { lookUpTickets } from '../dispatch/group-sync';
import { RemoteJournal } from './remote-journal';
import { type DispatcherDatabase, dispatcherMigrations } from './schema';

describe('the remote journal (real PostgreSQL)', () => {
  let test: MigratedTestDatabase<DispatcherDatabase>;
  let database: Database<DispatcherDatabase>;

  beforeAll(async () => {
    test = await createMigratedTestDatabase<DispatcherDatabase>(
      'remote-journal',
      dispatcherMigrations,
    );
    database = test.database;
  });

  afterAll(async () => {
    await test.close();
  });

  beforeEach(async () => {
    await database.db.deleteFrom('remote_journal').execute();
  });

  it('commits the started records of writes sent together in one statement, before any caller goes on', async () => {
    const writer = new RemoteJournal(database.db, true).writer(database.db);
    const at = new Date('2026-11-27T10:00:00Z');
    const order: string[] = [];
    const keys = Array.from({ length: 12 }, (_, i) => `create:key-${i}`);
    await Promise.all(
      keys.map(async (key, i) => {
        await writer.started(key, `group-${i}`, 'create', at);
        // Each caller may send its write now: its record must be there already.
        const row = await database.db
          .selectFrom('remote_journal')
          .select('state')
          .where('op_key', '=', key)
          .executeTakeFirst();
        order.push(`${key}:${row?.state}`);
      }),
    );
    expect(order.sort()).toEqual(keys.map((key) => `${key}:started`).sort());
    // One transaction wrote them all: every row carries the same inserting transaction id.
    const { rows: xmins } = await sql<{ xmin: string }>`
      select distinct xmin::text as xmin from remote_journal
    `.execute(database.db);
    expect(xmins).toHaveLength(1);
    const rows = await database.db.selectFrom('remote_journal').selectAll().execute();
    expect(rows).toHaveLength(12);
    expect(rows.every((row) => row.state === 'started' && row.done_at === null)).toBe(true);
  });

  it('starts a write again over an earlier record of the same key, once per statement', async () => {
    const writer = new RemoteJournal(database.db, true).writer(database.db);
    await writer.started('create:k', 'group', 'create', new Date('2026-11-27T10:00:00Z'));
    await writer.done('create:k', new Date('2026-11-27T10:00:01Z'));
    const later = new Date('2026-11-27T11:00:00Z');
    // The same key twice in one tick (a statement may not touch a row twice).
    await Promise.all([
      writer.started('create:k', 'group', 'create', later),
      writer.started('create:k', 'group', 'create', later),
    ]);
    const row = await database.db
      .selectFrom('remote_journal')
      .selectAll()
      .where('op_key', '=', 'create:k')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'started', done_at: null });
    expect(new Date(row.started_at).toISOString()).toBe(later.toISOString());
  });

  it('records creates ahead of their search, each claimed once, and withdraws those never sent', async () => {
    const writer = new RemoteJournal(database.db, true).writer(database.db);
    const at = new Date('2026-11-27T12:00:00Z');
    await writer.prestart(
      [
        { opKey: 'create:a', groupKey: 'group-a' },
        { opKey: 'create:b', groupKey: 'group-b' },
        { opKey: 'create:c', groupKey: 'group-c' },
      ],
      at,
    );
    const states = await database.db
      .selectFrom('remote_journal')
      .select(['op_key', 'state'])
      .orderBy('op_key')
      .execute();
    expect(states).toEqual([
      { op_key: 'create:a', state: 'started' },
      { op_key: 'create:b', state: 'started' },
      { op_key: 'create:c', state: 'started' },
    ]);

    expect(writer.claimPrestarted('create:a')?.toISOString()).toBe(at.toISOString());
    expect(writer.claimPrestarted('create:a')).toBeUndefined();
    expect(writer.claimPrestarted('create:unknown')).toBeUndefined();
    // b was sent and answered; c never was.
    expect(writer.claimPrestarted('create:b')).toBeDefined();
    await writer.done('create:b', new Date('2026-11-27T12:00:01Z'), {
      id: '10001',
      key: 'SEC-1',
      url: 'https://jira.example/browse/SEC-1',
    });
    await writer.forgetUnclaimed();

    const left = await database.db
      .selectFrom('remote_journal')
      .select(['op_key', 'state'])
      .orderBy('op_key')
      .execute();
    // a stays started (its create may be on the wire), b is done, c is gone.
    expect(left).toEqual([
      { op_key: 'create:a', state: 'started' },
      { op_key: 'create:b', state: 'done' },
    ]);
  });

  it('leaves no started record when the search before the creates fails, so the retry need not wait', async () => {
    const writer = new RemoteJournal(database.db, true).writer(database.db);
    const unavailable = new Error('tracker search: 503 Service Unavailable');
    const provider = {
      findEach: async () => {
        // The records are written meanwhile; the search fails after them.
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw unavailable;
      },
    } as unknown as TicketProvider;
    await expect(
      lookUpTickets(
        provider,
        writer,
        [
          { idempotencyKey: 'hum:jira-cloud:g1', groupKey: 'g1' },
          { idempotencyKey: 'hum:jira-cloud:g2', groupKey: 'g2' },
        ],
        () => new Date(),
      ),
    ).rejects.toBe(unavailable);
    expect(await database.db.selectFrom('remote_journal').selectAll().execute()).toEqual([]);
  });

  it('fails every caller of a statement that failed, so that none of them sends its write', async () => {
    const writer = new RemoteJournal(database.db, true).writer(database.db);
    // Random text does not compress: far beyond a btree index entry's limit, the insert fails.
    const tooLong = randomBytes(6_000).toString('hex');
    const results = await Promise.allSettled([
      writer.started('create:fine', 'group', 'create', new Date()),
      writer.started(`create:${tooLong}`, 'group', 'create', new Date()),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await database.db.selectFrom('remote_journal').selectAll().execute()).toEqual([]);
  });
});
