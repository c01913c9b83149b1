import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import { type Clock, describeError, sleep } from '@hum/common';
import { EventProducer, type OutgoingEvent } from '@hum/kafka';
import { LOGGER, type Logger } from '@hum/observability';
import type { DispatcherConfig } from '../config';
import { DispatcherMetrics } from '../dispatcher-metrics';
import { GroupPlanner, GroupWork } from '../dispatch/group-plan';
import { GroupSync } from '../dispatch/group-sync';
import { TicketComposer } from '../dispatch/ticket-composer';
import { ticketEvent } from '../dispatch/ticket-events';
import { type GroupRecord, loadMembersOfGroups, saveGroups } from '../ledger/group-records';
import { lockAll, lockKey } from '../ledger/locks';
import { RemoteJournal } from '../ledger/remote-journal';
import type { DispatcherDatabase } from '../ledger/schema';
import { TicketProviders } from '../providers/ticket-providers';
import { DISPATCHER_CLOCK, DISPATCHER_CONFIG, LEDGER_DB } from '../tokens';
import { AcceptanceFeed } from './acceptance-feed';

/** How long the start waits for risk.acceptances to be read before tickets are created. */
const LOAD_WAIT_MS = 15_000;
const PAGE = 500;

/**
 * Brings tickets in line with the risk acceptances followed on `risk.acceptances`: when one
 * starts or stops holding for a group's ticket (a record arrives, its expiry passes), the
 * ticket gets one comment and the label follows. Each group is handled in its own
 * transaction under its lock, with what the ticket shows kept in the ledger and comments
 * journaled, so redelivered records, restarts (the topic is read again from its start) and
 * replicas doing the same work leave one comment per change. Tickets are never resolved here.
 */
@Injectable()
export class AcceptanceSync implements OnModuleInit, OnApplicationShutdown {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private sweepDue = true;
  private stopped = false;

