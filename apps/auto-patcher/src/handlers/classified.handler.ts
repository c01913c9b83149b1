import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Clock } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import {
  type BatchHandler,
  ConsumeEvents,
  type HandlerOutput,
  type InboundEvent,
  ledgeredBatchHandler,
  type MessageContext,
} from '@hum/kafka';
import type { PatcherConfig } from '../config';
import { decideClassified } from '../decisions/decide-batch';
import { PatchExecutor } from '../execution/patch-executor';
import { PatcherMetrics } from '../patcher-metrics';
import { PolicyState } from '../policy/policy-state';
import { recordClassified } from '../store/findings';
import type { PatcherDatabase } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_CONFIG, PATCHER_DB } from '../tokens';

/**
 * findings.classified -> decisions, and the finding's latest state for later sweeps. Each batch is decided once (the consumer ledger) and its
 * planned/skipped events and audit entries leave in the consumer's Kafka transaction; decided
 * patches wait in the attempt ledger for the executor.
 */
@Injectable()
export class ClassifiedHandler {
  private readonly handler: BatchHandler<typeof TOPICS.findingsClassified.schema>;

  constructor(
    @Inject(PATCHER_DB) db: Kysely<PatcherDatabase>,
    @Inject(PATCHER_CONFIG) config: PatcherConfig,
    @Inject(PATCHER_CLOCK) clock: Clock,
    policy: PolicyState,
    metrics: PatcherMetrics,
    private readonly executor: PatchExecutor,
  ) {
    this.handler = ledgeredBatchHandler({
      topic: TOPICS.findingsClassified,
      name: 'ClassifiedHandler.decide',
      db,
      apply: async (trx, events) => {
        // Under a policy not read yet (a start that timed out waiting for it) every tier is
        // off: the findings are skipped as policy-not-loaded and kept as backlog, which the
        // sweeper decides again once the policy arrives. Refusing the batch instead would
        // dead-letter it after the consumer's retries.
        const now = clock.now();
        const { outputs, stats } = await decideClassified(
          trx,
          events,
          {
            policy: () => policy.snapshot(),
            patching: config.patching,
            fixOptions: { allowMajorUpgrade: config.PATCHER_ALLOW_MAJOR_UPGRADES },
          },
          now,
        );
        // Kept as the tier's backlog: decided again if the tier opens later (BacklogSweeper).
        await recordClassified(
          trx,
          events.map((e) => e.data),
          now,
        );
        for (const event of events) {
          const tier = event.data.classification.tier;
          for (const output of outputs.get(event.offset) ?? []) {
            if (output.topic.name !== TOPICS.remediationEvents.name) continue;
            const status = (output.data as { status: string }).status;
            metrics.decisions.inc({ tier, outcome: status === 'planned' ? 'plan' : 'skip' });
          }
        }
        if (stats.queued > 0)
          metrics.decisions.inc({ tier: 'all', outcome: 'apply' }, stats.queued);
        return outputs;
      },
    });
  }

  @ConsumeEvents(TOPICS.findingsClassified, { batch: true })
  async onClassified(
    events: readonly InboundEvent<typeof TOPICS.findingsClassified.schema>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    const outputs = await this.handler.handle(events, context);
    this.executor.wake();
    return outputs;
  }
}
