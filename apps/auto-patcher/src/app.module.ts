import path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { auditMigrations } from '@hum/audit';
import { systemClock } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import {
  consumerLedgerMigrations,
  followerProvider,
  KafkaModule,
  kafkaSettingsFromEnv,
} from '@hum/kafka';
import { METRICS_REGISTRY, ObservabilityModule } from '@hum/observability';
import { PatcherRegistry } from '@hum/patching';
import { serviceDatabaseProviders } from '@hum/persistence';
import { PolicyFollower, policyMetricsProvider } from '@hum/policy';
import type { ServiceRuntime } from '@hum/runtime';
import { type PatcherConfig, SERVICE_NAME } from './config';
import { OutboxRelay } from './execution/outbox-relay';
import { PatchExecutor } from './execution/patch-executor';
import { BacklogSweeper } from './backlog/backlog-sweeper';
import { ClassifiedHandler } from './handlers/classified.handler';
import { ResolvedHandler } from './handlers/resolved.handler';
import { OperatorTokenGuard } from './http/operator-token.guard';
import { TiersController } from './http/tiers.controller';
import { WebhookResultsController } from './http/webhook-results.controller';
import { PatcherMetrics } from './patcher-metrics';
import { PauseHandoverService } from './policy/pause-handover.service';
import { PolicyState } from './policy/policy-state';
import { patcherMigrations } from './store/schema';
import { PATCHER_CLOCK, PATCHER_CONFIG, PATCHER_DATABASE, PATCHER_DB } from './tokens';

@Module({})
export class AutoPatcherModule {
  static register(config: PatcherConfig, runtime: ServiceRuntime): DynamicModule {
    return {
      module: AutoPatcherModule,
      imports: [
        ObservabilityModule.forRoot({
          logger: runtime.logger,
          registry: runtime.registry,
          opsToken: config.HUM_OPS_TOKEN,
        }),
        KafkaModule.forRoot({
          settings: kafkaSettingsFromEnv(config, SERVICE_NAME),
          service: SERVICE_NAME,
          produces: [TOPICS.remediationEvents, TOPICS.auditLog],
          consumer: {
            groupId: SERVICE_NAME,
            delivery: 'exactly-once',
            topics: [TOPICS.findingsClassified, TOPICS.findingsResolved],
            maxBatchSize: config.PATCHER_BATCH_SIZE,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
          },
        }),
      ],
      controllers: [TiersController, WebhookResultsController],
      providers: [
        { provide: PATCHER_CONFIG, useValue: config },
        { provide: PATCHER_CLOCK, useValue: systemClock },
        ...serviceDatabaseProviders({
          connection: {
            url: config.DATABASE_URL,
            dataDir: path.join(config.HUM_DATA_DIR, SERVICE_NAME),
            schema: config.DATABASE_SCHEMA,
          },
          migrations: {
            ...consumerLedgerMigrations,
            ...auditMigrations,
            ...patcherMigrations,
          },
          provide: { database: PATCHER_DATABASE, db: PATCHER_DB },
        }),
        {
          provide: PatcherMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new PatcherMetrics(registry),
        },
        {
          provide: PatcherRegistry,
          useFactory: () =>
            new PatcherRegistry({
              config: config.patching,
              credentials: config.credentials,
              ...(config.PATCHER_PUBLIC_URL !== undefined
                ? {
                    callbackUrl: (host: string) =>
                      `${config.PATCHER_PUBLIC_URL!.replace(/\/+$/, '')}/v1/patch-results/webhook/${encodeURIComponent(host)}`,
                  }
                : {}),
            }),
        },
        followerProvider(PolicyFollower, PolicyFollower, SERVICE_NAME),
        policyMetricsProvider(),
        PolicyState,
        OutboxRelay,
        PauseHandoverService,
        PatchExecutor,
        BacklogSweeper,
        ClassifiedHandler,
        ResolvedHandler,
        OperatorTokenGuard,
      ],
    };
  }
}
