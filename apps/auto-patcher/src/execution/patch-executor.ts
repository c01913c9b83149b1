import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import {
  backoffDelay,
  type Clock,
  DEFAULT_BACKOFF,
  describeError,
  isRetryable,
  sleep,
} from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import { type PatchContext, type PatchOutcome, PatcherRegistry } from '@hum/patching';
import { gateReasons } from '@hum/policy';
import type { PatcherConfig } from '../config';
import { PatcherMetrics } from '../patcher-metrics';
import { PauseHandoverService } from '../policy/pause-handover.service';
import { PolicyState } from '../policy/policy-state';
import { AttemptStore, type ClaimedAttempt, patchRequestOf } from '../store/attempts';
import type { PatcherDatabase } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_CONFIG, PATCHER_DB } from '../tokens';
import { type FinalOutcome, OutcomeRecorder } from './outcomes';
import { OutboxRelay } from './outbox-relay';

const MIN_RESCHEDULE_MS = 1_000;

/**
 * Runs decided patches: claims queued attempts under a lease, re-checks the gates (mode on,
 * kill switch, pause, freeze, deny) at the moment of acting, applies through the target's
 * patcher, and settles the outcome — or, after a transient fault, puts the attempt back with
 * backoff. An attempt taken over from a crashed owner is re-run idempotently (the patchers
 * find what an interrupted run left), so a patch is never applied twice.
 */
