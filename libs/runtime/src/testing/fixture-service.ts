// The smallest real hum service, for specs of the runtime in a separate process: it loads its
// config, connects to Kafka, provisions a topic and serves /health and /metrics. With
// FIXTURE_CONSUMER_GROUP set it also consumes findings.raw (exactly-once, as the services do),
// appending each handled title to FIXTURE_RECORD_FILE; the message titled FIXTURE_SLOW_TITLE
// announces itself on stdout and then takes FIXTURE_SLOW_MS, so a spec can send SIGTERM while
// it is in flight.
import { appendFileSync } from 'node:fs';
import { type DynamicModule, Inject, Injectable, Module, type Provider } from '@nestjs/common';
import { z } from 'zod';
import { envInt, envString, loadConfig } from '@hum/config';
import { TOPICS } from '@hum/contracts';
import {
  ConsumeEvents,
  type InboundEvent,
  KafkaModule,
  kafkaEnvChecks,
  kafkaEnvShape,
  kafkaSettingsFromEnv,
} from '@hum/kafka';
import { ObservabilityModule } from '@hum/observability';
import { runService } from '../lib/run-service';
import { serviceEnvShape } from '../lib/service-env';

const schema = z
  .object({
    ...serviceEnvShape(0),
    ...kafkaEnvShape,
    FIXTURE_CONSUMER_GROUP: envString().optional(),
    FIXTURE_RECORD_FILE: envString().optional(),
    FIXTURE_SLOW_TITLE: envString().optional(),
    FIXTURE_SLOW_MS: envInt({ min: 0, max: 60_000 }).default(0),
  })
  .check(...kafkaEnvChecks);
type FixtureConfig = z.output<typeof schema>;

const FIXTURE_CONFIG = Symbol('fixture.config');

@Injectable()
class RecordingHandler {
  constructor(@Inject(FIXTURE_CONFIG) private readonly config: FixtureConfig) {}

  @ConsumeEvents(TOPICS.findingsRaw)
  async onFinding(event: InboundEvent<typeof TOPICS.findingsRaw.schema>): Promise<void> {
    const { title } = event.data;
    if (title === this.config.FIXTURE_SLOW_TITLE) {
      process.stdout.write(`handling ${title}\n`);
      // Not cut short by the stop signal: the point is work that must be waited for.
      await new Promise((resolve) => setTimeout(resolve, this.config.FIXTURE_SLOW_MS));
    }
    if (this.config.FIXTURE_RECORD_FILE)
      appendFileSync(this.config.FIXTURE_RECORD_FILE, `${title}\n`);
  }
}

@Module({})
class FixtureModule {
  static register(
    config: FixtureConfig,
    runtime: Parameters<Parameters<typeof runService>[0]['module']>[1],
  ): DynamicModule {
    const group = config.FIXTURE_CONSUMER_GROUP;
    const providers: Provider[] = group
      ? [{ provide: FIXTURE_CONFIG, useValue: config }, RecordingHandler]
      : [];
    return {
      module: FixtureModule,
      imports: [
        ObservabilityModule.forRoot({
          logger: runtime.logger,
          registry: runtime.registry,
          opsToken: config.HUM_OPS_TOKEN,
        }),
        KafkaModule.forRoot({
          settings: kafkaSettingsFromEnv(config, 'fixture-service'),
          service: 'fixture-service',
          produces: [TOPICS.findingsRaw],
          ...(group
            ? {
                consumer: {
                  groupId: group,
                  delivery: 'exactly-once' as const,
                  topics: [TOPICS.findingsRaw],
                  sessionTimeoutMs: 6_000,
                },
              }
            : {}),
        }),
      ],
      providers,
    };
  }
}

void runService(
  {
    name: 'fixture-service',
    loadConfig: (env) => loadConfig(schema, { service: 'fixture-service', env }),
    module: (config, runtime) => FixtureModule.register(config, runtime),
  },
  process.env,
).then(({ url }) => process.stdout.write(`listening ${url}\n`));
