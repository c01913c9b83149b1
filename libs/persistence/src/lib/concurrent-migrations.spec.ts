import { sleep } from '@hum/common';
import { sql } from 'kysely';
import { dropSchema, testPostgresUrl, uniqueSchema } from '../testing/postgres-under-test';
import { createDatabase, type Database } from './create-database';
import { MIGRATION_LOCK_SPACE } from './migration-lock-adapter';
import type { Migrations } from './migrations';

describe('replicas migrating the same schema at once (PostgreSQL)', () => {
  const schema = uniqueSchema('migrators');
  const open = () => createDatabase({ url: testPostgresUrl(), schema, poolMax: 2 });
  let replicas: Database<unknown>[] = [];

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await dropSchema(schema);
  });

  it('applies each migration exactly once; the other replica waits, then finds nothing to do', async () => {
    replicas = await Promise.all([open(), open(), open()]);
    const [first, second, observer] = replicas as [
      Database<unknown>,
      Database<unknown>,
      Database<unknown>,
    ];

    // Proof that the two really overlap: the replica holding the lock does not finish its
    // first migration until the other one is seen blocked on the same advisory lock.
    const untilTheOtherReplicaWaits = async (): Promise<void> => {
      for (let poll = 0; poll < 1_200; poll += 1) {
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from pg_locks
          where locktype = 'advisory' and not granted
            and classid::bigint = ${MIGRATION_LOCK_SPACE}
            and objid::bigint = (hashtext(${schema})::bigint & 4294967295)
            and database = (select oid from pg_database where datname = current_database())`.execute(
          observer.db,
        );
        if ((rows[0]?.waiting ?? 0) > 0) return;
        await sleep(50);
      }
      throw new Error('the other replica never queued for the migration lock');
    };

    const migrations: Migrations = {
      '0001_create_runs': {
        up: async (db) => {
          // No "if not exists": a second application would fail loudly.
          await sql`create table runs (migration text not null, backend int not null)`.execute(db);
          await sql`insert into runs values ('0001', pg_backend_pid())`.execute(db);
          await untilTheOtherReplicaWaits();
        },
      },
      '0002_index_runs': {
        up: async (db) => {
          await sql`create index runs_by_migration on runs (migration)`.execute(db);
          await sql`insert into runs values ('0002', pg_backend_pid())`.execute(db);
        },
      },
    };

    const reports = await Promise.all([first.migrate(migrations), second.migrate(migrations)]);

    const applied = reports.map((report) => report.applied).sort((a, b) => a.length - b.length);
    expect(applied).toEqual([[], ['0001_create_runs', '0002_index_runs']]);
    const { rows } = await sql<{ migration: string; backends: number }>`
      select migration, count(distinct backend)::int as backends from runs
      group by migration order by migration`.execute(observer.db);
    expect(rows).toEqual([
      { migration: '0001', backends: 1 },
      { migration: '0002', backends: 1 },
    ]);
  });
});
