import type { Kafka } from 'kafkajs';
import {
  createKafkaClient,
  type KafkaSettings,
  kafkaSettingsFromEnv,
  waitForKafka,
} from '@hum/kafka';
import { createLogger, type Logger } from '@hum/observability';
import { UsageError } from '../cli-error';
import type { CommandLine } from '../args/command-line';
import type { CliEnv } from '../cli-env';
import type { CliIo } from '../cli-io';

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const TOPIC_PREFIX = /^[A-Za-z0-9._-]*$/;
export const CLI_CLIENT_ID = 'hum-cli';

/** Where Kafka is, from `--brokers`/`--topic-prefix` or else KAFKA_BROKERS/KAFKA_TOPIC_PREFIX. */
export interface KafkaTarget {
  brokers: string[];
  topicPrefix: string;
}

export function brokersFlag(line: CommandLine): string[] | undefined {
  const brokers = line.list('brokers');
  const bad = brokers?.find((broker) => !BROKER.test(broker));
  if (bad !== undefined) throw new UsageError(`--brokers: "${bad}" is not host:port`);
  return brokers;
}

export function topicPrefixFlag(line: CommandLine): string | undefined {
  const prefix = line.optional('topic-prefix');
  if (prefix !== undefined && !TOPIC_PREFIX.test(prefix)) {
    throw new UsageError(`--topic-prefix: "${prefix}" may hold only letters, digits and ._-`);
  }
  return prefix;
}

export function kafkaSettingsFor(env: CliEnv, target: KafkaTarget): KafkaSettings {
  return kafkaSettingsFromEnv(
    { ...env, KAFKA_BROKERS: target.brokers, KAFKA_TOPIC_PREFIX: target.topicPrefix },
    CLI_CLIENT_ID,
  );
}

/** Kafka's own log lines only with --verbose: a CLI reports failures as one line, not a log. */
export function cliLogger(io: CliIo, verbose: boolean): Logger {
  return createLogger({
    service: CLI_CLIENT_ID,
    level: verbose ? 'info' : 'silent',
    destination: io.stderr,
  });
}

/** A client once the cluster answers; a few bounded attempts, then KafkaUnavailableError. */
export async function connectKafka(settings: KafkaSettings, logger: Logger): Promise<Kafka> {
  await waitForKafka(settings, logger);
  return createKafkaClient(settings, logger, { retries: 3 });
}
