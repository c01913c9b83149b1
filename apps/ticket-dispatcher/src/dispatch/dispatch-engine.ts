import type { AuditTables } from '@hum/audit';
import {
  type Clock,
  describeError,
  isRetryable,
  PermanentError,
  RetryableError,
  sleep,
} from '@hum/common';
import type { TicketProviderName } from '@hum/contracts';
import type { LedgerTransaction, MessageContext, OutgoingEvent } from '@hum/kafka';
import type { Logger } from '@hum/observability';
import {
  groupKeyOf,
  remediationGroupKey,
  type ResolvedRoute,
  type TicketRouting,
} from '@hum/ticketing';
import type { Kysely } from 'kysely';
import type { DispatcherMetrics } from '../dispatcher-metrics';
import {
  loadGroups,
  loadMembersByFingerprint,
  loadMembersOfGroups,
  type MemberRecord,
  saveGroups,
  saveMembers,
} from '../ledger/group-records';
import { EarlyPatchNoteBatch } from '../ledger/early-patch-notes';
import { lockAll, lockKey } from '../ledger/locks';
import type { JournalWriter, RemoteJournal } from '../ledger/remote-journal';
import type { DispatcherDatabase, TicketLedgerTables } from '../ledger/schema';
import type { TicketProviders } from '../providers/ticket-providers';
import {
  type AcceptanceSource,
  type DispatchInput,
  type GroupPlanner,
  GroupWork,
} from './group-plan';
import { GroupSync, lookUpTickets, needsTicket, type TicketLookup } from './group-sync';
import { type TicketComposer } from './ticket-composer';
import { ticketEvent } from './ticket-events';

export interface DispatchEngineOptions {
  readonly db: Kysely<DispatcherDatabase>;
  readonly routing: TicketRouting;
  readonly providers: TicketProviders;
  readonly planner: GroupPlanner;
  readonly composer: TicketComposer;
  readonly journal: RemoteJournal;
  /** Risk acceptances: a ticket says which hold for it, from its creation on. */
  readonly acceptances: AcceptanceSource;
  readonly clock: Clock;
  readonly syncConcurrency: number;
  /**
   * Longest wait the consumer may be asked for between attempts: the runner does not
   * heartbeat while it waits, so this stays well below the session timeout.
   */
  readonly maxRetryDelayMs: number;
  readonly metrics: DispatcherMetrics;
  readonly logger: Logger;
}

type Trx = LedgerTransaction<TicketLedgerTables & AuditTables>;

const HEARTBEAT_MS = 1_000;

interface Placement {
  readonly input: DispatchInput;
  /** The group the event belongs to, or undefined when it needs no ticket. */
  readonly groupKey: string | undefined;
  readonly route?: ResolvedRoute;
}

function fingerprintOf(input: DispatchInput): string {
  switch (input.kind) {
    case 'classified':
      return input.data.finding.fingerprint;
    case 'resolved':
    case 'remediation':
      return input.data.fingerprint;
  }
}

/**
 * Applies a batch of consumed events to the ticket ledger and the trackers, inside the
 * consumer ledger's transaction (so the batch's tickets.events are published exactly once).
 * Findings, then groups, are locked in a fixed order, so replicas sharing groups queue
 * instead of racing; each touched group is then synced to its tracker.
 */
export class DispatchEngine {
  constructor(private readonly options: DispatchEngineOptions) {}

  async apply(
    trx: Trx,
    inputs: readonly DispatchInput[],
    context: MessageContext,
  ): Promise<Map<string, OutgoingEvent[]>> {
    // Tracker calls wait on rate limits and search lag: keep the group membership alive.
    const ticker = setInterval(() => {
      context
        .heartbeat()
        .catch((error: unknown) =>
          this.options.logger.warn(
            { error: describeError(error) },
            'heartbeat failed during a batch',
          ),
        );
    }, HEARTBEAT_MS);
    try {
      return await this.applyBatch(trx, inputs, context);
    } catch (error) {
      throw this.bounded(error);
    } finally {
      clearInterval(ticker);
    }
  }

  /**
   * A retryable error asking for a longer wait than the consumer can sit through without a
   * heartbeat is passed on with a shorter one: the site's rate limiter still holds the
   * requests back until the tracker's time, inside the next attempt.
   */
  private bounded(error: unknown): unknown {
    if (!isRetryable(error) || (error.retryAfterMs ?? 0) <= this.options.maxRetryDelayMs)
      return error;
    return new RetryableError(
      `${error.message} (next attempt in ${this.options.maxRetryDelayMs} ms, not the ${error.retryAfterMs} ms asked for)`,
      { cause: error, retryAfterMs: this.options.maxRetryDelayMs },
    );
  }

