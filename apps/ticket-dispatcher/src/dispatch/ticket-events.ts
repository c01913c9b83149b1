import { TOPICS, type TicketAction, type TicketEventV1 } from '@hum/contracts';
import type { OutgoingEvent } from '@hum/kafka';
import type { GroupRecord } from '../ledger/group-records';

const MAX_FINGERPRINTS = 1_000;

/** A tickets.events message about a group's ticket, keyed by the group. */
export function ticketEvent(
  group: GroupRecord,
  fingerprints: readonly string[],
  action: TicketAction,
  at: Date,
  extra: Pick<TicketEventV1, 'decision' | 'actor' | 'detail'> = {},
): OutgoingEvent<TicketEventV1> {
  const data: TicketEventV1 = {
    provider: group.provider,
    groupKey: group.group_key,
    ticketKey: group.ticket_key ?? group.idempotency_key,
    ...(group.ticket_url !== null ? { url: group.ticket_url } : {}),
    action,
    fingerprints: fingerprints.slice(0, MAX_FINGERPRINTS),
    ...(extra.decision !== undefined ? { decision: extra.decision } : {}),
    ...(extra.actor !== undefined ? { actor: extra.actor.slice(0, 200) } : {}),
    ...(extra.detail !== undefined ? { detail: extra.detail.slice(0, 4_000) } : {}),
    at: at.toISOString(),
  };
  return { topic: TOPICS.ticketsEvents, key: group.group_key, data };
}
