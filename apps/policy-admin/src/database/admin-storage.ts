import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { auditMigrations } from '@hum/audit';
import { SessionTokens } from '@hum/auth';
import { createDatabase, type Database } from '@hum/persistence';
import type { AdminConfig } from '../config';
import { SERVICE_NAME } from '../config';
import { type AdminDatabase, adminMigrations } from './schema';

export interface AdminStorage {
  database: Database<AdminDatabase>;
  db: Kysely<AdminDatabase>;
  /** Made with the database: a new database never inherits an old outbox watermark. */
  epoch: string;
  /** Signs sessions and CSRF tokens: configured, or made once and kept here for all replicas. */
  sessionKey: Buffer;
}

/** A setting made once (first writer wins, so replicas starting together agree). */
export async function ensureSetting(
  db: Kysely<AdminDatabase>,
  name: string,
  make: () => string,
): Promise<string> {
  await db
    .insertInto('admin_settings')
    .values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('admin_settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function openAdminStorage(config: AdminConfig): Promise<AdminStorage> {
  const database = await createDatabase<AdminDatabase>({
    url: config.DATABASE_URL,
    dataDir: path.join(config.HUM_DATA_DIR, SERVICE_NAME),
    schema: config.DATABASE_SCHEMA,
  });
  try {
    await database.migrate({ ...auditMigrations, ...adminMigrations });
    const epoch = await ensureSetting(database.db, 'outbox_epoch', () => randomUUID());
    const sessionKey =
      config.ADMIN_SESSION_SECRET !== undefined
        ? Buffer.from(config.ADMIN_SESSION_SECRET.reveal(), 'utf8')
        : Buffer.from(
            await ensureSetting(database.db, 'session_key', () =>
              SessionTokens.newKey().toString('base64'),
            ),
            'base64',
          );
    return { database, db: database.db, epoch, sessionKey };
  } catch (error) {
    await database.close();
    throw error;
  }
}
