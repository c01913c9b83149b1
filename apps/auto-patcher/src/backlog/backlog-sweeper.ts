import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Kysely, sql, type Transaction } from 'kysely';
import { appendAudit } from '@hum/audit';
import { type Clock, describeError } from '@hum/common';
import { REMEDIATION_TIERS, type RemediationTier } from '@hum/contracts';
import { LOGGER, type Logger } from '@hum/observability';
import {
  backlogTransition,
  decisionPolicyVersion,
  freezeEndedBetween,
  type GateLevel,
  gateLevel,
  type PolicySnapshot,
} from '@hum/policy';
import { type PatcherConfig, SERVICE_NAME } from '../config';
import { decideFindings, type DecisionInputs } from '../decisions/decide-batch';
import { auditOutput, PATCHER_ACTOR } from '../decisions/remediation-events';
import { OutboxRelay } from '../execution/outbox-relay';
import { PatchExecutor } from '../execution/patch-executor';
import { PatcherMetrics } from '../patcher-metrics';
import { PauseHandoverService } from '../policy/pause-handover.service';
import { PolicyState } from '../policy/policy-state';
import { outboxRow } from '../store/outbox';
import type { AttemptStatus, PatcherDatabase } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_CONFIG, PATCHER_DB } from '../tokens';

type Trx = Transaction<PatcherDatabase>;

/** A fingerprint with any of these has been patched or is being patched: not backlog. */
const ATTEMPTED: readonly AttemptStatus[] = [
  'queued',
  'running',
  'awaiting-result',
  'applied',
  'failed',
];

/**
 * Findings classified while their tier was closed are decided when the tier opens. Each
 * replica follows every tier's gate level (`gateLevel`: mode, kill switch, pauses) against
 * the level recorded in `tier_backlogs`; a raise starts a sweep, a drop stops it
 * (`backlogTransition`), whichever replica sees it first, under the tier's lock. A sweep
 * decides the tier's open findings not decided since it started and never attempted, through
 * the same `decideFindings` as the classified consumer, page by page, each page one
 * transaction holding the tier's budget lock (so replicas and the consumer take turns and a
 * finding is decided once). Findings held back only by budgets stay in the sweep and are
 * tried again at the next pass; passes run on every policy change, on a resume, and every
 * `PATCHER_BACKLOG_INTERVAL`. A sweep ends when a pass leaves nothing deferred.
 */
