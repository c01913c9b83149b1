import { SetMetadata } from '@nestjs/common';
import type { TopicDefinition } from '@hum/contracts';

export const CONSUME_EVENTS_METADATA = 'hum:kafka:consume-events';

export interface ConsumeEventsMetadata {
  topic: TopicDefinition;
  /** Receive up to maxBatchSize events of one partition at once. */
  batch: boolean;
}

/**
 * Marks a provider method as the handler of a topic. The payload type comes from the topic's
 * contract; a topic with two handlers, or an expected topic with none, stops the boot.
 */
export function ConsumeEvents(
  topic: TopicDefinition,
  options: { batch?: boolean } = {},
): MethodDecorator {
  return SetMetadata(CONSUME_EVENTS_METADATA, {
    topic,
    batch: options.batch ?? false,
  } satisfies ConsumeEventsMetadata);
}
