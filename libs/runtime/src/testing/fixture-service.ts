// The smallest real hum service, for specs of the runtime in a separate process: it loads its
// config, connects to Kafka, provisions a topic and serves /health and /metrics.
import { type DynamicModule, Module } from '@nestjs/common';
import { z } from 'zod';
import { loadConfig } from '@hum/config';
import { TOPICS } from '@hum/contracts';
import { KafkaModule, kafkaEnvChecks, kafkaEnvShape, kafkaSettingsFromEnv } from '@hum/kafka';
import { ObservabilityModule } from '@hum/observability';
import { runService } from '../lib/run-service';
import { serviceEnvShape } from '../lib/service-env';

const schema = z.object({ ...serviceEnvShape(0), ...kafkaEnvShape }).check(...kafkaEnvChecks);
type FixtureConfig = z.output<typeof schema>;

@Module({})
class FixtureModule {
  static register(
    config: FixtureConfig,
    runtime: Parameters<Parameters<typeof runService>[0]['module']>[1],
  ): DynamicModule {
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
        }),
      ],
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
