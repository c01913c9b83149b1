import { createDatabase, type Database, type Migrations } from '@hum/persistence';
import { createTestDatabase } from './test-database';

/** A spec file's own PostgreSQL schema, migrated; `close` ends the pool and drops the schema. */
export interface MigratedTestDatabase<DB> {
  readonly database: Database<DB>;
  close(): Promise<void>;
}

/**
 * What a service's PostgreSQL spec sets up first: a schema of its own on the test server
 * (see {@link createTestDatabase}), opened and migrated with the service's migrations.
 */
export async function createMigratedTestDatabase<DB>(
  label: string,
  migrations: Migrations,
): Promise<MigratedTestDatabase<DB>> {
  const test = await createTestDatabase(label);
  const database = await createDatabase<DB>({ url: test.url, schema: test.schema });
  const close = async (): Promise<void> => {
    await database.close();
    await test.cleanup();
  };
  try {
    await database.migrate(migrations);
  } catch (error) {
    await close();
    throw error;
  }
  return { database, close };
}