  private async applyBatch(
    trx: Trx,
    inputs: readonly DispatchInput[],
    context: MessageContext,
  ): Promise<Map<string, OutgoingEvent[]>> {
    const db = trx as unknown as Kysely<DispatcherDatabase>;
    const { metrics } = this.options;
    const now = this.options.clock.now();
    const outputs = new Map<string, OutgoingEvent[]>();
    const fingerprints = [...new Set(inputs.map(fingerprintOf))];
    await lockAll(
      trx,
      fingerprints.map((fp) => lockKey('finding', fp)),
    );
    const known = await loadMembersByFingerprint(db, fingerprints);
    // A patch applied before the dispatcher saw its finding classified left a note to post.
    const unseen = inputs.flatMap((input) =>
      input.kind === 'classified' && !known.has(fingerprintOf(input)) ? [fingerprintOf(input)] : [],
    );
    const earlyNotes = await EarlyPatchNoteBatch.load(db, unseen);

    const placements: Placement[] = inputs.map((input) => this.place(input, known));
    const groupKeys = [
      ...new Set(placements.flatMap((p) => (p.groupKey === undefined ? [] : [p.groupKey]))),
    ];
    await lockAll(
      trx,
      groupKeys.map((key) => lockKey('group', key)),
    );
    const groups = await loadGroups(db, groupKeys);
    const membersByGroup = await loadMembersOfGroups(db, groupKeys);

    const works = new Map<string, GroupWork>();
    const tombstones = new Map<string, MemberRecord>();
    for (const { input, groupKey, route } of placements) {
      if (groupKey === undefined) {
        const fingerprint = fingerprintOf(input);
        if (input.kind === 'resolved') this.tombstone(input, known, tombstones);
        else if (input.kind === 'classified') {
          earlyNotes.take(fingerprint); // not ticketed: nothing to say it on
        } else if (
          input.kind === 'remediation' &&
          input.data.status === 'applied' &&
          !known.has(fingerprint)
        ) {
          earlyNotes.keep(input.data);
        }
        continue;
      }
      let work = works.get(groupKey);
      const existing = groups.get(groupKey);
      if (!work && existing) {
        work = new GroupWork(existing, membersByGroup.get(groupKey) ?? [], false, input.offset);
        works.set(groupKey, work);
      }
      switch (input.kind) {
        case 'classified': {
          if (!work) {
            const group = this.options.planner.newFindingsGroup(groupKey, route!, input.data, now);
            work = new GroupWork(group, [], true, input.offset);
            works.set(groupKey, work);
          }
          if (!this.options.planner.applyClassified(work, input.data, input.offset)) {
            metrics.stale.inc({ topic: 'findings.classified' });
            break;
          }
          work.lastOffset = input.offset;
          for (const note of earlyNotes.take(input.data.finding.fingerprint)) {
            this.options.planner.applyPatchApplied(work, note, input.offset);
          }
          break;
        }
        case 'resolved':
          if (work && this.options.planner.applyResolved(work, input.data, input.offset)) {
            work.lastOffset = input.offset;
          } else metrics.stale.inc({ topic: 'findings.resolved' });
          break;
        case 'remediation':
          if (input.data.status === 'failed') {
            // One ticket per failed attempt: a redelivered failure finds its group in the ledger.
            if (!work) {
              const group = this.options.planner.newRemediationGroup(
                groupKey,
                route!,
                input.data,
                now,
              );
              works.set(groupKey, new GroupWork(group, [], true, input.offset));
            }
          } else if (work) {
            this.options.planner.applyPatchApplied(work, input.data, input.offset);
            work.lastOffset = input.offset;
          }
          break;
      }
    }

    for (const work of works.values()) {
      this.options.planner.applyAcceptances(work, this.options.acceptances, now, work.lastOffset);
    }
    const touched = [...works.values()].filter((work) => work.touched);
    const records = await this.syncAll(touched, db, context);

    await saveGroups(
      db,
      touched.map((work) => ({ ...work.group, updated_at: now })),
    );
    const changedMembers = touched.flatMap((work) =>
      [...work.changedMembers].map((fp) => work.members.get(fp)!),
    );
    await saveMembers(db, [...changedMembers, ...tombstones.values()], now);
    await earlyNotes.save(db, now);

    for (const [work, actions] of records) {
      const open = work.openMembers().map((member) => member.fingerprint);
      const fingerprints =
        work.group.kind === 'remediation-failure' && work.group.remediation
          ? [work.group.remediation.fingerprint]
          : open.length > 0
            ? open
            : work.memberList().map((member) => member.fingerprint);
      for (const record of actions) {
        metrics.actions.inc({ provider: work.group.provider, action: record.action });
        const list = outputs.get(record.offset) ?? [];
        list.push(
          ticketEvent(work.group, fingerprints, record.action, now, {
            ...(record.detail !== undefined ? { detail: record.detail } : {}),
          }),
        );
        outputs.set(record.offset, list);
      }
    }
    return outputs;
  }

