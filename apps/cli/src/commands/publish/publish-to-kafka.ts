import { randomUUID } from 'node:crypto';
import type { Clock } from '@hum/common';
import { type AssetRef, TOPICS } from '@hum/contracts';
import { publishReport, type PublishedScan } from '@hum/ingest';
import { EventProducer, type KafkaSettings, provisionTopics, TopicNames } from '@hum/kafka';
import type { Logger } from '@hum/observability';
import type { FormatId } from '@hum/scanner-formats';
import { connectKafka } from '../../kafka/kafka-target';
import type { ReportFile } from '../../report-file';

export interface KafkaPublishInput {
  file: ReportFile;
  asset: AssetRef;
  format: FormatId | undefined;
  settings: KafkaSettings;
  logger: Logger;
  clock: Clock;
  onProgress?: (published: number) => void;
}

/**
 * Straight to Kafka with the gateway's own all-or-nothing publish: one transaction for the
 * whole report, so an invalid report or a lost connection leaves nothing visible. The
 * transactional id is new per run: concurrent pipelines must not fence each other.
 */
export async function publishToKafka(input: KafkaPublishInput): Promise<PublishedScan> {
  const kafka = await connectKafka(input.settings, input.logger);
  const names = new TopicNames(input.settings.topicPrefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, names, [TOPICS.findingsRaw, TOPICS.scansCompleted], {
      replicationFactor: input.settings.replicationFactor,
      withDeadLetters: false,
    });
  } finally {
    await admin.disconnect();
  }
  const producer = new EventProducer(kafka, {
    names,
    source: '/hum/cli',
    logger: input.logger,
    transactionalId: `hum-cli.publish.${randomUUID()}`,
  });
  await producer.connect();
  try {
    return await publishReport(
      producer,
      {
        source: input.file.source,
        asset: input.asset,
        ...(input.format !== undefined ? { format: input.format } : {}),
        origin: 'cli',
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      },
      input.clock,
    );
  } finally {
    await producer.disconnect();
  }
}
