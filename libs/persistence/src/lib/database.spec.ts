import { RetryableError } from '@hum/common';
import { AbortedTransactionError, type ColumnType, type Kysely, sql } from 'kysely';
import { type SpecDatabase, specEngines } from '../testing/postgres-under-test';
import { MigrationError } from './errors';
import { jsonb, type Jsonb } from './jsonb';
import { type Migrations, NO_MIGRATIONS } from './migrations';

// The same spec body runs on the real PostgreSQL server and on embedded PGlite: services
// are written once and must behave the same on both.

interface TicketPayload {
  tier: 'critical' | 'high' | 'medium' | 'low';
  labels: string[];
}

interface LedgerDB {
  tickets: {
    fingerprint: string;
    ticket_key: string;
    payload: Jsonb<TicketPayload>;
    // int8 reads as a string on both engines: no silent precision loss past 2^53.
    attempts: ColumnType<string, number | string | undefined, number | string>;
    created_at: ColumnType<Date, Date | undefined, never>;
  };
}

const ledgerMigrations: Migrations = {
  '0001_create_tickets': {
    up: async (db) => {
      await db.schema
        .createTable('tickets')
        .addColumn('fingerprint', 'text', (col) => col.primaryKey())
        .addColumn('ticket_key', 'text', (col) => col.notNull())
        .addColumn('payload', 'jsonb', (col) => col.notNull())
        .addColumn('attempts', 'int8', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .execute();
    },
    down: async (db) => {
      await db.schema.dropTable('tickets').execute();
    },
  },
  '0002_unique_ticket_key': {
    // Several statements in one raw migration, as people write them.
    up: async (db) => {
      await sql`
        create unique index tickets_ticket_key on tickets (ticket_key);
        comment on table tickets is 'one row per finding group'`.execute(db);
    },
    down: async (db) => {
      await sql`drop index tickets_ticket_key`.execute(db);
    },
  },
};

const engines = specEngines<LedgerDB>({ poolMax: 4 });

async function tablesIn(db: Kysely<LedgerDB>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${schema} order by table_name`.execute(db);
  return rows.map((row) => row.table_name);
}

function ticket(fingerprint: string, key = `HUM-${fingerprint}`) {
  return {
    fingerprint,
    ticket_key: key,
    payload: jsonb<TicketPayload>({ tier: 'high', labels: ['hum', `fp:${fingerprint}`] }),
  };
}

describe.each(engines)('persistence on %s', (kind, open) => {
  describe('a migrated database', () => {
    let opened: SpecDatabase<LedgerDB>;
    let db: Kysely<LedgerDB>;

    beforeAll(async () => {
      opened = await open('persistence_shared');
      db = opened.database.db;
    });
    afterAll(async () => {
      await opened.cleanup();
    });

    it('migrates into the service schema, and a second run applies nothing', async () => {
      const { database } = opened;
      expect(database.kind).toBe(kind);
      expect(await database.migrate(ledgerMigrations)).toEqual({
        applied: ['0001_create_tickets', '0002_unique_ticket_key'],
        reverted: [],
      });
      expect(await tablesIn(db, database.schema)).toEqual([
        'kysely_migration',
        'kysely_migration_lock',
        'tickets',
      ]);
      const { rows } = await sql<{ where: string | null }>`
        select to_regclass('public.tickets')::text as where`.execute(db);
      expect(rows).toEqual([{ where: null }]);
      expect(await database.migrate(ledgerMigrations)).toEqual({ applied: [], reverted: [] });
    });

    it('round-trips rows, jsonb, int8 and timestamps', async () => {
      await db
        .insertInto('tickets')
        .values({ ...ticket('rt-1'), attempts: '9007199254740993' })
        .execute();
      const row = await db
        .selectFrom('tickets')
        .selectAll()
        .where('fingerprint', '=', 'rt-1')
        .executeTakeFirstOrThrow();
      expect(row.payload).toEqual({ tier: 'high', labels: ['hum', 'fp:rt-1'] });
      expect(row.attempts).toBe('9007199254740993');
      expect(row.created_at).toBeInstanceOf(Date);
      const byLabel = await db
        .selectFrom('tickets')
        .select('fingerprint')
        .where(sql<boolean>`payload -> 'labels' ? ${'fp:rt-1'}`)
        .execute();
      expect(byLabel).toEqual([{ fingerprint: 'rt-1' }]);
    });

    it('commits a transaction', async () => {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('tickets').values(ticket('tx-1')).execute();
        await trx.insertInto('tickets').values(ticket('tx-2')).execute();
      });
      const rows = await db
        .selectFrom('tickets')
        .select('fingerprint')
        .where('fingerprint', 'in', ['tx-1', 'tx-2'])
        .orderBy('fingerprint')
        .execute();
      expect(rows.map((row) => row.fingerprint)).toEqual(['tx-1', 'tx-2']);
    });

    it('rolls back when the transaction callback throws, and rethrows', async () => {
      const failure = new Error('remote ticket create failed');
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('tickets').values(ticket('rb-1')).execute();
          throw failure;
        }),
      ).rejects.toBe(failure);
      const found = await db
        .selectFrom('tickets')
        .select('fingerprint')
        .where('fingerprint', '=', 'rb-1')
        .execute();
      expect(found).toEqual([]);
    });

    it('keeps uncommitted rows invisible to queries outside the transaction', async () => {
      let outside: Promise<{ fingerprint: string }[]> | undefined;
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('tickets').values(ticket('iso-1')).execute();
          // Not awaited: on PGlite it must wait for the session, on PostgreSQL it runs on
          // another connection; either way it cannot see iso-1, which is rolled back.
          outside = db
            .selectFrom('tickets')
            .select('fingerprint')
            .where('fingerprint', '=', 'iso-1')
            .execute();
          await trx.selectFrom('tickets').select('fingerprint').execute();
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await outside).toEqual([]);
    });

    it('refuses to commit a transaction in which a statement failed', async () => {
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('tickets').values(ticket('ab-1')).execute();
          await trx
            .insertInto('tickets')
            .values(ticket('ab-1'))
            .execute()
            .catch(() => undefined);
        }),
      ).rejects.toBeInstanceOf(AbortedTransactionError);
      const found = await db
        .selectFrom('tickets')
        .select('fingerprint')
        .where('fingerprint', '=', 'ab-1')
        .execute();
      expect(found).toEqual([]);
    });

    it('rolls back to a savepoint and keeps the rest', async () => {
      const trx = await db.startTransaction().execute();
      await trx.insertInto('tickets').values(ticket('sp-1')).execute();
      const inner = await trx.savepoint('before_second').execute();
      await inner.insertInto('tickets').values(ticket('sp-2')).execute();
      const back = await inner.rollbackToSavepoint('before_second').execute();
      await back.commit().execute();
      const rows = await db
        .selectFrom('tickets')
        .select('fingerprint')
        .where('fingerprint', 'like', 'sp-%')
        .execute();
      expect(rows).toEqual([{ fingerprint: 'sp-1' }]);
    });

    it('inserts idempotently: a replayed insert changes nothing and says so', async () => {
      const insertOnce = (key: string) =>
        db
          .insertInto('tickets')
          .values(ticket('idem-1', key))
          .onConflict((conflict) => conflict.column('fingerprint').doNothing())
          .executeTakeFirst();
      expect((await insertOnce('HUM-1')).numInsertedOrUpdatedRows).toBe(1n);
      expect((await insertOnce('HUM-2')).numInsertedOrUpdatedRows).toBe(0n);
      const row = await db
        .selectFrom('tickets')
        .select('ticket_key')
        .where('fingerprint', '=', 'idem-1')
        .executeTakeFirstOrThrow();
      expect(row.ticket_key).toBe('HUM-1');
    });

    it('counts updated rows', async () => {
      const result = await db
        .updateTable('tickets')
        .set({ attempts: sql<string>`attempts + 1` })
        .where('fingerprint', 'in', ['tx-1', 'tx-2'])
        .executeTakeFirst();
      expect(result.numUpdatedRows).toBe(2n);
    });

    it('answers ping', async () => {
      await expect(opened.database.ping()).resolves.toBeUndefined();
    });
  });

  describe('migration failures and reversal', () => {
    let opened: SpecDatabase<LedgerDB>;

    beforeAll(async () => {
      opened = await open('persistence_failures');
    });
    afterAll(async () => {
      await opened.cleanup();
    });

    it('names the failing migration and rolls back the whole run', async () => {
      const broken: Migrations = {
        ...ledgerMigrations,
        '0003_backfill': {
          up: async (db) => {
            await sql`insert into tickets (fingerprint, ticket_key, payload) values ('x', 'y', 'not json')`.execute(
              db,
            );
          },
        },
      };
      const failure = await opened.database.migrate(broken).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MigrationError);
      expect((failure as MigrationError).migration).toBe('0003_backfill');
      expect((failure as MigrationError).message).toMatch(/^migration 0003_backfill \(up\) failed/);
      expect((failure as MigrationError).message).toContain('invalid input syntax for type json');
      expect(await tablesIn(opened.database.db, opened.database.schema)).not.toContain('tickets');
    });

    it('rejects migration names that would sort surprisingly', async () => {
      await expect(
        opened.database.migrate({ '10_later': ledgerMigrations['0001_create_tickets']! }),
      ).rejects.toThrow('migration name "10_later" must look like 0001_create_tickets');
    });

    it('migrates down to a named migration and to nothing', async () => {
      const { database } = opened;
      expect((await database.migrate(ledgerMigrations)).applied).toHaveLength(2);
      expect(await database.migrate(ledgerMigrations, { to: '0001_create_tickets' })).toEqual({
        applied: [],
        reverted: ['0002_unique_ticket_key'],
      });
      expect(await database.migrate(ledgerMigrations, { to: NO_MIGRATIONS })).toEqual({
        applied: [],
        reverted: ['0001_create_tickets'],
      });
      expect(await tablesIn(database.db, database.schema)).not.toContain('tickets');
    });

    it('fails ping with a retryable error once closed', async () => {
      await opened.database.close();
      await expect(opened.database.ping()).rejects.toBeInstanceOf(RetryableError);
    });
  });
});
