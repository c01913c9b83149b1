import path from 'node:path';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { auditMigrations } from '@hum/audit';
import { apiKeyStoreProviders, ApiKeyGuard, AUTH_CLOCK, AUTH_LOGGER } from '@hum/auth';
import { systemClock } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import {
  consumerLedgerMigrations,
  followerProvider,
  KafkaModule,
  kafkaSettingsFromEnv,
} from '@hum/kafka';
import { METRICS_REGISTRY, ObservabilityModule } from '@hum/observability';
import { PolicyFollower, policyMetricsProvider, RiskAcceptanceFollower } from '@hum/policy';
import { serviceDatabaseProviders } from '@hum/persistence';
import type { ServiceRuntime } from '@hum/runtime';
import { ClassifierMetrics } from './classifier-metrics';
import { type ClassifierConfig, SERVICE_NAME } from './config';
import { GateController } from './gate/gate.controller';
import { InventoryHandlers } from './handlers/inventory.handlers';
import { ScanSweeper } from './inventory/scan-sweeper';
import { intelMigrations, inventoryMigrations } from './inventory/schema';
import { IntelController } from './intel/intel.controller';
import { RiskContext } from './risk-context';
import {
  BREAKER_POLICY,
  CLASSIFIER_CLOCK,
  INVENTORY_DATABASE,
  INVENTORY_DB,
  POLICY_FOLLOWER,
  RISK_ACCEPTANCES,
} from './tokens';

@Injectable()
class PolicyLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(POLICY_FOLLOWER) private readonly follower: PolicyFollower,
    @Inject(RISK_ACCEPTANCES) private readonly acceptances: RiskAcceptanceFollower,
  ) {}

  async onModuleInit(): Promise<void> {
    await Promise.all([this.follower.start(), this.acceptances.start()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.follower.stop(), this.acceptances.stop()]);
  }
}

@Module({})
export class RiskClassifierModule {
  static register(config: ClassifierConfig, runtime: ServiceRuntime): DynamicModule {
    // Loaded before Nest builds anything: a bad policy or catalogue stops the start here,
    // naming the file, line and field.
    const risk = RiskContext.load({
      policyFile: config.RISK_POLICY_FILE,
      catalogueFile: config.ASSET_CATALOGUE_FILE,
      kevFile: config.INTEL_KEV_FILE,
      epssFile: config.INTEL_EPSS_FILE,
    });
    return {
      module: RiskClassifierModule,
      imports: [
        ObservabilityModule.forRoot({
          logger: runtime.logger,
          registry: runtime.registry,
          opsToken: config.HUM_OPS_TOKEN,
        }),
        KafkaModule.forRoot({
          settings: kafkaSettingsFromEnv(config, SERVICE_NAME),
          service: SERVICE_NAME,
          produces: [
            TOPICS.findingsClassified,
            TOPICS.findingsResolved,
            TOPICS.auditLog,
            TOPICS.intelUpdates,
            ...(config.API_KEYS_FILE === undefined ? [TOPICS.apiKeysUsage] : []),
          ],
          follows: [
            TOPICS.policyState,
            TOPICS.riskAcceptances,
            ...(config.API_KEYS_FILE === undefined ? [TOPICS.apiKeysState] : []),
          ],
          consumer: {
            groupId: SERVICE_NAME,
            delivery: 'exactly-once',
            topics: [TOPICS.findingsRaw, TOPICS.scansCompleted, TOPICS.intelUpdates],
            maxBatchSize: config.CLASSIFIER_BATCH_SIZE,
            partitionsConsumedConcurrently: config.CLASSIFIER_PARTITION_CONCURRENCY,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
          },
        }),
      ],
      controllers: [GateController, IntelController],
      providers: [
        { provide: RiskContext, useValue: risk },
        ...apiKeyStoreProviders({ file: config.API_KEYS_FILE, service: SERVICE_NAME }),
        { provide: AUTH_CLOCK, useValue: systemClock },
        { provide: AUTH_LOGGER, useValue: runtime.logger.child({ context: ApiKeyGuard.name }) },
        ApiKeyGuard,
        followerProvider(POLICY_FOLLOWER, PolicyFollower, SERVICE_NAME),
        followerProvider(RISK_ACCEPTANCES, RiskAcceptanceFollower, SERVICE_NAME),
        policyMetricsProvider(POLICY_FOLLOWER),
        PolicyLifecycle,
        { provide: CLASSIFIER_CLOCK, useValue: systemClock },
        {
          provide: BREAKER_POLICY,
          useValue: {
            maxShare: config.BREAKER_MAX_PERCENT / 100,
            minOpen: config.BREAKER_MIN_OPEN,
          },
        },
        ...serviceDatabaseProviders({
          connection: {
            url: config.DATABASE_URL,
            dataDir: path.join(config.HUM_DATA_DIR, SERVICE_NAME),
            schema: config.DATABASE_SCHEMA,
          },
          migrations: {
            ...consumerLedgerMigrations,
            ...auditMigrations,
            ...inventoryMigrations,
            ...intelMigrations,
          },
          provide: { database: INVENTORY_DATABASE, db: INVENTORY_DB },
        }),
        {
          provide: ClassifierMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new ClassifierMetrics(registry),
        },
        InventoryHandlers,
        ScanSweeper,
      ],
    };
  }
}
