import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { appendAudit } from '@hum/audit';
import { type Clock, describeError, sleep } from '@hum/common';
import { TOPICS, type TicketProviderName } from '@hum/contracts';
import { EventProducer, type OutgoingEvent } from '@hum/kafka';
import { LOGGER, type Logger } from '@hum/observability';
import { idempotencyKey, type RemoteTicket } from '@hum/ticketing';
import { type DispatcherConfig, SERVICE_NAME } from '../config';
import { DispatcherMetrics } from '../dispatcher-metrics';
import { GroupWork } from '../dispatch/group-plan';
import { type ActionRecord, GroupSync } from '../dispatch/group-sync';
import { TicketComposer } from '../dispatch/ticket-composer';
import { ticketEvent } from '../dispatch/ticket-events';
import { EARLY_PATCH_NOTE_TTL_MS, expireEarlyPatchNotes } from '../ledger/early-patch-notes';
import { type GroupRecord, loadMembersOfGroups, saveGroups } from '../ledger/group-records';
import { lockAll, lockKey } from '../ledger/locks';
import { RemoteJournal } from '../ledger/remote-journal';
import type { DispatcherDatabase } from '../ledger/schema';
import { SyncState } from '../ledger/sync-state';
import { TicketProviders } from '../providers/ticket-providers';
import { DISPATCHER_CLOCK, DISPATCHER_CONFIG, LEDGER_DB } from '../tokens';

export interface Repair {
  readonly groupKey: string;
  readonly ticket?: string;
  readonly action: ActionRecord['action'];
  readonly detail: string;
}

export interface ProviderReconciliation {
  readonly provider: TicketProviderName;
  readonly remoteTickets: number;
  readonly groupsChecked: number;
  readonly repairs: readonly Repair[];
  /** Tickets carrying a hum key the ledger does not know (e.g. after a database restore). */
  readonly orphans: readonly string[];
  readonly failures: readonly string[];
}

export interface ReconcileReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly skipped?: string;
  readonly providers: readonly ProviderReconciliation[];
  /** Notes of patches whose finding never arrived, dropped after EARLY_PATCH_NOTE_TTL_MS. */
  readonly expiredEarlyPatchNotes?: number;
}

const PAGE = 500;
const LEASE = 'reconcile';

/**
 * Compares the ledger with each tracker and repairs drift: a missing ticket is created (or
 * found and adopted), a deleted one is recreated while findings are open, extra tickets with
 * a group's key are closed as duplicates, and a ticket that lost its label gets it back. Each
 * repair is audited and reported on tickets.events as `repaired`.
 */
@Injectable()
export class Reconciler {
  private readonly logger: Logger;
  private running: Promise<ReconcileReport> | undefined;

