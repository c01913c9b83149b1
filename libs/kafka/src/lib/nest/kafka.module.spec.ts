import { randomUUID } from 'node:crypto';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { EXAMPLE_FINDING, TOPICS } from '@hum/contracts';
import { createLogger, ObservabilityModule } from '@hum/observability';
import type { InboundEvent } from '../consumer/handler';
import { EventProducer } from '../producer';
import { defaultKafkaSettings, type KafkaSettings } from '../settings';
import { ConsumeEvents } from './consume-events.decorator';
import { KafkaModule, type KafkaModuleOptions } from './kafka.module';

const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
const logger = createLogger({ service: 'kafka-module-spec', level: 'silent' });
const opsToken = { reveal: () => 'ops-token-for-tests' };

@Injectable()
class FindingsListener {
  readonly titles: string[] = [];

  @ConsumeEvents(TOPICS.findingsRaw)
  async onFinding(event: InboundEvent<typeof TOPICS.findingsRaw.schema>): Promise<void> {
    this.titles.push(event.data.title);
  }
}

@Injectable()
class SecondFindingsListener {
  @ConsumeEvents(TOPICS.findingsRaw)
  async alsoOnFinding(): Promise<void> {
    return undefined;
  }
}

function settings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  return defaultKafkaSettings({
    brokers,
    clientId: 'module-spec',
    topicPrefix: `t.module.${randomUUID().slice(0, 8)}.`,
    ...overrides,
  });
}

async function boot(options: KafkaModuleOptions, providers: unknown[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ObservabilityModule.forRoot({ logger, registry: new Registry(), opsToken }),
      KafkaModule.forRoot(options),
    ],
    providers: providers as never[],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('KafkaModule', () => {
  beforeAll(() => {
    if (brokers.length === 0)
      throw new Error('KAFKA_BROKERS must point at a running broker (npm test starts one)');
  });

  it('provisions topics, runs @ConsumeEvents handlers and stops cleanly', async () => {
    const app = await boot(
      {
        settings: settings(),
        service: 'spec',
        produces: [TOPICS.findingsRaw],
        consumer: {
          groupId: `g-${randomUUID()}`,
          delivery: 'at-least-once',
          topics: [TOPICS.findingsRaw],
        },
      },
      [FindingsListener],
    );
    try {
      await app.get(EventProducer).publish([
        {
          topic: TOPICS.findingsRaw,
          key: 'a',
          data: { ...EXAMPLE_FINDING, title: 'through nest' },
        },
      ]);
      const listener = app.get(FindingsListener);
      const deadline = Date.now() + 30_000;
      while (listener.titles.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(listener.titles).toEqual(['through nest']);
    } finally {
      await app.close();
    }
  });

  it('refuses to start when an expected topic has no handler', async () => {
    await expect(
      boot(
        {
          settings: settings(),
          service: 'spec',
          produces: [],
          consumer: {
            groupId: `g-${randomUUID()}`,
            delivery: 'at-least-once',
            topics: [TOPICS.findingsRaw, TOPICS.scansCompleted],
          },
        },
        [FindingsListener],
      ),
    ).rejects.toThrow('no @ConsumeEvents handler for scans.completed');
  });

  it('refuses to start when a topic has two handlers', async () => {
    await expect(
      boot(
        {
          settings: settings(),
          service: 'spec',
          produces: [],
          consumer: {
            groupId: `g-${randomUUID()}`,
            delivery: 'at-least-once',
            topics: [TOPICS.findingsRaw],
          },
        },
        [FindingsListener, SecondFindingsListener],
      ),
    ).rejects.toThrow(
      /findings.raw has two handlers: FindingsListener.onFinding and SecondFindingsListener.alsoOnFinding/,
    );
  });

  it('gives up on an unreachable cluster after bounded attempts, naming the brokers', async () => {
    await expect(
      boot(
        {
          settings: settings({
            brokers: ['127.0.0.1:1'],
            startupAttempts: 2,
            connectionTimeoutMs: 300,
          }),
          service: 'spec',
          produces: [TOPICS.findingsRaw],
        },
        [],
      ),
    ).rejects.toThrow(
      /Kafka unreachable at 127\.0\.0\.1:1 after 2 attempts \(check KAFKA_BROKERS\)/,
    );
  });
});
