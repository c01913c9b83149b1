// The smallest real hum service, for specs of the runtime in a separate process: it loads its
// config, connects to Kafka, provisions a topic and serves /health and /metrics. With
// FIXTURE_CONSUMER_GROUP set it also consumes findings.raw (exactly-once, as the services do),
// appending each handled title to FIXTURE_RECORD_FILE. The message titled FIXTURE_SLOW_TITLE
// announces itself on stdout and stays in flight until the consumer is told to stop (it says so
// on stdout), then — when FIXTURE_RELEASE_FILE is set — until that file exists: the spec, not
// the clock, decides when it ends, so SIGTERM always lands while it is in flight.
import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DynamicModule, Inject, Injectable, Module, type Provider } from '@nestjs/common';
import { z } from 'zod';
import { envString, loadConfig } from '@hum/config';
import { TOPICS } from '@hum/contracts';
import {
  ConsumeEvents,
  type InboundEvent,
  KafkaModule,
  type MessageContext,
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
    FIXTURE_RELEASE_FILE: envString().optional(),
  })
  .check(...kafkaEnvChecks);
type FixtureConfig = z.output<typeof schema>;

const FIXTURE_CONFIG = Symbol('fixture.config');

/** Keeps a handler in flight, and its consumer in the group, until `done` holds. */
async function holdUntil(done: () => boolean, context: MessageContext): Promise<void> {
  while (!done()) {
    await context.heartbeat();
    await sleep(20);
  }
}

@Injectable()
class RecordingHandler {
  constructor(@Inject(FIXTURE_CONFIG) private readonly config: FixtureConfig) {}

  @ConsumeEvents(TOPICS.findingsRaw)
  async onFinding(
    event: InboundEvent<typeof TOPICS.findingsRaw.schema>,
    context: MessageContext,
  ): Promise<void> {
    const { title } = event.data;
    if (title === this.config.FIXTURE_SLOW_TITLE) {
      process.stdout.write(`handling ${title}\n`);
      await holdUntil(() => context.signal.aborted, context);
      process.stdout.write(`${title} saw the stop\n`);
      // Not cut short by the stop signal: the point is work that must be waited for.
      const release = this.config.FIXTURE_RELEASE_FILE;
      if (release !== undefined) await holdUntil(() => existsSync(release), context);
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
