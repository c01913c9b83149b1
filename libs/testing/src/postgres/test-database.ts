import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Where integration specs find PostgreSQL; `.ci/run` and developers may point it elsewhere. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function testDatabaseUrl(): string {
  return process.env['HUM_TEST_DATABASE_URL'] || DEFAULT_TEST_DATABASE_URL;
}

export interface TestDatabase {
  /** The server's URL; pass it with `schema` to createDatabase. */
  url: string;
  /** A schema no other spec uses, already created. */
  schema: string;
  /** Drops the schema and everything in it. */
  cleanup(): Promise<void>;
}

const MAX_LABEL = 40;

/**
 * A fresh, uniquely named schema on the real PostgreSQL test server. Each spec (and each
 * jest worker) gets its own, so specs run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_LABEL);
  const schema = `test_${slug}_${randomBytes(5).toString('hex')}`;
  await withClient(url, (client) => client.query(`create schema "${schema}"`));
  return {
    url,
    schema,
    cleanup: async () => {
      await withClient(url, (client) => client.query(`drop schema if exists "${schema}" cascade`));
    },
  };
}

async function withClient(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `integration specs need PostgreSQL at ${url.replace(/:[^:/@]*@/, ':***@')} ` +
        '(set HUM_TEST_DATABASE_URL to use another server)',
      { cause: error },
    );
  }
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
