import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { encodeEvent } from '@hum/contracts';
import type { OutgoingEvent } from '@hum/kafka';
import { forEachChunk, jsonb } from '@hum/persistence';
import type { AdminDatabase, StoredOutboxEvent } from '../database/schema';

/**
 * Queues events in the same database transaction as the change they announce: they exist
 * exactly when the change does. Sequence numbers come from one locked row, so transactions
 * that queue events commit in sequence order and the relay can never skip an event that
 * commits late (the usual gap problem of serial ids).
 *
 * Returns the highest sequence number queued, for callers that wait until it is published
 * (0 when there was nothing to queue).
 */
export async function enqueueEvents(
  trx: Transaction<AdminDatabase>,
  events: readonly OutgoingEvent[],
): Promise<bigint> {
  if (events.length === 0) return 0n;
  const head = await trx
    .selectFrom('outbox_head')
    .select('seq')
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  let seq = BigInt(head.seq);
  const now = new Date();
  const rows = events.map((event) => {
    // Checked now rather than at publish time: an event the relay could not send would block
    // every event behind it.
    encodeEvent(event.topic, { key: event.key, data: event.data, source: '/hum/policy-admin' });
    seq += 1n;
    const stored: StoredOutboxEvent = {
      data: event.data,
      id: event.id ?? randomUUID(),
      time: (event.time ?? now).toISOString(),
      ...(event.subject !== undefined ? { subject: event.subject } : {}),
      ...(event.correlationId !== undefined ? { correlationId: event.correlationId } : {}),
    };
    return {
      seq: seq.toString(),
      topic: event.topic.name,
      key: event.key,
      event: jsonb(stored),
      created_at: now,
      published_at: null,
    };
  });
  await forEachChunk(rows, 500, (chunk) => trx.insertInto('outbox').values(chunk).execute());
  await trx.updateTable('outbox_head').set({ seq: seq.toString() }).where('id', '=', 1).execute();
  return seq;
}
