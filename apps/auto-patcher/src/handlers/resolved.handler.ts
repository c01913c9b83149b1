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
import { recordResolved } from '../store/findings';
import type { PatcherDatabase } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_DB } from '../tokens';

/** findings.resolved -> the finding leaves every backlog: a fixed finding is never patched later. */
@Injectable()
export class ResolvedHandler {
  private readonly handler: BatchHandler<typeof TOPICS.findingsResolved.schema>;

  constructor(
    @Inject(PATCHER_DB) db: Kysely<PatcherDatabase>,
    @Inject(PATCHER_CLOCK) clock: Clock,
  ) {
    this.handler = ledgeredBatchHandler({
      topic: TOPICS.findingsResolved,
      name: 'ResolvedHandler.record',
      db,
      apply: async (trx, events) => {
        await recordResolved(
          trx,
          events.map((e) => e.data),
          clock.now(),
        );
        return new Map();
      },
    });
  }

  @ConsumeEvents(TOPICS.findingsResolved, { batch: true })
  onResolved(
    events: readonly InboundEvent<typeof TOPICS.findingsResolved.schema>[],
    context: MessageContext,
  ): Promise<HandlerOutput> {
    return this.handler.handle(events, context);
  }
}
