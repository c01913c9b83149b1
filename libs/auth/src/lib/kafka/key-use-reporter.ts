import { describeError } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import type { EventProducer } from '@hum/kafka';
import type { Logger } from '@hum/observability';

export interface KeyUseReporterOptions {
  producer: Pick<EventProducer, 'publish'>;
  /** Named in each report: which service saw the key. */
  service: string;
  logger: Logger;
  /** At most one report per key in this long. Default one minute. */
  intervalMs?: number;
}

/**
 * Tells policy-admin when a pipeline key was last used (`apikeys.usage`), so its key list shows
 * it. Throttled per key, and best effort by design: a lost report must never fail the request
 * that used the key; a failed one is retried on the key's next use.
 */
export class KeyUseReporter {
  private readonly reported = new Map<string, number>();

  constructor(private readonly options: KeyUseReporterOptions) {}

  report(id: string, at: Date): void {
    const interval = this.options.intervalMs ?? 60_000;
    const last = this.reported.get(id);
    if (last !== undefined && at.getTime() - last < interval) return;
    this.reported.set(id, at.getTime());
    const event = { id, lastUsedAt: at.toISOString(), service: this.options.service };
    this.options.producer
      .publish([{ topic: TOPICS.apiKeysUsage, key: id, data: event }])
      .catch((error: unknown) => {
        if (this.reported.get(id) === at.getTime()) this.reported.delete(id);
        this.options.logger.warn(
          { keyId: id, error: describeError(error) },
          'could not report an API key use',
        );
      });
  }
}
