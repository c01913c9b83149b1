import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import { type Clock, describeError } from '@hum/common';
import { scanScopeKey, type ScanCompletedV1, TOPICS } from '@hum/contracts';
import { EventProducer } from '@hum/kafka';
import { LOGGER, type Logger } from '@hum/observability';
import { CLASSIFIER_CLOCK, INVENTORY_DB } from '../tokens';
import type { ClassifierDatabase } from './schema';

const INTERVAL_MS = 10_000;
/** A scan this long complete but not evaluated lost the race of its last two batches. */
const GRACE_MS = 10_000;

/**
 * The safety net of lock-free completeness checks: re-announces (on scans.completed, where a
 * duplicate is harmless) scans that hold every finding they announced yet were not evaluated,
 * so their evaluation happens under the consumer ledger like any other.
 */
@Injectable()
export class ScanSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(INVENTORY_DB) private readonly db: Kysely<ClassifierDatabase>,
    private readonly producer: EventProducer,
    @Inject(CLASSIFIER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.logger.warn(
          { context: ScanSweeper.name, error: describeError(error) },
          'scan sweep failed',
        ),
      );
    }, INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - GRACE_MS);
    const stuck = await this.db
      .selectFrom('scans')
      .select(['completed_event'])
      .where('status', '=', 'collecting')
      .where('completed_event', 'is not', null)
      .where('updated_at', '<', before)
      .where(
        sql<boolean>`(select coalesce(sum(received), 0) from scan_counts c
          where c.scan_id = scans.scan_id and c.scope_key = scans.scope_key) >= scans.expected_count`,
      )
      .limit(100)
      .execute();
    const events = stuck.map((row) => row.completed_event as ScanCompletedV1);
    if (events.length === 0) return 0;
    await this.producer.publish(
      events.map((event) => ({
        topic: TOPICS.scansCompleted,
        key: scanScopeKey(event.scope),
        data: event,
      })),
    );
    this.logger.info(
      { context: ScanSweeper.name, scans: events.length },
      're-announced complete scans',
    );
    return events.length;
  }
}
