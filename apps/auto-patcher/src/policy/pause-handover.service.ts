import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type Clock, describeError } from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import { decisionPolicyVersion, pauseHandover } from '@hum/policy';
import { PATCHER_ACTOR } from '../decisions/remediation-events';
import { OutboxRelay } from '../execution/outbox-relay';
import { PatcherMetrics } from '../patcher-metrics';
import { liftPause } from '../store/pauses';
import type { PatcherDatabase } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_DB } from '../tokens';
import { PolicyState } from './policy-state';

const RETRY_MS = 5_000;

/**
 * Keeps the breaker's pauses in step with policy.state (rules in `pauseHandover`): a pause
 * policy-admin has recorded is handed over, and an admin's resume there lifts it here too, so
 * one resume in the console is enough. Passes run one at a time, on start, on every policy
 * change and after a new pause; a failed pass is tried again shortly.
 */
@Injectable()
export class PauseHandoverService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private readonly liftListeners = new Set<() => void>();

  constructor(
    @Inject(PATCHER_DB) private readonly db: Kysely<PatcherDatabase>,
    @Inject(PATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
    private readonly policy: PolicyState,
    private readonly relay: OutboxRelay,
    private readonly metrics: PatcherMetrics,
  ) {
    this.log = logger.child({ context: PauseHandoverService.name });
  }

  onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.policy.onChange(() => void this.reconcile());
    return this.reconcile();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.chain;
  }

  /** Called after a pause was lifted through policy.state (the tier may be open again). */
  onLifted(listener: () => void): () => void {
    this.liftListeners.add(listener);
    return () => this.liftListeners.delete(listener);
  }

  /** Brings every open pause in line with the policy now held; resolves when done. */
  reconcile(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await this.pass();
      } catch (error) {
        this.log.warn({ error: describeError(error) }, 'pause handover failed; trying again');
        if (this.retryTimer === undefined && !this.stopped)
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            void this.reconcile();
          }, RETRY_MS);
      }
    });
    return this.chain;
  }

  private async pass(): Promise<void> {
    const snapshot = this.policy.snapshot();
    if (!snapshot.loaded) return;
    const now = this.clock.now();
    const resumed = await this.db.transaction().execute(async (trx) => {
      const open = await trx
        .selectFrom('tier_pauses')
        .select(['tier', 'handed_over_version'])
        .where('resumed_at', 'is', null)
        .orderBy('tier')
        .execute();
      if (open.length === 0) return [];
      // Tier locks first, as the decider and the outcome recorder take them.
      await trx
        .selectFrom('tier_budget_locks')
        .select('tier')
        .where(
          'tier',
          'in',
          open.map((p) => p.tier),
        )
        .orderBy('tier')
        .forUpdate()
        .execute();
      const lifted: string[] = [];
      for (const pause of open) {
        const tierPolicy = snapshot.tiers[pause.tier];
        const step = pauseHandover({ handedOverAt: pause.handed_over_version }, tierPolicy);
        if (step.action === 'hand-over') {
          await trx
            .updateTable('tier_pauses')
            .set({ handed_over_version: step.version })
            .where('tier', '=', pause.tier)
            .where('resumed_at', 'is', null)
            .execute();
          this.log.info(
            { tier: pause.tier, version: step.version },
            'pause recorded in policy.state; a resume there lifts it',
          );
        } else if (step.action === 'resume') {
          const policyVersion = decisionPolicyVersion(snapshot, pause.tier);
          const done = await liftPause(trx, {
            tier: pause.tier,
            resumedBy: `policy.state ${policyVersion}`,
            actor: PATCHER_ACTOR,
            details: { via: 'policy.state', policyVersion, decidedBy: [...step.decidedBy] },
            now,
          });
          if (done !== undefined) lifted.push(pause.tier);
        }
      }
      return lifted;
    });
    for (const tier of resumed) {
      this.metrics.pausedTiers.set({ tier }, 0);
      this.log.info({ tier }, 'tier resumed in policy.state; breaker pause lifted');
    }
    if (resumed.length > 0) {
      void this.relay.flush();
      for (const listener of this.liftListeners) listener();
    }
  }
}