  constructor(
    private readonly feed: AcceptanceFeed,
    @Inject(LEDGER_DB) private readonly db: Kysely<DispatcherDatabase>,
    private readonly providers: TicketProviders,
    private readonly planner: GroupPlanner,
    private readonly composer: TicketComposer,
    private readonly journal: RemoteJournal,
    private readonly producer: EventProducer,
    private readonly metrics: DispatcherMetrics,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(DISPATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ context: AcceptanceSync.name });
  }

  async onModuleInit(): Promise<void> {
    this.feed.onChange(() => this.kick(false));
    await this.feed.start();
    // New tickets should say at creation that their risk is accepted: give the topic a
    // moment to be read before the consumer starts; later records are caught up anyway.
    await this.feed
      .waitUntilLoaded(LOAD_WAIT_MS)
      .catch((error: unknown) =>
        this.logger.warn(
          { error: describeError(error) },
          'risk.acceptances not read yet; tickets are marked once it is',
        ),
      );
    this.logger.info(
      { loaded: this.feed.loaded, acceptances: this.feed.size() },
      'following risk.acceptances',
    );
    this.timer = setInterval(() => this.kick(true), this.config.ACCEPTANCE_SWEEP_INTERVAL);
    this.timer.unref();
    // Expiries that passed while the service was down.
    this.kick(true);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.feed.stop();
  }

  /** Runs a pass now, or once more after the one under way; `sweep` also checks expiries. */
  kick(sweep: boolean): void {
    if (sweep) this.sweepDue = true;
    if (this.stopped || !this.feed.loaded) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) =>
        this.logger.error({ error: describeError(error) }, 'acceptance pass failed'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick(false);
        }
      });
  }

  private async pass(): Promise<void> {
    const sweep = this.sweepDue;
    this.sweepDue = false;
    const changed = this.feed.takeChanged();
    // A sweep also covers every target (a ticket created while its acceptance was still on
    // its way to this replica) and every ticket showing one (its expiry may have passed).
    const targets = sweep ? [...new Set([...changed, ...this.feed.targets()])] : changed;
    const groupKeys = new Set(await this.groupsOf(targets));
    if (sweep) {
      for (const key of await this.groupsShowingAcceptances()) groupKeys.add(key);
    }
    const failed: string[] = [];
    for (const groupKey of [...groupKeys].sort()) {
      if (this.stopped) break;
      try {
        await this.syncGroup(groupKey);
      } catch (error) {
        failed.push(groupKey);
        this.logger.error(
          { group: groupKey, error: describeError(error) },
          'risk acceptance not written to the ticket; tried again later',
        );
      }
    }
    // Retried with the next record or sweep, as group targets (the group is known now).
    this.feed.putBack(failed.map((groupKey) => `group:${groupKey}`));
    if (failed.length > 0) this.sweepDue = true;
  }

  /** The ledger's groups concerned by changed targets (a finding's group, or the group). */
  private async groupsOf(targets: readonly string[]): Promise<string[]> {
    const fingerprints = targets.flatMap((t) => (t.startsWith('finding:') ? [t.slice(8)] : []));
    const groups = targets.flatMap((t) => (t.startsWith('group:') ? [t.slice(6)] : []));
    const found = new Set<string>();
    for (let i = 0; i < fingerprints.length; i += PAGE) {
      const rows = await this.db
        .selectFrom('ticket_members')
        .select('group_key')
        .where('fingerprint', 'in', fingerprints.slice(i, i + PAGE))
        .where('group_key', '!=', '')
        .execute();
      for (const row of rows) found.add(row.group_key);
    }
    for (let i = 0; i < groups.length; i += PAGE) {
      const rows = await this.db
        .selectFrom('ticket_groups')
        .select('group_key')
        .where('group_key', 'in', groups.slice(i, i + PAGE))
        .execute();
      for (const row of rows) found.add(row.group_key);
    }
    return [...found];
  }

  private async groupsShowingAcceptances(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('ticket_groups')
      .select('group_key')
      .where('status', '=', 'open')
      .where(sql<boolean>`jsonb_array_length(acceptances) > 0`)
      .execute();
    const keys: string[] = [];
    for (const row of rows) keys.push(row.group_key);
    return keys;
  }

  /** One group under its lock, in its own transaction (as a reconciliation repair is). */
  private async syncGroup(groupKey: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockAll(trx, [lockKey('group', groupKey)]);
      const row = await trx
        .selectFrom('ticket_groups')
        .selectAll()
        .where('group_key', '=', groupKey)
        .executeTakeFirst();
      if (row === undefined || row.ticket_id === null) return;
      const group: GroupRecord = { ...row };
      const members = (await loadMembersOfGroups(trx, [groupKey])).get(groupKey) ?? [];
      const work = new GroupWork(group, members, false, 'risk-acceptance');
      const now = this.clock.now();
      if (!this.planner.applyAcceptances(work, this.feed, now, 'risk-acceptance')) return;
      const sync = new GroupSync(work, {
        provider: this.providers.get(group.provider),
        journal: this.journal.writer(trx),
        composer: this.composer,
        now: () => this.clock.now(),
        searchConsistencyMs: this.providers.searchConsistencyMs(group.provider),
        wait: (ms) => sleep(ms),
      });
      const records = await sync.run();
      await saveGroups(trx, [{ ...group, updated_at: now }]);
      const open = work.openMembers().map((member) => member.fingerprint);
      const events: OutgoingEvent[] = records.map((record) => {
        this.metrics.actions.inc({ provider: group.provider, action: record.action });
        return ticketEvent(group, open, record.action, now, {
          detail: record.action === 'commented' ? 'risk acceptance changed' : 'risk acceptance',
        });
      });
      if (events.length > 0) await this.producer.publish(events);
      this.logger.info(
        {
          group: groupKey,
          ticket: group.ticket_key,
          acceptances: group.acceptances.map((mark) => mark.id),
        },
        'ticket brought in line with risk acceptances',
      );
    });
  }
}
