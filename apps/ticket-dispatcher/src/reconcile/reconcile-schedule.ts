import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { describeError } from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import type { DispatcherConfig } from '../config';
import { DISPATCHER_CONFIG } from '../tokens';
import { Reconciler } from './reconciler';

/** Runs reconciliation every RECONCILE_INTERVAL (and at start when RECONCILE_ON_START). */
@Injectable()
export class ReconcileSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly reconciler: Reconciler,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ context: ReconcileSchedule.name });
  }

  onApplicationBootstrap(): void {
    const run = (): void => {
      this.reconciler
        .run()
        .catch((error: unknown) =>
          this.logger.error({ error: describeError(error) }, 'scheduled reconciliation failed'),
        );
    };
    if (this.config.RECONCILE_INTERVAL > 0) {
      this.timer = setInterval(run, this.config.RECONCILE_INTERVAL);
      this.timer.unref();
    }
    if (this.config.RECONCILE_ON_START) run();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