@Injectable()
export class PatchExecutor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly store: AttemptStore;
  private readonly recorder: OutcomeRecorder;
  private readonly log: Logger;
  private readonly active = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    @Inject(PATCHER_DB) db: Kysely<PatcherDatabase>,
    @Inject(PATCHER_CONFIG) private readonly config: PatcherConfig,
    @Inject(PATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
    private readonly patchers: PatcherRegistry,
    private readonly policy: PolicyState,
    private readonly relay: OutboxRelay,
    private readonly metrics: PatcherMetrics,
    private readonly handover: PauseHandoverService,
  ) {
    this.log = logger.child({ context: PatchExecutor.name });
    this.store = new AttemptStore(db, config.HUM_INSTANCE_ID);
    this.recorder = new OutcomeRecorder(db, config.HUM_INSTANCE_ID, {
      failureRatePercent: config.AUTO_PAUSE_FAILURE_RATE,
      minOutcomes: config.AUTO_PAUSE_MIN_OUTCOMES,
      windowMs: config.AUTO_PAUSE_WINDOW,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const released = await this.store.releaseOwnLeases(this.clock.now());
    if (released > 0)
      this.log.warn({ attempts: released }, 'resuming attempts interrupted by a restart');
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort(new Error('patcher stopping'));
    this.wake();
    await this.loop;
    await Promise.allSettled(this.active.values());
  }

  /** Looks for work now (new decisions, a callback) instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.tick();
      } catch (error) {
        this.log.error({ error: describeError(error) }, 'executor pass failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.PATCHER_POLL_INTERVAL);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  private async tick(): Promise<void> {
    const now = this.clock.now();
    for (const attempt of await this.store.claimAwaiting(this.config.PATCHER_LEASE, now))
      this.track(attempt, () => this.settleAwaiting(attempt));
    // Until policy.state has been read (a start that timed out waiting for it) every tier is
    // off: queued attempts wait for it rather than being cancelled under a policy not known.
    if (!this.policy.snapshot().loaded) return;
    const free = this.config.PATCHER_CONCURRENCY - this.active.size;
    for (const attempt of await this.store.claim(free, this.config.PATCHER_LEASE, now))
      this.track(attempt, () => this.execute(attempt));
  }

  private track(attempt: ClaimedAttempt, work: () => Promise<void>): void {
    this.metrics.inFlight.inc();
    const lease = setInterval(
      () => {
        void this.store
          .renew(attempt.key, this.config.PATCHER_LEASE, this.clock.now())
          .catch((error: unknown) =>
            this.log.warn(
              { attempt: attempt.key, error: describeError(error) },
              'lease renewal failed',
            ),
          );
      },
      Math.max(500, Math.floor(this.config.PATCHER_LEASE / 3)),
    );
    const done = work()
      .catch((error: unknown) =>
        this.log.error(
          { attempt: attempt.key, error: describeError(error) },
          'attempt handling failed',
        ),
      )
      .finally(() => {
        clearInterval(lease);
        this.metrics.inFlight.dec();
        this.active.delete(attempt.key);
        void this.relay.flush();
        this.wake();
      });
    this.active.set(attempt.key, done);
  }

  private context(attempt: ClaimedAttempt): PatchContext {
    return {
      signal: this.stopping.signal,
      sleep: (ms, signal) => sleep(ms, signal),
      now: () => this.clock.now(),
      heartbeat: async () => {
        await this.store.renew(attempt.key, this.config.PATCHER_LEASE, this.clock.now());
      },
    };
  }

  private async execute(attempt: ClaimedAttempt): Promise<void> {
    const request = patchRequestOf(attempt);
    const patcher = this.patchers.for(request.target);
    const context = this.context(attempt);
    const gates = gateReasons({
      policy: this.policy.snapshot(),
      tier: attempt.tier,
      assetId: attempt.assetId,
      now: this.clock.now(),
      autoPaused: await this.store.isPaused(attempt.tier),
      requiredMode: 'on',
    });
    // A finding fixed by other means while its attempt waited (behind the concurrency limit,
    // or rescheduled after a fault) needs no patch: the PR would bump what is already gone.
    const resolved = await this.store.isFindingResolved(
      attempt.payload.classified.finding.fingerprint,
    );
    const reasons = resolved ? ['finding-resolved', ...gates.reasons] : gates.reasons;
    const notes = resolved
      ? ['the finding was resolved after the decision', ...gates.notes]
      : gates.notes;
    try {
      if (reasons.length > 0) {
        // A gate closed after the decision. An earlier run may have acted: report what it did.
        const earlier = attempt.tries > 1 ? await patcher.lookup(request, context) : undefined;
        if (earlier !== undefined && earlier.status !== 'pending') {
          await this.settle(attempt, earlier);
          return;
        }
        await this.settle(attempt, {
          status: 'cancelled',
          reasons,
          detail: `not applied: ${notes.join('; ')}`,
        });
        return;
      }
      const outcome = await patcher.apply(request, context);
      if (outcome.status === 'pending') {
        const host = this.config.patching.webhook.find((h) => h.name === request.target.host);
        const deadline = new Date(
          this.clock.now().getTime() + (host?.timeout ?? this.config.PATCHER_LEASE),
        );
        await this.store.markAwaiting(
          attempt.key,
          deadline,
          outcome.url,
          outcome.detail,
          this.clock.now(),
        );
        return;
      }
      await this.settle(attempt, outcome);
    } catch (error) {
      await this.failedRun(attempt, error);
    }
  }

  private async failedRun(attempt: ClaimedAttempt, error: unknown): Promise<void> {
    const now = this.clock.now();
    if (this.stopping.signal.aborted) {
      await this.store.release(attempt.key, now);
      return;
    }
    const detail = describeError(error);
    if (isRetryable(error) && attempt.tries < this.config.PATCHER_MAX_TRIES) {
      // The REST client already retried inline; a floor keeps full jitter from re-running the
      // whole patch at once against an API that has just failed several times.
      const delay = Math.max(
        MIN_RESCHEDULE_MS,
        backoffDelay(
          { ...DEFAULT_BACKOFF, initialDelayMs: 2_000, maxDelayMs: 300_000 },
          attempt.tries,
          Math.random,
          error.retryAfterMs,
        ),
      );
      this.metrics.retries.inc({ strategy: attempt.payload.target.strategy });
      this.log.warn(
        { attempt: attempt.key, tries: attempt.tries, delayMs: delay, error: detail },
        'transient fault; attempt rescheduled',
      );
      await this.store.reschedule(attempt.key, new Date(now.getTime() + delay), detail, now);
      return;
    }
    await this.settle(attempt, {
      status: 'failed',
      reason: isRetryable(error) ? 'api-unavailable' : 'api-error',
      detail: isRetryable(error) ? `gave up after ${attempt.tries} tries: ${detail}` : detail,
    });
  }

  /** A sent webhook patch whose result came back, or whose time ran out. */
  private async settleAwaiting(attempt: ClaimedAttempt): Promise<void> {
    const result = await this.store.webhookResult(attempt.key);
    if (result !== undefined) {
      await this.settle(
        attempt,
        result.status === 'succeeded'
          ? {
              status: 'applied',
              url: result.url ?? `webhook:${attempt.payload.target.host}`,
              detail: result.detail ?? 'executor reports success',
            }
          : {
              status: 'failed',
              reason: 'job-failed',
              detail: result.detail ?? 'executor reports failure',
              url: result.url ?? undefined,
            },
      );
      return;
    }
    const request = patchRequestOf(attempt);
    let found: PatchOutcome | undefined;
    try {
      found = await this.patchers.for(request.target).lookup(request, this.context(attempt));
    } catch (error) {
      this.log.warn({ attempt: attempt.key, error: describeError(error) }, 'result lookup failed');
    }
    await this.settle(
      attempt,
      found !== undefined && found.status !== 'pending'
        ? found
        : {
            status: 'failed',
            reason: 'timeout',
            detail: 'the executor reported no result in time',
          },
    );
  }

  private async settle(
    attempt: ClaimedAttempt,
    outcome: PatchOutcome | FinalOutcome,
  ): Promise<void> {
    if (outcome.status === 'pending') throw new Error('a pending outcome cannot settle an attempt');
    const result = await this.recorder.record(attempt, outcome, this.clock.now());
    if (!result.recorded) {
      this.log.warn(
        { attempt: attempt.key },
        'attempt was settled by another owner; outcome dropped',
      );
      return;
    }
    this.metrics.outcomes.inc({
      tier: attempt.tier,
      strategy: attempt.payload.target.strategy,
      status: outcome.status,
    });
    this.log.info(
      {
        attempt: attempt.key,
        status: outcome.status,
        ...(outcome.status === 'failed' ? { reason: outcome.reason } : {}),
      },
      'patch attempt settled',
    );
    if (result.pausedTier !== undefined) {
      this.metrics.pausedTiers.set({ tier: result.pausedTier }, 1);
      this.log.warn({ tier: result.pausedTier }, 'tier paused by the failure-rate breaker');
      // policy.state may already hold the tier paused: then the pause is handed over at once.
      void this.handover.reconcile();
    }
  }
}
