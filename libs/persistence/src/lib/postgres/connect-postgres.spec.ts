import { createServer } from 'node:net';
import { describeError, PermanentError } from '@hum/common';
import { sql } from 'kysely';
import { Client } from 'pg';
import { pino } from 'pino';
import { createDatabase } from '../create-database';
import { DatabaseConnectionError } from '../errors';
import { dropSchema, testPostgresUrl, uniqueSchema } from '../../testing/postgres-under-test';

/** A loopback port nobody listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function capturingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => written.push(line) });
  return {
    logger,
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const PASSWORD = 'Sup3r-Secret-Pa55';

describe('connecting to PostgreSQL', () => {
  it('retries a refused connection a bounded number of times, then names the target without the password', async () => {
    const port = await closedPort();
    const { logger, lines } = capturingLogger();
    const failure = await createDatabase({
      url: `postgres://hum:${PASSWORD}@127.0.0.1:${port}/hum_tickets`,
      schema: 'tickets',
      connectRetries: 3,
      connectBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
      logger,
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DatabaseConnectionError);
    const error = failure as DatabaseConnectionError;
    expect(error.attempts).toBe(4);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('database "hum_tickets"');
    expect(error.message).toContain(`postgres://hum:***@127.0.0.1:${port}/hum_tickets`);
    expect(error.message).toContain('after 4 attempts');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.target).toBe(`postgres://hum:***@127.0.0.1:${port}/hum_tickets`);
    expect(describeError(error)).not.toContain(PASSWORD);

    const retries = lines().filter(
      (line) => line['msg'] === 'PostgreSQL not reachable yet; retrying',
    );
    expect(retries.map((line) => line['attempt'])).toEqual([1, 2, 3]);
    expect(JSON.stringify(lines())).not.toContain(PASSWORD);
  });

  it('does not retry what cannot succeed: an unknown database fails on the first attempt', async () => {
    const url = new URL(testPostgresUrl());
    url.pathname = '/hum_no_such_database';
    const failure = await createDatabase({
      url: url.toString(),
      schema: 'tickets',
      connectRetries: 5,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseConnectionError);
    expect((failure as DatabaseConnectionError).attempts).toBe(1);
    expect((failure as DatabaseConnectionError).message).toContain(
      'database "hum_no_such_database"',
    );
    expect((failure as DatabaseConnectionError).message).toContain('does not exist');
  });

  it('rejects a malformed or non-postgres URL without echoing it', async () => {
    await expect(
      createDatabase({ url: `postgres://hum:${PASSWORD}@[bad`, schema: 'x' }),
    ).rejects.toThrow('database URL is not a valid URL (value hidden: it may hold a password)');
    const failure = await createDatabase({
      url: `mysql://hum:${PASSWORD}@db/x`,
      schema: 'x',
    }).catch((error: unknown) => error);
    expect(describeError(failure)).toContain(
      'must start with postgres:// or postgresql://, not mysql://',
    );
    expect(describeError(failure)).not.toContain(PASSWORD);
  });

  it('refuses to start with neither a URL nor a data directory', async () => {
    await expect(createDatabase({ schema: 'x' })).rejects.toThrow(
      'database: set a postgres:// url, or a dataDir for embedded PGlite',
    );
  });
});

describe('the service schema on PostgreSQL', () => {
  it('puts every pooled connection in the service schema, created once by racing replicas', async () => {
    const schema = uniqueSchema('replicas');
    const open = () => createDatabase({ url: testPostgresUrl(), schema, poolMax: 3 });
    const replicas = await Promise.all([open(), open(), open()]);
    try {
      const first = replicas[0]!;
      // Hold three connections at once so the answers come from three different sessions.
      const answers = await Promise.all(
        [1, 2, 3].map(() =>
          first.db.connection().execute(async (connection) => {
            const { rows } = await sql<{
              search_path: string;
              pid: number;
            }>`select current_setting('search_path') as search_path, pg_backend_pid() as pid, pg_sleep(0.05)`.execute(
              connection,
            );
            return rows[0]!;
          }),
        ),
      );
      expect(new Set(answers.map((answer) => answer.pid)).size).toBe(3);
      expect(answers.map((answer) => answer.search_path)).toEqual([schema, schema, schema]);
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from pg_namespace where nspname = ${schema}`.execute(first.db);
      expect(rows).toEqual([{ n: '1' }]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await dropSchema(schema);
    }
  });
});

describe('a role without CREATE on the database', () => {
  const role = uniqueSchema('role');
  const granted = uniqueSchema('granted');
  const refused = uniqueSchema('refused');
  const admin = new Client({ connectionString: testPostgresUrl() });
  const asRole = (): string => {
    const url = new URL(testPostgresUrl());
    url.username = role;
    url.password = '';
    return url.toString();
  };

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create role "${role}" login`);
    await admin.query(`create schema "${granted}" authorization "${role}"`);
  });
  afterAll(async () => {
    await dropSchema(granted);
    await admin.query(`drop role if exists "${role}"`);
    await admin.end();
  });

  it('works in a schema made for it, and says so when it cannot make one', async () => {
    const database = await createDatabase({ url: asRole(), schema: granted });
    try {
      const report = await database.migrate({
        '0001_create_notes': {
          up: async (db) => {
            await sql`create table notes (body text)`.execute(db);
          },
        },
      });
      expect(report.applied).toEqual(['0001_create_notes']);
    } finally {
      await database.close();
    }

    const failure = await createDatabase({ url: asRole(), schema: refused }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PermanentError);
    expect(describeError(failure)).toContain(
      `cannot create or find schema "${refused}" (postgres)`,
    );
    expect(describeError(failure)).toContain('permission denied');
  });
});