  constructor(
    @Inject(LEDGER_DB) private readonly db: Kysely<DispatcherDatabase>,
    private readonly providers: TicketProviders,
    private readonly composer: TicketComposer,
    private readonly journal: RemoteJournal,
    private readonly producer: EventProducer,
    private readonly state: SyncState,
    private readonly metrics: DispatcherMetrics,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(DISPATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ context: Reconciler.name });
  }

  /** Runs once (a run already under way in this instance is joined, not repeated). */
  run(only?: TicketProviderName): Promise<ReconcileReport> {
    this.running ??= this.reconcile(only).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reconcile(only: TicketProviderName | undefined): Promise<ReconcileReport> {
    const startedAt = this.clock.now().toISOString();
    const holder = this.config.HUM_INSTANCE_ID;
    if (!(await this.state.tryLease(LEASE, holder, 15 * 60_000, this.clock.now()))) {
      return {
        startedAt,
        finishedAt: startedAt,
        skipped: 'another replica is reconciling',
        providers: [],
      };
    }
    try {
      const providers: ProviderReconciliation[] = [];
      for (const name of this.providers.enabled()) {
        if (only !== undefined && name !== only) continue;
        providers.push(await this.reconcileProvider(name));
      }
      const expiredEarlyPatchNotes = await expireEarlyPatchNotes(
        this.db,
        new Date(this.clock.now().getTime() - EARLY_PATCH_NOTE_TTL_MS),
      );
      if (expiredEarlyPatchNotes > 0) {
        this.logger.info(
          { expiredEarlyPatchNotes },
          'dropped patch notes whose finding never came',
        );
      }
      return {
        startedAt,
        finishedAt: this.clock.now().toISOString(),
        providers,
        expiredEarlyPatchNotes,
      };
    } finally {
      await this.state.releaseLease(LEASE, holder);
    }
  }

  private async reconcileProvider(name: TicketProviderName): Promise<ProviderReconciliation> {
    const provider = this.providers.get(name);
    const remote = new Map<string, RemoteTicket[]>();
    let remoteTickets = 0;
    for await (const page of provider.listManaged()) {
      for (const ticket of page) {
        remoteTickets += 1;
        if (ticket.idempotencyKey === undefined) continue;
        const list = remote.get(ticket.idempotencyKey) ?? [];
        list.push(ticket);
        remote.set(ticket.idempotencyKey, list);
      }
    }
    const repairs: Repair[] = [];
    const failures: string[] = [];
    const ledgerKeys = new Set<string>();
    let groupsChecked = 0;
    for (let after = ''; ;) {
      const groups = await this.db
        .selectFrom('ticket_groups')
        .selectAll()
        .where('provider', '=', name)
        .where('group_key', '>', after)
        .orderBy('group_key')
        .limit(PAGE)
        .execute();
      if (groups.length === 0) break;
      after = groups[groups.length - 1]!.group_key;
      for (const row of groups) {
        groupsChecked += 1;
        // Keys of earlier generations count as known: their tickets are history, not orphans.
        for (let generation = 1; generation <= row.generation; generation += 1) {
          ledgerKeys.add(idempotencyKey(row.provider, row.group_key, generation));
        }
        const tickets = remote.get(row.idempotency_key) ?? [];
        const ours =
          row.ticket_id === null ? undefined : tickets.find((t) => t.id === row.ticket_id);
        // A duplicate already closed is history, not drift: only open ones need a repair.
        const duplicates = tickets.filter((t) => t.id !== row.ticket_id && t.status === 'open');
        const drift =
          (row.ticket_id !== null && (ours === undefined || duplicates.length > 0)) ||
          (row.ticket_id === null && (tickets.length > 0 || row.status === 'pending'));
        if (!drift) continue;
        try {
          repairs.push(...(await this.repair(row.group_key)));
        } catch (error) {
          failures.push(`${row.group_key}: ${describeError(error)}`);
          this.logger.error({ group: row.group_key, error: describeError(error) }, 'repair failed');
        }
      }
    }
    const orphans = [...remote.keys()].filter((key) => !ledgerKeys.has(key));
    for (const repair of repairs) this.metrics.repairs.inc({ provider: name, kind: repair.action });
    this.metrics.reconcileRuns.inc({
      provider: name,
      outcome: failures.length === 0 ? 'ok' : 'partial',
    });
    const report: ProviderReconciliation = {
      provider: name,
      remoteTickets,
      groupsChecked,
      repairs,
      orphans,
      failures,
    };
    this.logger.info(
      {
        provider: name,
        remoteTickets,
        groupsChecked,
        repairs: repairs.length,
        orphans: orphans.length,
        failures: failures.length,
      },
      'reconciliation finished',
    );
    return report;
  }

  /** Repairs one group under its lock, in its own transaction. */
  private async repair(groupKey: string): Promise<Repair[]> {
    return this.db.transaction().execute(async (trx) => {
      await lockAll(trx, [lockKey('group', groupKey)]);
      const row = await trx
        .selectFrom('ticket_groups')
        .selectAll()
        .where('group_key', '=', groupKey)
        .executeTakeFirstOrThrow();
      const group: GroupRecord = { ...row };
      const members = (await loadMembersOfGroups(trx, [groupKey])).get(groupKey) ?? [];
      const provider = this.providers.get(group.provider);
      const work = new GroupWork(group, members, false, 'reconcile');
      const sync = new GroupSync(work, {
        provider,
        journal: this.journal.writer(trx),
        composer: this.composer,
        now: () => this.clock.now(),
        searchConsistencyMs: this.providers.searchConsistencyMs(group.provider),
        wait: (ms) => sleep(ms),
      });
      const records: ActionRecord[] = [];
      const wanted = work.openMembers().length > 0 || group.kind === 'remediation-failure';
      if (group.ticket_id !== null) {
        const ref = { id: group.ticket_id, key: group.ticket_key ?? group.ticket_id };
        const current = await provider.get(ref);
        if (current === undefined) {
          const previous = group.ticket_key;
          group.generation += 1;
          group.idempotency_key = idempotencyKey(group.provider, group.group_key, group.generation);
          group.ticket_id = null;
          group.ticket_key = null;
          group.ticket_url = null;
          group.synced_hash = null;
          if (wanted && group.status !== 'human-closed') {
            group.status = 'pending';
            await sync.ensureTicket(
              'reconcile',
              'repaired',
              `ticket ${previous ?? ''} was deleted; recreated`,
            );
          } else {
            group.status = 'resolved';
            records.push({
              action: 'repaired',
              offset: 'reconcile',
              detail: `ticket ${previous ?? ''} was deleted; nothing open, not recreated`,
            });
          }
        } else {
          if (current.idempotencyKey !== group.idempotency_key && group.status !== 'human-closed') {
            // Someone removed hum's label: put it back, or the ticket cannot be found again.
            await provider.update(ref, this.composer.draft(group, work.memberList()));
            records.push({
              action: 'repaired',
              offset: 'reconcile',
              detail: `restored the key label on ${current.key}`,
            });
          }
          const duplicates = (await provider.find(group.idempotency_key)).filter(
            (t) => t.id !== group.ticket_id && t.status === 'open',
          );
          for (const duplicate of duplicates) {
            await provider.resolve(
              duplicate,
              {
                blocks: [
                  {
                    kind: 'paragraph',
                    inlines: [
                      {
                        text: `Duplicate of ${current.key}, which hum keeps for these findings. Closed by hum.`,
                      },
                    ],
                  },
                ],
              },
              'duplicate',
            );
            records.push({
              action: 'repaired',
              offset: 'reconcile',
              detail: `closed duplicate ${duplicate.key} of ${current.key}`,
            });
          }
        }
      } else if (wanted && group.status !== 'human-closed') {
        await sync.ensureTicket('reconcile', 'repaired', 'the group had no ticket');
      }
      // ensureTicket's own records (created/adopted, duplicates closed).
      records.push(...(await sync.run()));
      if (records.length === 0) return [];
      const now = this.clock.now();
      await saveGroups(trx, [{ ...group, updated_at: now }]);
      const open = work.openMembers().map((member) => member.fingerprint);
      const events: OutgoingEvent[] = records.map((record) =>
        ticketEvent(
          group,
          open,
          record.action,
          now,
          record.detail !== undefined ? { detail: record.detail } : {},
        ),
      );
      const audit = await appendAudit(trx, SERVICE_NAME, [
        {
          actor: { type: 'service', id: SERVICE_NAME },
          action: 'tickets.reconcile.repaired',
          entity: { type: 'ticket-group', id: groupKey.slice(0, 300) },
          outcome: 'success',
          details: {
            provider: group.provider,
            ticket: group.ticket_key,
            repairs: records.map((r) => r.detail ?? r.action),
          },
          at: now,
        },
      ]);
      await this.producer.publish([
        ...events,
        ...audit.map((entry) => ({ topic: TOPICS.auditLog, key: entry.entity.id, data: entry })),
      ]);
      return records.map((record) => ({
        groupKey,
        ...(group.ticket_key !== null ? { ticket: group.ticket_key } : {}),
        action: record.action,
        detail: record.detail ?? record.action,
      }));
    });
  }
}
