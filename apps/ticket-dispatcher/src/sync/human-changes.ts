import type { Kysely } from 'kysely';
import { appendAudit } from '@hum/audit';
import type { Clock } from '@hum/common';
import { type HumanDecision, TOPICS, type TicketEventV1 } from '@hum/contracts';
import type { EventProducer, OutgoingEvent } from '@hum/kafka';
import type { Logger } from '@hum/observability';
import { type HumanTicketChange, idempotencyKey, type TicketRouting } from '@hum/ticketing';
import { SERVICE_NAME } from '../config';
import type { DispatcherMetrics } from '../dispatcher-metrics';
import { ticketEvent } from '../dispatch/ticket-events';
import { type GroupRecord, loadMembersOfGroups, saveGroups } from '../ledger/group-records';
import { lockAll, lockKey } from '../ledger/locks';
import type { DispatcherDatabase } from '../ledger/schema';

export type ChangeOutcome = 'applied' | 'duplicate' | 'unknown-ticket' | 'no-effect';

/**
 * Applies what a person did to a ticket (closed it, reopened it, deleted it) to the ledger,
 * once per change, and reports it on tickets.events. A ticket closed while its findings are
 * still open is flagged and left closed: hum does not reopen it, so a person and hum never
 * take turns closing and reopening the same ticket.
 */
export class HumanChangeRecorder {
  constructor(
    private readonly db: Kysely<DispatcherDatabase>,
    private readonly routing: TicketRouting,
    private readonly producer: EventProducer,
    private readonly metrics: DispatcherMetrics,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async record(change: HumanTicketChange): Promise<ChangeOutcome> {
    const located = await this.locate(change);
    if (!located) return 'unknown-ticket';
    return this.db.transaction().execute(async (trx) => {
      await lockAll(trx, [lockKey('group', located)]);
      const receipt = await trx
        .insertInto('sync_receipts')
        .values({ source: change.provider, change_id: change.changeId, at: this.clock.now() })
        .onConflict((oc) => oc.columns(['source', 'change_id']).doNothing())
        .executeTakeFirst();
      if (Number(receipt.numInsertedOrUpdatedRows ?? 0n) === 0) return 'duplicate';
      const row = await trx
        .selectFrom('ticket_groups')
        .selectAll()
        .where('group_key', '=', located)
        .executeTakeFirstOrThrow();
      const group: GroupRecord = { ...row };
      // A change to a ticket hum has since replaced concerns nobody any more.
      if (group.ticket_id !== change.ticket.id) return 'no-effect';
      const members =
        (await loadMembersOfGroups(trx, [group.group_key])).get(group.group_key) ?? [];
      const open = members.filter((member) => member.state === 'open');
      const stillOpen = group.kind === 'remediation-failure' ? 1 : open.length;
      const now = this.clock.now();
      const fingerprints =
        group.kind === 'remediation-failure' && group.remediation
          ? [group.remediation.fingerprint]
          : (open.length > 0 ? open : members).map((member) => member.fingerprint);
      const events: OutgoingEvent<TicketEventV1>[] = [];
      let decision: HumanDecision | undefined;
      switch (change.kind) {
        case 'closed': {
          if (group.status !== 'open' && group.status !== 'pending') return 'no-effect';
          decision =
            change.decision ??
            this.routing.decisionFor(change.provider, change.resolution) ??
            'done';
          group.decision = decision;
          group.status = stillOpen > 0 ? 'human-closed' : 'resolved';
          const detail =
            change.resolution !== undefined ? `closed as ${change.resolution}` : 'closed';
          events.push(
            ticketEvent(group, fingerprints, 'human-decision', now, {
              decision,
              actor: change.actor,
              detail,
            }),
          );
          if (stillOpen > 0) {
            events.push(
              ticketEvent(group, fingerprints, 'human-closed-while-open', now, {
                decision,
                actor: change.actor,
                detail: `${change.actor} closed ${group.ticket_key ?? ''} (${change.resolution ?? 'no resolution'}) while ${stillOpen} finding(s) are still open; hum leaves it closed`,
              }),
            );
          }
          break;
        }
        case 'reopened': {
          if (group.status !== 'human-closed' && group.status !== 'resolved') return 'no-effect';
          group.status = 'open';
          group.decision = null;
          events.push(
            ticketEvent(group, fingerprints, 'reopened', now, {
              actor: change.actor,
              detail: 'reopened by a person',
            }),
          );
          break;
        }
        case 'deleted': {
          // The next event or reconciliation makes a new ticket under a new key if findings are open.
          const previous = group.ticket_key;
          group.generation += 1;
          group.idempotency_key = idempotencyKey(group.provider, group.group_key, group.generation);
          group.ticket_id = null;
          group.ticket_key = null;
          group.ticket_url = null;
          group.synced_hash = null;
          group.status = stillOpen > 0 ? 'pending' : 'resolved';
          this.logger.warn(
            { group: group.group_key, ticket: previous, actor: change.actor },
            'ticket deleted by a person',
          );
          break;
        }
      }
      await saveGroups(trx, [{ ...group, updated_at: now }]);
      const audit = await appendAudit(trx, SERVICE_NAME, [
        {
          actor: { type: 'user', id: change.actor.slice(0, 200) },
          action: `tickets.human.${change.kind}`,
          entity: { type: 'ticket-group', id: group.group_key.slice(0, 300) },
          outcome: 'success',
          details: {
            provider: change.provider,
            ticket: change.ticket.key,
            ...(change.resolution !== undefined ? { resolution: change.resolution } : {}),
            ...(decision !== undefined ? { decision } : {}),
            openFindings: stillOpen,
          },
          at: now,
        },
      ]);
      this.metrics.humanChanges.inc({
        provider: change.provider,
        kind: change.kind,
        decision: decision ?? 'none',
      });
      // Published before the commit: if publishing fails nothing is recorded and the sender
      // (webhook retry, next poll) brings the change again.
      await this.producer.publish([
        ...events,
        ...audit.map((entry) => ({ topic: TOPICS.auditLog, key: entry.entity.id, data: entry })),
      ]);
      return 'applied';
    });
  }

  private async locate(change: HumanTicketChange): Promise<string | undefined> {
    const byTicket = await this.db
      .selectFrom('ticket_groups')
      .select('group_key')
      .where('provider', '=', change.provider)
      .where('ticket_id', '=', change.ticket.id)
      .executeTakeFirst();
    if (byTicket) return byTicket.group_key;
    if (change.idempotencyKey === undefined) return undefined;
    const byKey = await this.db
      .selectFrom('ticket_groups')
      .select('group_key')
      .where('idempotency_key', '=', change.idempotencyKey)
      .executeTakeFirst();
    return byKey?.group_key;
  }
}