@Injectable()
export class BacklogSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();
  private pending = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;
  /**
   * The lowest level each tier's policy showed since the last pass: a drop between two
   * passes (on -> off -> on) still stops the sweep and starts a new one.
   */
  private readonly lowestSeen = new Map<RemediationTier, GateLevel>();

  constructor(
    @Inject(PATCHER_DB) private readonly db: Kysely<PatcherDatabase>,
    @Inject(PATCHER_CONFIG) private readonly config: PatcherConfig,
    @Inject(PATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
    private readonly policy: PolicyState,
    private readonly relay: OutboxRelay,
    private readonly executor: PatchExecutor,
    private readonly metrics: PatcherMetrics,
    private readonly handover: PauseHandoverService,
  ) {
    this.log = logger.child({ context: BacklogSweeper.name });
  }

  onApplicationBootstrap(): void {
    // Started without the policy, the consumer skipped findings as policy-not-loaded while
    // every tier counted as off; the level recorded before the restart may equal the one the
    // policy brings, so note the closed gate: the first pass after it arrives sweeps.
    if (this.policy.startedWithoutPolicy)
      for (const tier of REMEDIATION_TIERS) this.lowestSeen.set(tier, 0);
    this.unsubscribe = [
      this.policy.onChange((next) => {
        for (const tier of REMEDIATION_TIERS) {
          const level = gateLevel(next, tier, false);
          if (level < (this.lowestSeen.get(tier) ?? 2)) this.lowestSeen.set(tier, level);
        }
        void this.reconcile();
      }),
      // A pause lifted through policy.state may open the tier after the change was seen.
      this.handover.onLifted(() => void this.reconcile()),
    ];
    const tick = (): void => {
      if (this.stopped) return;
      void this.reconcile().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.config.PATCHER_BACKLOG_INTERVAL);
      });
    };
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    await this.chain;
  }

  /** One pass over every tier; calls made while one is queued share it. */
  reconcile(): Promise<void> {
    if (this.pending) return this.chain;
    this.pending = true;
    this.chain = this.chain.then(async () => {
      this.pending = false;
      if (this.stopped) return;
      try {
        await this.pass();
      } catch (error) {
        this.log.warn({ error: describeError(error) }, 'backlog pass failed; next pass retries');
      }
    });
    return this.chain;
  }

  private async pass(): Promise<void> {
    if (!this.policy.snapshot().loaded) return;
    for (const tier of REMEDIATION_TIERS) {
      if (this.stopped) return;
      const sweep = await this.followGate(tier);
      if (sweep !== undefined) await this.work(tier, sweep);
    }
  }

  private async levelOf(db: Kysely<PatcherDatabase>, tier: RemediationTier): Promise<GateLevel> {
    const pause = await db
      .selectFrom('tier_pauses')
      .select('id')
      .where('tier', '=', tier)
      .where('resumed_at', 'is', null)
      .executeTakeFirst();
    return gateLevel(this.policy.snapshot(), tier, pause !== undefined);
  }

  /** Records the tier's gate level, starting or stopping its sweep; returns the sweep's start. */
  private async followGate(tier: RemediationTier): Promise<Date | undefined> {
    const lowest = this.lowestSeen.get(tier);
    this.lowestSeen.delete(tier);
    // A drop seen between two passes first stops the sweep, so the raise after it starts anew.
    if (lowest !== undefined) await this.record(tier, lowest);
    else {
      const held = await this.db
        .selectFrom('tier_backlogs')
        .select(['level', 'sweep_started_at', 'changed_at'])
        .where('tier', '=', tier)
        .executeTakeFirst();
      const level = await this.levelOf(this.db, tier);
      if (held !== undefined && backlogTransition(held.level as GateLevel, level) === 'none') {
        if (held.sweep_started_at !== null) return new Date(held.sweep_started_at);
        // A freeze window that ended since the tier's sweep state last moved held findings
        // back (the consumer skipped them, or a sweep deferred them): look at them again.
        if (level > 0 && this.freezeEndedSince(new Date(held.changed_at)))
          return this.record(tier, 2, (changedAt) => this.freezeEndedSince(changedAt));
        return undefined;
      }
    }
    return this.record(tier, 2);
  }

  private freezeEndedSince(since: Date): boolean {
    const global = this.policy.snapshot().global;
    return freezeEndedBetween(global, since, this.clock.now()) !== undefined;
  }

  /**
   * Moves the tier's recorded level to its live level (at most `target`) under the tier's
   * lock, starting or stopping its sweep; returns the sweep's start, if one is running.
   * `reopenIf` starts a sweep of an open tier whose level did not move, when it holds for the
   * recorded state's last change (checked under the lock, so one replica starts it).
   */
  private async record(
    tier: RemediationTier,
    target: GateLevel,
    reopenIf?: (changedAt: Date) => boolean,
  ): Promise<Date | undefined> {
    const now = this.clock.now();
    const result = await this.db.transaction().execute(async (trx) => {
      await lockTier(trx, tier);
      const row = await trx
        .selectFrom('tier_backlogs')
        .selectAll()
        .where('tier', '=', tier)
        .executeTakeFirst();
      const fresh = Math.min(target, await this.levelOf(trx, tier)) as GateLevel;
      let step = backlogTransition(row?.level as GateLevel | undefined, fresh);
      const reopened =
        step === 'none' &&
        fresh > 0 &&
        row !== undefined &&
        row.sweep_started_at === null &&
        reopenIf?.(new Date(row.changed_at)) === true;
      if (reopened) step = 'start';
      const snapshot = this.policy.snapshot();
      if (step === 'none')
        return {
          step,
          sweep: row?.sweep_started_at == null ? undefined : new Date(row.sweep_started_at),
        };
      const policyVersion = decisionPolicyVersion(snapshot, tier);
      const sweep = step === 'start' ? now : null;
      await trx
        .insertInto('tier_backlogs')
        .values({
          tier,
          level: fresh,
          sweep_started_at: sweep,
          sweep_policy_version: sweep === null ? null : policyVersion,
          changed_at: now,
        })
        .onConflict((oc) =>
          oc.column('tier').doUpdateSet({
            level: fresh,
            sweep_started_at: sweep,
            sweep_policy_version: sweep === null ? null : policyVersion,
            changed_at: now,
          }),
        )
        .execute();
      if (step === 'start' || row?.sweep_started_at != null)
        await this.audit(trx, tier, step === 'start' ? 'started' : 'stopped', now, {
          fromLevel: row?.level ?? 0,
          toLevel: fresh,
          mode: snapshot.tiers[tier].mode,
          killSwitch: snapshot.global.killSwitch,
          policyVersion,
          ...(reopened ? { trigger: 'freeze-ended' } : {}),
          ...(step === 'start' ? { pending: await this.pendingCount(trx, tier, now) } : {}),
        });
      return { step, sweep: sweep ?? undefined };
    });
    if (result.step !== 'none') {
      this.log.info({ tier, sweep: result.step }, `backlog sweep ${result.step}`);
      void this.relay.flush();
    }
    return result.sweep;
  }

  private async work(tier: RemediationTier, sweep: Date): Promise<void> {
    const page = this.config.PATCHER_BATCH_SIZE;
    let cursor: { firstSeen: Date; fingerprint: string } | undefined;
    let deferredInPass = 0;
    for (;;) {
      if (this.stopped) return;
      const now = this.clock.now();
      const step = await this.db.transaction().execute(async (trx) => {
        await lockTier(trx, tier);
        const row = await trx
          .selectFrom('tier_backlogs')
          .select('sweep_started_at')
          .where('tier', '=', tier)
          .executeTakeFirst();
        // Stopped or restarted meanwhile (by a policy change or another replica).
        if (
          row?.sweep_started_at == null ||
          new Date(row.sweep_started_at).getTime() !== sweep.getTime()
        )
          return { done: true, exhausted: true, decided: 0, deferred: 0 };
        let query = candidates(trx, tier, sweep)
          .select(['fingerprint', 'classified', 'first_seen_at'])
          .orderBy('first_seen_at')
          .orderBy('fingerprint')
          .limit(page);
        if (cursor !== undefined) {
          const { firstSeen, fingerprint } = cursor;
          query = query.where(
            sql<boolean>`(first_seen_at, fingerprint) > (${firstSeen}, ${fingerprint})`,
          );
        }
        const rows = await query.execute();
        if (rows.length === 0) {
          if (deferredInPass === 0) {
            await trx
              .updateTable('tier_backlogs')
              .set({ sweep_started_at: null, sweep_policy_version: null, changed_at: now })
              .where('tier', '=', tier)
              .execute();
            await this.audit(trx, tier, 'completed', now, {
              policyVersion: decisionPolicyVersion(this.policy.snapshot(), tier),
            });
          }
          return { done: true, exhausted: false, decided: 0, deferred: 0 };
        }
        const last = rows[rows.length - 1]!;
        cursor = { firstSeen: new Date(last.first_seen_at), fingerprint: last.fingerprint };
        const result = await decideFindings(
          trx,
          rows.map((r) => ({ id: r.fingerprint, data: r.classified! })),
          this.inputs(),
          now,
          { backlog: true },
        );
        const decided = rows.map((r) => r.fingerprint).filter((f) => !result.deferred.has(f));
        if (decided.length > 0)
          await trx
            .updateTable('open_findings')
            .set({ decided_at: now, updated_at: now })
            .where('fingerprint', 'in', decided)
            .execute();
        const events = [...result.outputs.values()].flat();
        if (events.length > 0)
          await trx
            .insertInto('outbox')
            .values(events.map((event) => outboxRow(event, now)))
            .execute();
        for (const [outcome, count] of Object.entries(result.stats.outcomes))
          this.metrics.decisions.inc({ tier, outcome }, count);
        return {
          done: rows.length < page,
          exhausted: result.tierExhausted.has(tier),
          decided: decided.length,
          deferred: result.deferred.size,
        };
      });
      deferredInPass += step.deferred;
      if (step.decided > 0) {
        this.log.info({ tier, decided: step.decided }, 'backlog findings decided');
        void this.relay.flush();
        this.executor.wake();
      }
      this.metrics.backlogDeferred.set({ tier }, deferredInPass);
      if (step.exhausted) return;
      if (step.done && deferredInPass > 0) return;
    }
  }

  private inputs(): DecisionInputs {
    return {
      policy: (): PolicySnapshot => this.policy.snapshot(),
      patching: this.config.patching,
      fixOptions: { allowMajorUpgrade: this.config.PATCHER_ALLOW_MAJOR_UPGRADES },
    };
  }

  private async pendingCount(trx: Trx, tier: RemediationTier, sweep: Date): Promise<number> {
    const row = await candidates(trx, tier, sweep)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  private async audit(
    trx: Trx,
    tier: RemediationTier,
    what: 'started' | 'stopped' | 'completed',
    now: Date,
    details: Record<string, unknown>,
  ): Promise<void> {
    const [entry] = await appendAudit(trx, SERVICE_NAME, [
      {
        at: now,
        actor: PATCHER_ACTOR,
        action: `patcher.backlog.${what}`,
        entity: { type: 'policy', id: `tier:${tier}` },
        outcome: 'success',
        details: { tier, ...details },
      },
    ]);
    await trx
      .insertInto('outbox')
      .values(outboxRow(auditOutput(entry!), now))
      .execute();
  }
}

function lockTier(trx: Trx, tier: RemediationTier): Promise<unknown> {
  return trx
    .selectFrom('tier_budget_locks')
    .select('tier')
    .where('tier', '=', tier)
    .forUpdate()
    .execute();
}

/** The sweep's work: open findings of the tier, not decided since it started, never attempted. */
function candidates(trx: Trx, tier: RemediationTier, sweep: Date) {
  return trx
    .selectFrom('open_findings')
    .where('tier', '=', tier)
    .where('state', '=', 'open')
    .where('classified', 'is not', null)
    .where((eb) => eb.or([eb('decided_at', 'is', null), eb('decided_at', '<', sweep)]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('patch_attempts')
            .select('patch_attempts.attempt_key')
            .whereRef('patch_attempts.fingerprint', '=', 'open_findings.fingerprint')
            .where('patch_attempts.status', 'in', [...ATTEMPTED]),
        ),
      ),
    );
}
