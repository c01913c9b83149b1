import { DLQ_ERROR_KINDS, DLQ_SUFFIX, dlqTopicName, findTopic, TOPIC_LIST } from '@hum/contracts';
import { TopicNames } from '@hum/kafka';
import type { CommandLine } from '../../args/command-line';
import type { CommandSpec } from '../../args/command-spec';
import { closestWord } from '../../args/closest-word';
import { UsageError } from '../../cli-error';
import { type CliEnv, loadCliEnv } from '../../cli-env';
import { type CliIo, writeOut } from '../../cli-io';
import type { Command } from '../../command';
import { EXIT, type ExitCode } from '../../exit-codes';
import {
  brokersFlag,
  cliLogger,
  connectKafka,
  type KafkaTarget,
  kafkaSettingsFor,
  topicPrefixFlag,
} from '../../kafka/kafka-target';
import { LineWriter } from '../../line-writer';
import { plural } from '../../severity-text';
import type { DeadLetterSummary } from './dead-letter-message';
import { DeadLetterReplay, type LetterKind, type ReplayOutcome } from './replay-dead-letters';

const LETTER_KINDS = [...DLQ_ERROR_KINDS, 'unknown'] as const;
const IDLE_TIMEOUT_MS = 60_000;
const REASON_WIDTH = 160;

/** Remembers, per DLQ, what was replayed: its committed offsets are the replay's bookmark. */
export function replayGroupId(dlqTopic: string): string {
  return `hum-cli.dlq-replay.${dlqTopic}`;
}

const spec: CommandSpec = {
  path: ['dlq', 'replay'],
  description:
    'Re-drives the dead letters of TOPIC.dlq back to TOPIC: original key, value and headers,\n' +
    'hum_dlq_* headers removed, hum_replayed_at added. Only letters present when it starts are\n' +
    'replayed; its consumer group remembers them, so a second run does not replay them again.',
  positionals: [
    {
      name: 'TOPIC',
      description: `source topic (${TOPIC_LIST.map((t) => t.name).join(', ')})`,
    },
  ],
  flags: {
    brokers: {
      type: 'string',
      value: 'LIST',
      description: 'Kafka brokers host:port,... (or KAFKA_BROKERS)',
    },
    'topic-prefix': {
      type: 'string',
      value: 'P',
      description: 'topic name prefix (or KAFKA_TOPIC_PREFIX)',
    },
    limit: {
      type: 'string',
      value: 'N',
      description: 'replay at most N letters; the rest wait for the next run',
    },
    kind: {
      type: 'string',
      value: 'K',
      description: `replay only this error kind (${LETTER_KINDS.join(', ')}); letters of other kinds are moved to the end of the DLQ, unchanged`,
    },
    'dry-run': {
      type: 'boolean',
      description: 'list what would be replayed (offset, kind, reason); change nothing',
    },
    json: { type: 'boolean', description: 'print the result as JSON on stdout' },
    verbose: {
      type: 'boolean',
      description: 'list each replayed letter and log Kafka client activity on stderr',
    },
  },
  epilog: `Replays run in Kafka transactions with the offset commit of consumer group
hum-cli.dlq-replay.<prefix><TOPIC>.dlq (reset it with kafka-consumer-groups to replay again).

exit codes:
    0  done (also when nothing was left to replay)
    2  bad command line
   66  no such topic or dead-letter topic
   69  Kafka unreachable
   75  another replay of the same DLQ took over, or the DLQ stalled; run again
   77  Kafka refused the credentials or the ACLs`,
};

export interface ReplayOptions {
  topic: string;
  target: KafkaTarget;
  limit: number | undefined;
  kind: LetterKind | undefined;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
}

function topicArgument(value: string): string {
  const name = value.endsWith(DLQ_SUFFIX) ? value.slice(0, -DLQ_SUFFIX.length) : value;
  if (findTopic(name) !== undefined) return name;
  const near = closestWord(
    name,
    TOPIC_LIST.map((t) => t.name),
  );
  throw new UsageError(
    `TOPIC "${value}" is not a hum topic${near ? ` (did you mean ${near}?)` : ''}; topics: ${TOPIC_LIST.map((t) => t.name).join(', ')}`,
  );
}

