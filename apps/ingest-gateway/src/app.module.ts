import { type DynamicModule, Module } from '@nestjs/common';
import { systemClock } from '@hum/common';
import { apiKeyStoreProviders, ApiKeyGuard, AUTH_CLOCK, AUTH_LOGGER } from '@hum/auth';
import { TOPICS } from '@hum/contracts';
import { KafkaModule, kafkaSettingsFromEnv } from '@hum/kafka';
import { ObservabilityModule } from '@hum/observability';
import type { ServiceRuntime } from '@hum/runtime';
import { RateLimitGuard } from './auth/rate-limit.guard';
import { type GatewayConfig, SERVICE_NAME } from './config';
import { SCAN_PUBLISHER_SETTINGS, ScanPublishers } from './scan-publishers';
import { DocsController } from './docs/docs.controller';
import { ScansController } from './scans/scans.controller';
import { GATEWAY_CLOCK, GATEWAY_CONFIG, type GatewayLimits, SCAN_PUBLISHERS } from './tokens';

@Module({})
export class IngestGatewayModule {
  static register(config: GatewayConfig, runtime: ServiceRuntime): DynamicModule {
    const limits: GatewayLimits = {
      maxReportBytes: config.GATEWAY_MAX_REPORT_BYTES,
      maxFindings: config.GATEWAY_MAX_FINDINGS,
      spoolDirectory: config.GATEWAY_SPOOL_DIR,
      ratePerMinute: config.GATEWAY_RATE_PER_MINUTE,
      rateBurst: config.GATEWAY_RATE_BURST,
    };
    return {
      module: IngestGatewayModule,
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
            TOPICS.findingsRaw,
            TOPICS.scansCompleted,
            ...(config.GATEWAY_API_KEYS_FILE === undefined ? [TOPICS.apiKeysUsage] : []),
          ],
          follows: config.GATEWAY_API_KEYS_FILE === undefined ? [TOPICS.apiKeysState] : [],
        }),
      ],
      controllers: [ScansController, DocsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: limits },
        { provide: GATEWAY_CLOCK, useValue: systemClock },
        ...apiKeyStoreProviders({ file: config.GATEWAY_API_KEYS_FILE, service: SERVICE_NAME }),
        { provide: AUTH_CLOCK, useValue: systemClock },
        { provide: AUTH_LOGGER, useValue: runtime.logger.child({ context: ApiKeyGuard.name }) },
        {
          provide: SCAN_PUBLISHER_SETTINGS,
          useValue: { instanceId: config.HUM_INSTANCE_ID, size: config.GATEWAY_PUBLISHERS },
        },
        ScanPublishers,
        { provide: SCAN_PUBLISHERS, useExisting: ScanPublishers },
        ApiKeyGuard,
        RateLimitGuard,
      ],
    };
  }
}
