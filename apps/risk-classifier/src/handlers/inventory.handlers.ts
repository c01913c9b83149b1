import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type Clock } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import {
  type BatchHandler,
  ConsumeEvents,
  type HandlerOutput,
  type InboundEvent,
  ledgeredBatchHandler,
  type MessageContext,
} from '@hum/kafka';
import type { BreakerPolicy } from '@hum/risk';
import { ClassifierMetrics } from '../classifier-metrics';
import { applyFindings, classifiedCompaction } from '../inventory/apply-findings';
import { applyScansCompleted } from '../inventory/apply-scans';
import { applyIntelUpdates } from '../intel/apply-intel';
import type { EvaluationOutcome } from '../inventory/scan-evaluation';
import type { ClassifierDatabase } from '../inventory/schema';
import { RiskContext } from '../risk-context';
import { BREAKER_POLICY, CLASSIFIER_CLOCK, INVENTORY_DB } from '../tokens';

/**
 * The classifier's two consumers. Each batch is applied to the inventory once (the consumer
 * ledger) and its events leave in the consumer's Kafka transaction: exactly one classified or
 * resolved event per state change, through redelivery and crashes.
 */
@Injectable()
export class InventoryHandlers {
  private readonly findings: BatchHandler<typeof TOPICS.findingsRaw.schema>;
  private readonly scans: BatchHandler<typeof TOPICS.scansCompleted.schema>;
  private readonly intel: BatchHandler<typeof TOPICS.intelUpdates.schema>;

  constructor(
    @Inject(INVENTORY_DB) db: Kysely<ClassifierDatabase>,
    risk: RiskContext,
    metrics: ClassifierMetrics,
    @Inject(BREAKER_POLICY) breaker: BreakerPolicy,
    @Inject(CLASSIFIER_CLOCK) clock: Clock,
  ) {
    const count = (evaluations: readonly EvaluationOutcome[]): void => {
      for (const outcome of evaluations) {
        metrics.resolved.inc(outcome.resolved);
        if (outcome.blocked) metrics.breakerTrips.inc();
        if (outcome.stale) metrics.staleScans.inc();
      }
    };
    this.findings = ledgeredBatchHandler({
      topic: TOPICS.findingsRaw,
      name: 'InventoryHandlers.findings',
      db,
      compaction: classifiedCompaction,
      apply: async (trx, events) => {
        // Another replica may have activated newer intel: classify with what is active.
        await risk.refresh(trx);
        const { outputs, stats } = await applyFindings(trx, events, risk, breaker, clock.now());
        for (const [change, n] of Object.entries(stats.classified))
          metrics.classified.inc({ change }, n);
        metrics.touched.inc(stats.touched);
        count(stats.evaluations);
        return outputs;
      },
    });
    this.intel = ledgeredBatchHandler({
      topic: TOPICS.intelUpdates,
      name: 'InventoryHandlers.intel',
      db,
      apply: async (trx, events) => {
        const { outputs, reclassified } = await applyIntelUpdates(trx, events, risk, clock.now());
        metrics.classified.inc({ change: 'intel-changed' }, reclassified);
        return outputs;
      },
    });
    this.scans = ledgeredBatchHandler({
      topic: TOPICS.scansCompleted,
      name: 'InventoryHandlers.scans',
      db,
      apply: async (trx, events) => {
        const { outputs, evaluations } = await applyScansCompleted(
          trx,
          events,
          breaker,
          clock.now(),
        );
        count(evaluations);
        return outputs;
      },
    });
  }

  @ConsumeEvents(TOPICS.intelUpdates, { batch: true })
  onIntelUpdates(
    events: readonly InboundEvent<typeof TOPICS.intelUpdates.schema>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.intel.handle(events, context);
  }

  @ConsumeEvents(TOPICS.findingsRaw, { batch: true })
  onFindings(
    events: readonly InboundEvent<typeof TOPICS.findingsRaw.schema>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.findings.handle(events, context);
  }

  @ConsumeEvents(TOPICS.scansCompleted, { batch: true })
  onScansCompleted(
    events: readonly InboundEvent<typeof TOPICS.scansCompleted.schema>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.scans.handle(events, context);
  }
}
