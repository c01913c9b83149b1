import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { TOPICS } from '@hum/contracts';
import {
  type BatchHandler,
  ConsumeEvents,
  type HandlerOutput,
  type InboundEvent,
  ledgeredBatchHandler,
  type MessageContext,
} from '@hum/kafka';
import { DispatchEngine } from '../dispatch/dispatch-engine';
import type { DispatchInput } from '../dispatch/group-plan';
import type { DispatcherDatabase } from '../ledger/schema';
import { LEDGER_DB } from '../tokens';

type Classified = typeof TOPICS.findingsClassified.schema;
type Resolved = typeof TOPICS.findingsResolved.schema;
type Remediation = typeof TOPICS.remediationEvents.schema;

/**
 * The dispatcher's three consumers. Each batch runs through the consumer ledger: its ledger
 * and tracker effects are applied once, and its tickets.events leave in the consumer's Kafka
 * transaction together with the offset commit.
 */
@Injectable()
export class DispatchHandlers {
  private readonly classified: BatchHandler<Classified>;
  private readonly resolved: BatchHandler<Resolved>;
  private readonly remediation: BatchHandler<Remediation>;

  constructor(@Inject(LEDGER_DB) db: Kysely<DispatcherDatabase>, engine: DispatchEngine) {
    this.classified = ledgeredBatchHandler({
      topic: TOPICS.findingsClassified,
      name: 'DispatchHandlers.classified',
      db,
      apply: (trx, events, context) =>
        engine.apply(
          trx,
          events.map((e): DispatchInput => ({
            kind: 'classified',
            offset: e.offset,
            data: e.data,
          })),
          context,
        ),
    });
    this.resolved = ledgeredBatchHandler({
      topic: TOPICS.findingsResolved,
      name: 'DispatchHandlers.resolved',
      db,
      apply: (trx, events, context) =>
        engine.apply(
          trx,
          events.map((e): DispatchInput => ({ kind: 'resolved', offset: e.offset, data: e.data })),
          context,
        ),
    });
    this.remediation = ledgeredBatchHandler({
      topic: TOPICS.remediationEvents,
      name: 'DispatchHandlers.remediation',
      db,
      apply: (trx, events, context) =>
        engine.apply(
          trx,
          events.map((e): DispatchInput => ({
            kind: 'remediation',
            offset: e.offset,
            data: e.data,
          })),
          context,
        ),
    });
  }

  @ConsumeEvents(TOPICS.findingsClassified, { batch: true })
  onClassified(
    events: readonly InboundEvent<Classified>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.classified.handle(events, context);
  }

  @ConsumeEvents(TOPICS.findingsResolved, { batch: true })
  onResolved(
    events: readonly InboundEvent<Resolved>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.resolved.handle(events, context);
  }

  @ConsumeEvents(TOPICS.remediationEvents, { batch: true })
  onRemediation(
    events: readonly InboundEvent<Remediation>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.remediation.handle(events, context);
  }
}
