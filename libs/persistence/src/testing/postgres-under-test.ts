import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabase, type Database, type DatabaseKind } from '../lib/create-database';
import { IN_MEMORY } from '../lib/pglite/open-pglite';

// Spec support for this lib only. @hum/testing's createTestDatabase does the same for services,
// but a data-access lib may not depend on the testing lib (module boundaries), and here
// createDatabase creating the schema is itself under test.

export function testPostgresUrl(): string {
  return process.env['HUM_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
}

/** A schema name no other spec or worker will use. */
export function uniqueSchema(label: string): string {
  return `test_${label}_${randomBytes(5).toString('hex')}`;
}

/** Drops a spec's schema over its own connection, whatever state the spec left its pool in. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export interface SpecDatabase<DB> {
  database: Database<DB>;
  /** Closes the database and drops what the spec created in it. */
  cleanup(): Promise<void>;
}

/**
 * The two engines a spec body runs on, services being written once for both: the real
 * PostgreSQL server (a fresh schema per `open`, dropped by cleanup) and embedded PGlite in memory.
 */
export function specEngines<DB>(
  options: { poolMax?: number } = {},
): [DatabaseKind, (label: string) => Promise<SpecDatabase<DB>>][] {
  return [
    [
      'postgres',
      async (label) => {
        const schema = uniqueSchema(label);
        const database = await createDatabase<DB>({
          url: testPostgresUrl(),
          schema,
          poolMax: options.poolMax ?? 2,
        });
        return {
          database,
          cleanup: async () => {
            await database.close();
            await dropSchema(schema);
          },
        };
      },
    ],
    [
      'pglite',
      async (label) => {
        const database = await createDatabase<DB>({ dataDir: IN_MEMORY, schema: label });
        return { database, cleanup: () => database.close() };
      },
    ],
  ];
}