  /** Which group an event concerns: the finding's group if it has one, else by routing. */
  private place(input: DispatchInput, known: ReadonlyMap<string, MemberRecord>): Placement {
    const { routing, metrics } = this.options;
    const member = known.get(fingerprintOf(input));
    const grouped = member !== undefined && member.groupKey !== '' ? member.groupKey : undefined;
    switch (input.kind) {
      case 'classified': {
        if (grouped !== undefined) return { input, groupKey: grouped };
        const { finding, classification, lifecycle } = input.data;
        // Resolved before hum ever saw it classified (topics are not ordered between them).
        if (member && lifecycle.revision <= member.revision) {
          metrics.stale.inc({ topic: 'findings.classified' });
          return { input, groupKey: undefined };
        }
        if (!routing.ticketable(classification.tier)) return { input, groupKey: undefined };
        const route = routing.route({
          source: 'findings',
          assetId: finding.asset.id,
          ...(finding.asset.team !== undefined ? { team: finding.asset.team } : {}),
          ...(finding.asset.environment !== undefined
            ? { environment: finding.asset.environment }
            : {}),
          tier: classification.tier,
          kind: finding.kind,
        });
        if (!route) {
          metrics.unrouted.inc({ source: 'findings' });
          return { input, groupKey: undefined };
        }
        return { input, groupKey: groupKeyOf(route.grouping, finding), route };
      }
      case 'resolved':
        return { input, groupKey: grouped };
      case 'remediation': {
        const event = input.data;
        if (event.status === 'applied') return { input, groupKey: grouped };
        if (event.status !== 'failed') return { input, groupKey: undefined };
        const team = event.team ?? event.asset.team;
        const route = routing.route({
          source: 'remediation-failures',
          assetId: event.asset.id,
          ...(team !== undefined ? { team } : {}),
          ...(event.asset.environment !== undefined
            ? { environment: event.asset.environment }
            : {}),
          tier: event.tier,
        });
        if (!route) {
          metrics.unrouted.inc({ source: 'remediation-failures' });
          // A failed patch must become a ticket: without a route it waits in the DLQ for a fix.
          throw new PermanentError(
            `no ticket route matches the failed patch of asset ${event.asset.id} (team ${team ?? 'unknown'}); add a route and replay the DLQ`,
          );
        }
        return { input, groupKey: remediationGroupKey(event.attemptKey), route };
      }
    }
  }

  /** A finding resolved before hum ticketed it: remembered, so a late classified event is stale. */
  private tombstone(
    input: Extract<DispatchInput, { kind: 'resolved' }>,
    known: ReadonlyMap<string, MemberRecord>,
    tombstones: Map<string, MemberRecord>,
  ): void {
    const event = input.data;
    const current = tombstones.get(event.fingerprint) ?? known.get(event.fingerprint);
    if (current && current.revision >= event.revision) return;
    tombstones.set(event.fingerprint, {
      fingerprint: event.fingerprint,
      groupKey: '',
      state: 'resolved',
      tier: event.lastTier,
      revision: event.revision,
      summary: null,
    });
  }

  /** One journal query and one tracker search per provider for the batch's groups without a ticket. */
  private async lookUpNewTickets(
    works: readonly GroupWork[],
    journal: JournalWriter,
  ): Promise<Map<GroupWork, TicketLookup>> {
    const byProvider = new Map<TicketProviderName, GroupWork[]>();
    for (const work of works.filter(needsTicket)) {
      const list = byProvider.get(work.group.provider) ?? [];
      list.push(work);
      byProvider.set(work.group.provider, list);
    }
    const lookups = new Map<GroupWork, TicketLookup>();
    for (const [name, list] of byProvider) {
      const found = await lookUpTickets(
        this.options.providers.get(name),
        journal,
        list.map((work) => ({
          idempotencyKey: work.group.idempotency_key,
          groupKey: work.group.group_key,
        })),
        () => this.options.clock.now(),
      );
      for (const work of list) lookups.set(work, found.get(work.group.idempotency_key)!);
    }
    return lookups;
  }

  /** Syncs groups with bounded concurrency; the first failure stops new work and is thrown. */
  private async syncAll(
    works: readonly GroupWork[],
    trx: Kysely<DispatcherDatabase>,
    context: MessageContext,
  ): Promise<Map<GroupWork, Awaited<ReturnType<GroupSync['run']>>>> {
    const results = new Map<GroupWork, Awaited<ReturnType<GroupSync['run']>>>();
    const { providers } = this.options;
    const journal = this.options.journal.writer(trx, { holdCreates: true });
    const lookups = await this.lookUpNewTickets(works, journal);
    let next = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < works.length && !context.signal.aborted) {
        const work = works[next++]!;
        const provider = providers.get(work.group.provider);
        const lookup = lookups.get(work);
        const sync = new GroupSync(work, {
          provider,
          journal,
          composer: this.options.composer,
          now: () => this.options.clock.now(),
          searchConsistencyMs: providers.searchConsistencyMs(work.group.provider),
          wait: (ms) => sleep(ms, context.signal),
          ...(lookup ? { lookup } : {}),
        });
        try {
          results.set(work, await sync.run());
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.syncConcurrency, works.length) }, () => worker()),
    );
    // Also after a failure: the creates that did go through are recorded before the retry,
    // and those started ahead but never sent are withdrawn.
    await journal.flush();
    await journal.forgetUnclaimed();
    if (failure !== undefined) throw failure;
    if (context.signal.aborted && results.size < works.length) {
      throw context.signal.reason instanceof Error
        ? context.signal.reason
        : new Error('consumer stopping');
    }
    return results;
  }
}
