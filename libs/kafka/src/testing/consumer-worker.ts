// A consumer in its own process, for specs that kill it mid-stream. It records every handled
// message id with a synchronous append (durable before the offset commits) and publishes one
// output event per input. WORKER_CRASH_ON=<title> makes it SIGKILL itself right after the
// outputs of that message are published and before its offset is committed: the worst moment.
import { appendFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { EXAMPLE_TICKET_EVENT, TOPICS } from '@hum/contracts';
import { createLogger, type Logger } from '@hum/observability';
import { createKafkaClient } from '../lib/client';
import { eachMessage } from '../lib/consumer/handler';
import { ConsumerRunner, type DeliveryGuarantee } from '../lib/consumer/runner';
import {
  EventProducer,
  type EventTransaction,
  type OutgoingEvent,
  type ProducerOptions,
} from '../lib/producer';
import { defaultKafkaSettings } from '../lib/settings';
import { TopicNames } from '../lib/topics';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const crashOn = process.env['WORKER_CRASH_ON'];

function crashIfTriggered(events: readonly OutgoingEvent[]): void {
  if (
    crashOn !== undefined &&
    events.some((e) => (e.data as { ticketKey?: string }).ticketKey === crashOn)
  ) {
    process.kill(process.pid, 'SIGKILL');
  }
}

/** Dies between "results published" and "offset committed". */
class CrashingProducer extends EventProducer {
  constructor(kafka: Kafka, options: ProducerOptions) {
    super(kafka, options);
  }

  override async publish(events: readonly OutgoingEvent[]): Promise<void> {
    await super.publish(events);
    crashIfTriggered(events);
  }

  override transaction<T>(work: (tx: EventTransaction) => Promise<T>): Promise<T> {
    return super.transaction((tx) =>
      work({
        ...tx,
        publish: async (events) => {
          await tx.publish(events);
          crashIfTriggered(events);
        },
      }),
    );
  }
}

async function main(): Promise<void> {
  const settings = defaultKafkaSettings({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'consumer-worker',
    topicPrefix: required('WORKER_TOPIC_PREFIX'),
  });
  const delivery = required('WORKER_DELIVERY') as DeliveryGuarantee;
  const record = required('WORKER_RECORD_FILE');
  const delayMs = Number(process.env['WORKER_DELAY_MS'] ?? '0');
  const logger: Logger = createLogger({ service: 'consumer-worker', level: 'warn' });
  const kafka = createKafkaClient(settings, logger);
  const names = new TopicNames(settings.topicPrefix);
  const source = '/hum/test-worker';
  const producer = new CrashingProducer(kafka, { names, source, logger });
  await producer.connect();
  const runner = new ConsumerRunner({
    kafka,
    groupId: required('WORKER_GROUP'),
    names,
    logger,
    delivery,
    producer,
    source,
    maxBatchSize: 50,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    createTransactionalProducer: (transactionalId) =>
      new CrashingProducer(kafka, { names, source, logger, transactionalId }),
    handlers: [
      eachMessage(TOPICS.findingsRaw, 'worker', async (event) => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        appendFileSync(record, `${event.data.title}\n`);
        return [
          {
            topic: TOPICS.ticketsEvents,
            key: event.key,
            data: { ...EXAMPLE_TICKET_EVENT, ticketKey: event.data.title.slice(0, 100) },
          },
        ];
      }),
    ],
  });
  await runner.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void runner
      .stop()
      .then(() => producer.disconnect())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${String(error)}\n`);
  process.exit(1);
});
