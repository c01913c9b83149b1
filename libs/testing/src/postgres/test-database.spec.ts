import { Client } from 'pg';
import { createTestDatabase, testDatabaseUrl } from './test-database';

async function schemaExists(schema: string): Promise<boolean> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a fresh schema per call on the real server and drops it on cleanup', async () => {
    const first = await createTestDatabase('Ticket Ledger spec!');
    const second = await createTestDatabase('Ticket Ledger spec!');
    try {
      expect(first.schema).toMatch(/^test_ticket_ledger_spec_[0-9a-f]{10}$/);
      expect(second.schema).not.toBe(first.schema);
      expect(first.url).toBe(testDatabaseUrl());
      expect(await schemaExists(first.schema)).toBe(true);

      const client = new Client({ connectionString: first.url });
      await client.connect();
      await client.query(`create table "${first.schema}".t (id int)`);
      await client.end();
    } finally {
      await first.cleanup();
      await second.cleanup();
    }
    expect(await schemaExists(first.schema)).toBe(false);
    expect(await schemaExists(second.schema)).toBe(false);
  });
});
