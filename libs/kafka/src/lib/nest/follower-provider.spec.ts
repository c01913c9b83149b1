import { Test } from '@nestjs/testing';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, LOGGER } from '@hum/observability';
import type { FollowerWiring } from '../follow/compacted-topic-follower';
import { TopicNames } from '../topics';
import { followerProvider } from './follower-provider';
import { KAFKA_CLIENT } from './kafka.module';

class ExampleFollower {
  constructor(readonly wiring: FollowerWiring) {}
}

describe('followerProvider', () => {
  it("builds the follower from the module's Kafka client, topic names and a child logger", async () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const names = new TopicNames('spec.');
    const logger = createLogger({ service: 'spec', level: 'silent' });
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: KAFKA_CLIENT, useValue: kafka },
        { provide: TopicNames, useValue: names },
        { provide: LOGGER, useValue: logger },
        followerProvider(ExampleFollower, ExampleFollower, 'risk-classifier'),
      ],
    }).compile();

    const follower = moduleRef.get(ExampleFollower);

    expect(follower).toBeInstanceOf(ExampleFollower);
    expect(follower.wiring.kafka).toBe(kafka);
    expect(follower.wiring.names).toBe(names);
    expect(follower.wiring.service).toBe('risk-classifier');
    expect(follower.wiring.logger).not.toBe(logger);
    expect(follower.wiring.logger.bindings()).toMatchObject({ context: 'ExampleFollower' });
  });
});
