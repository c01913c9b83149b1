import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { OutgoingEvent } from '@hum/kafka';
import { jsonb } from '@hum/persistence';
import type { PatcherTables } from './schema';

/**
 * An event as an outbox row, written in the transaction of the change it reports and published
 * after commit by the relay. Its id and time are fixed here, so a re-sent row is the same event.
 */
export function outboxRow(event: OutgoingEvent, now: Date): Insertable<PatcherTables['outbox']> {
  return {
    event: jsonb({
      topic: event.topic.name,
      key: event.key,
      data: event.data,
      id: randomUUID(),
      time: now.toISOString(),
    }),
    created_at: now,
  };
}
