import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type Clock, describeError } from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import { AcceptancesService } from '../acceptances/acceptances.service';
import { ApiKeysService } from '../api-keys/api-keys.service';
import type { AdminDatabase } from '../database/schema';
import { PolicyService } from '../policy/policy.service';
import { ADMIN_CLOCK, ADMIN_DB, ADMIN_SETTINGS, type AdminSettings } from '../tokens';

/**
 * The timer: proposals and acceptance requests that nobody decided in time expire, active
 * acceptances lapse at their expiry, expired API keys are audited, and old read-model rows and
 * published outbox rows are pruned. Each run is idempotent, so replicas may both run it.
 */
@Injectable()
export class ExpiryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly policy: PolicyService,
    private readonly acceptances: AcceptancesService,
    private readonly keys: ApiKeysService,
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ context: ExpiryJob.name });
  }

  onApplicationBootstrap(): void {
    const tick = (): void => {
      this.running = this.runOnce()
        .catch((error: unknown) =>
          this.log.error({ error: describeError(error) }, 'expiry run failed'),
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.settings.expiryIntervalMs);
        });
    };
    this.timer = setTimeout(tick, Math.min(1_000, this.settings.expiryIntervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async runOnce(): Promise<void> {
    const proposals = await this.policy.expireDue();
    const acceptances = await this.acceptances.expireDue();
    const keys = await this.keys.recordExpiries();
    if (proposals + acceptances + keys > 0)
      this.log.info({ proposals, acceptances, keys }, 'expiries recorded');
    await this.prune();
  }

  private async prune(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - this.settings.readModelRetentionMs);
    await this.db.deleteFrom('rm_classified').where('at', '<', cutoff).execute();
    await this.db.deleteFrom('rm_ticket_events').where('at', '<', cutoff).execute();
    await this.db.deleteFrom('rm_remediations').where('decided_at', '<', cutoff).execute();
    // Published events are on Kafka; a day of them is kept for diagnosis.
    await this.db
      .deleteFrom('outbox')
      .where('published_at', '<', new Date(this.clock.now().getTime() - 24 * 3_600_000))
      .execute();
  }
}
