import { Inject, Injectable } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import { type ApiKeyUsedV1, TOPICS } from '@hum/contracts';
import { ConsumeEvents, type InboundEvent } from '@hum/kafka';
import type { AdminTables } from '../database/schema';
import { ADMIN_DB } from '../tokens';

/**
 * Last-used stamps the gateway and the classifier report (`apikeys.usage`): kept as the latest
 * time seen, so redelivery and reports arriving out of order never move it back.
 */
@Injectable()
export class ApiKeyUsageHandler {
  constructor(@Inject(ADMIN_DB) private readonly db: Kysely<AdminTables>) {}

  @ConsumeEvents(TOPICS.apiKeysUsage, { batch: true })
  async onUsed(events: readonly InboundEvent<typeof ApiKeyUsedV1>[]): Promise<void> {
    const latest = new Map<string, Date>();
    for (const { data } of events) {
      const at = new Date(data.lastUsedAt);
      const held = latest.get(data.id);
      if (held === undefined || held < at) latest.set(data.id, at);
    }
    for (const [id, at] of latest) {
      await this.db
        .updateTable('api_keys')
        .set({ last_used_at: sql<Date>`greatest(coalesce(last_used_at, ${at}), ${at})` })
        .where('id', '=', id)
        .execute();
    }
  }
}
