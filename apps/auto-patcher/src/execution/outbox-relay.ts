import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type Clock, describeError } from '@hum/common';
import { findTopic } from '@hum/contracts';
import { EventProducer, type OutgoingEvent } from '@hum/kafka';
import { LOGGER, type Logger } from '@hum/observability';
import type { PatcherConfig } from '../config';
import type { PatcherDatabase, StoredEvent } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_CONFIG, PATCHER_DB } from '../tokens';

const BATCH = 200;
const KEEP_PUBLISHED_MS = 24 * 3_600_000;

function outgoing(event: StoredEvent): OutgoingEvent {
  const topic = findTopic(event.topic);
  if (topic === undefined)
    throw new Error(`outbox holds an event for unknown topic ${event.topic}`);
  return { topic, key: event.key, data: event.data, id: event.id, time: new Date(event.time) };
}

/**
 * Publishes executor outcomes written to the outbox, in order, after their database commit.
 * At least once: a crash between the publish and the mark re-sends the same events (same
 * CloudEvents id), which consumers drop as duplicates by attempt key and status.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    @Inject(PATCHER_DB) private readonly db: Kysely<PatcherDatabase>,
    private readonly producer: EventProducer,
    @Inject(PATCHER_CONFIG) private readonly config: PatcherConfig,
    @Inject(PATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ context: OutboxRelay.name });
  }

  onApplicationBootstrap(): void {
    const tick = (): void => {
      if (this.stopped) return;
      void this.flush().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.config.PATCHER_POLL_INTERVAL);
      });
    };
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Publishes what is pending; concurrent calls coalesce into one more pass. */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while ((await this.publishBatch()) === BATCH);
          await this.prune();
        } catch (error) {
          this.log.warn({ error: describeError(error) }, 'outbox publish failed; will retry');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async publishBatch(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .select(['id', 'event'])
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      await this.producer.publish(rows.map((row) => outgoing(row.event)));
      await trx
        .updateTable('outbox')
        .set({ published_at: this.clock.now() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.length;
    });
  }

  private async prune(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPrune < 3_600_000) return;
    this.lastPrune = now;
    await this.db
      .deleteFrom('outbox')
      .where('published_at', '<', new Date(now - KEEP_PUBLISHED_MS))
      .execute();
  }
}
