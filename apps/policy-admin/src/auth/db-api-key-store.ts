import type { Kysely } from 'kysely';
import type { ApiKeyRecord, ApiKeyStore } from '@hum/auth';
import type { AdminDatabase } from '../database/schema';

/**
 * The keys as policy-admin holds them. A pipeline key presented here is recognised (and then
 * refused every route: keys only publish), and its use is recorded like anywhere else.
 */
export class DbApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: Kysely<AdminDatabase>) {}

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .select('record')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.record;
  }

  touch(id: string, at: Date): void {
    // Best effort by contract: a lost last-used stamp must never fail the request.
    this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .execute()
      .catch(() => undefined);
  }
}
