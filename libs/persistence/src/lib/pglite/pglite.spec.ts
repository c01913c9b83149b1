import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../create-database';
import type { Migrations } from '../migrations';
import { IN_MEMORY } from './open-pglite';

interface CounterDB {
  counters: { name: string; value: number };
}

const migrations: Migrations = {
  '0001_create_counters': {
    up: async (db) => {
      await sql`create table counters (name text primary key, value int not null)`.execute(db);
    },
  },
};

describe('embedded PGlite', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hum-pglite-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps data and migration history in dataDir across restarts', async () => {
    const first = await createDatabase<CounterDB>({ dataDir, schema: 'counting' });
    expect((await first.migrate(migrations)).applied).toEqual(['0001_create_counters']);
    await first.db.insertInto('counters').values({ name: 'restarts', value: 1 }).execute();
    await first.close();

    const second = await createDatabase<CounterDB>({ dataDir, schema: 'counting' });
    try {
      expect((await second.migrate(migrations)).applied).toEqual([]);
      const row = await second.db
        .selectFrom('counters')
        .select('value')
        .where('name', '=', 'restarts')
        .executeTakeFirst();
      expect(row).toEqual({ value: 1 });
    } finally {
      await second.close();
    }
  });

  it('lets a transaction in flight finish before closing', async () => {
    const database = await createDatabase<CounterDB>({ dataDir, schema: 'closing' });
    await database.migrate(migrations);
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let inTransaction!: () => void;
    const started = new Promise<void>((resolve) => {
      inTransaction = resolve;
    });
    const work = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('counters').values({ name: 'last-write', value: 7 }).execute();
      inTransaction();
      await gate;
    });
    await started;
    let closed = false;
    const closing = database.close().then(() => {
      closed = true;
    });
    for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    openGate();
    await work;
    await closing;
    expect(closed).toBe(true);

    const reopened = await createDatabase<CounterDB>({ dataDir, schema: 'closing' });
    try {
      const row = await reopened.db
        .selectFrom('counters')
        .select('value')
        .where('name', '=', 'last-write')
        .executeTakeFirst();
      expect(row).toEqual({ value: 7 });
    } finally {
      await reopened.close();
    }
  });
});

describe('embedded PGlite in memory', () => {
  let database: Database<CounterDB>;
  beforeAll(async () => {
    database = await createDatabase<CounterDB>({ dataDir: IN_MEMORY, schema: 'counting' });
    await database.migrate(migrations);
  });
  afterAll(async () => {
    await database.close();
  });

  it('runs concurrent transactions one after another on its single session', async () => {
    await database.db.insertInto('counters').values({ name: 'hits', value: 0 }).execute();
    // Read-modify-write with a pause in the middle: interleaved on one session, BEGINs would
    // nest and increments would be lost.
    const increment = () =>
      database.db.transaction().execute(async (trx) => {
        const { value } = await trx
          .selectFrom('counters')
          .select('value')
          .where('name', '=', 'hits')
          .executeTakeFirstOrThrow();
        await new Promise((resolve) => setImmediate(resolve));
        await trx
          .updateTable('counters')
          .set({ value: value + 1 })
          .where('name', '=', 'hits')
          .execute();
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    const row = await database.db
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'hits')
      .executeTakeFirstOrThrow();
    expect(row.value).toBe(20);
  });

  it('refuses to stream rather than behave differently from PostgreSQL', async () => {
    const stream = database.db.selectFrom('counters').selectAll().stream();
    await expect(stream.next()).rejects.toThrow('streaming queries is not supported');
    // The session was handed back: the database still answers.
    await expect(database.ping()).resolves.toBeUndefined();
  });
});