export function replayOptions(line: CommandLine, env: CliEnv): ReplayOptions {
  const topic = topicArgument(line.positionals[0]!);
  const brokers = brokersFlag(line) ?? env.KAFKA_BROKERS;
  if (brokers === undefined || brokers.length === 0) {
    throw new UsageError('--brokers is required (or set KAFKA_BROKERS)');
  }
  return {
    topic,
    target: { brokers, topicPrefix: topicPrefixFlag(line) ?? env.KAFKA_TOPIC_PREFIX },
    limit: line.integer('limit', { min: 1, max: 10_000_000 }),
    kind: line.oneOf('kind', LETTER_KINDS),
    dryRun: line.has('dry-run'),
    json: line.has('json'),
    verbose: line.has('verbose'),
  };
}

function byKindText(outcome: ReplayOutcome): string {
  return Object.entries(outcome.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
}

export function describeReplay(
  outcome: ReplayOutcome,
  options: ReplayOptions,
  topics: { source: string; dlq: string },
): string[] {
  if (outcome.pendingAtStart === 0n)
    return [`nothing to replay: ${topics.dlq} holds no dead letters beyond those replayed before`];
  const verb = options.dryRun ? 'would replay' : 'replayed';
  const lines = [
    `${verb} ${plural(outcome.total, 'dead letter')} from ${topics.dlq} to ${topics.source}${outcome.total > 0 ? `: ${byKindText(outcome)}` : ''}`,
  ];
  if (outcome.requeued > 0) {
    lines.push(
      `moved ${plural(outcome.requeued, 'letter')} of other kinds to the end of ${topics.dlq}, unchanged`,
    );
  }
  if (outcome.limitReached)
    lines.push(`stopped at --limit ${options.limit}; run again for the rest`);
  return lines;
}

function letterLine(letter: DeadLetterSummary): string {
  const reason = letter.reason.replace(/\s+/g, ' ');
  return `${letter.partition}:${letter.offset}  ${letter.kind}  ${reason.length > REASON_WIDTH ? `${reason.slice(0, REASON_WIDTH)}...` : reason}`;
}

export async function runReplay(options: ReplayOptions, env: CliEnv, io: CliIo): Promise<ExitCode> {
  const settings = kafkaSettingsFor(env, options.target);
  const logger = cliLogger(io, options.verbose);
  const names = new TopicNames(settings.topicPrefix);
  const source = names.of(options.topic);
  const dlq = dlqTopicName(source);
  const kafka = await connectKafka(settings, logger);
  const letters: DeadLetterSummary[] = [];
  const replay = new DeadLetterReplay({
    kafka,
    sourceTopic: source,
    dlqTopic: dlq,
    groupId: replayGroupId(dlq),
    kind: options.kind,
    limit: options.limit,
    dryRun: options.dryRun,
    logger,
    clock: io.clock,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    onLetter: (letter) => letters.push(letter),
  });
  const outcome = await replay.run();
  if (!options.json && (options.dryRun || options.verbose)) {
    const listing = new LineWriter(options.dryRun ? io.stdout : io.stderr);
    for (const letter of letters) await listing.line(letterLine(letter));
    await listing.flush();
  }
  if (options.json) {
    const result = {
      topic: source,
      dlqTopic: dlq,
      dryRun: options.dryRun,
      replayed: outcome.total,
      byKind: outcome.byKind,
      requeued: outcome.requeued,
      limitReached: outcome.limitReached,
      ...(options.dryRun ? { letters } : {}),
    };
    await writeOut(io.stdout, `${JSON.stringify(result)}\n`);
  } else {
    const summary = describeReplay(outcome, options, { source, dlq });
    await writeOut(options.dryRun ? io.stderr : io.stdout, `${summary.join('\n')}\n`);
  }
  return EXIT.ok;
}

export const dlqReplayCommand: Command = {
  spec,
  async run(line, io) {
    const env = loadCliEnv(io.env);
    return runReplay(replayOptions(line, env), env, io);
  },
};
