import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Clock, describeError } from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import type { HumanTicketChange } from '@hum/ticketing';
import { SyncState } from '../ledger/sync-state';
import { TicketProviders } from '../providers/ticket-providers';
import { DISPATCHER_CLOCK, DISPATCHER_CONFIG } from '../tokens';
import type { DispatcherConfig } from '../config';
import { HumanChangeRecorder } from './human-changes';

const CURSOR = 'servicenow';
const EPOCH = '1970-01-01 00:00:00';

/**
 * ServiceNow offers no webhooks to hum here: every poll interval one replica (by lease) asks
 * for managed incidents changed by anyone but hum since the last poll, and records state
 * changes as human decisions.
 */
@Injectable()
export class ServiceNowPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly providers: TicketProviders,
    private readonly recorder: HumanChangeRecorder,
    private readonly state: SyncState,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(DISPATCHER_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ context: ServiceNowPoller.name });
  }

  onApplicationBootstrap(): void {
    if (!this.providers.serviceNow()) return;
    const tick = (): void => {
      this.pollOnce().catch((error: unknown) =>
        this.logger.error(
          { error: describeError(error) },
          'ServiceNow poll failed; next poll retries',
        ),
      );
    };
    this.timer = setInterval(tick, this.config.SERVICENOW_POLL_INTERVAL);
    this.timer.unref();
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One poll; resolves with the number of changes applied (0 when another replica polls). */
  pollOnce(): Promise<number> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async poll(): Promise<number> {
    const provider = this.providers.serviceNow();
    if (!provider) return 0;
    const holder = this.config.HUM_INSTANCE_ID;
    const lease = Math.max(this.config.SERVICENOW_POLL_INTERVAL * 3, 60_000);
    if (!(await this.state.tryLease(CURSOR, holder, lease, this.clock.now()))) return 0;
    const since = (await this.state.cursor(CURSOR)) ?? EPOCH;
    const changes = await provider.changedSince(since);
    let applied = 0;
    let cursor = since;
    for (const change of changes) {
      const human: HumanTicketChange = {
        provider: 'servicenow',
        ticket: { id: change.ticket.id, key: change.ticket.key },
        ...(change.ticket.idempotencyKey !== undefined
          ? { idempotencyKey: change.ticket.idempotencyKey }
          : {}),
        kind: change.ticket.status === 'done' ? 'closed' : 'reopened',
        ...(change.ticket.resolution !== undefined ? { resolution: change.ticket.resolution } : {}),
        actor: change.updatedBy,
        changeId: `${change.ticket.id}:${change.modCount}`,
        at: new Date(`${change.updatedOn.replace(' ', 'T')}Z`).toISOString(),
      };
      if ((await this.recorder.record(human)) === 'applied') applied += 1;
      if (change.updatedOn > cursor) cursor = change.updatedOn;
    }
    if (cursor !== since) await this.state.setCursor(CURSOR, cursor);
    if (applied > 0) this.logger.info({ applied, cursor }, 'ServiceNow changes applied');
    return applied;
  }
}
