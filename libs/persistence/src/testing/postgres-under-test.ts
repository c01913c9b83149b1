import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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
