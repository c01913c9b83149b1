import { parseCommandLine } from '../../args/command-line';
import { UsageError } from '../../cli-error';
import { loadCliEnv } from '../../cli-env';
import {
  describeReplay,
  dlqReplayCommand,
  replayGroupId,
  replayOptions,
} from './dlq-replay.command';

function options(
  argv: string[],
  env: Record<string, string> = {},
): ReturnType<typeof replayOptions> {
  const parsed = parseCommandLine(dlqReplayCommand.spec, argv);
  if (parsed.help) throw new Error('unexpected help');
  return replayOptions(parsed.line, loadCliEnv(env));
}

function usage(argv: string[], env: Record<string, string> = {}): string {
  try {
    options(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('hum dlq replay options', () => {
  it('takes a catalogue topic, with or without its .dlq suffix, and the flags', () => {
    expect(
      options([
        'findings.raw',
        '--brokers',
        'k1:9092',
        '--limit',
        '10',
        '--kind',
        'handler-failed',
        '--dry-run',
      ]),
    ).toEqual({
      topic: 'findings.raw',
      target: { brokers: ['k1:9092'], topicPrefix: '' },
      limit: 10,
      kind: 'handler-failed',
      dryRun: true,
      json: false,
      verbose: false,
    });
    expect(
      options(['findings.classified.dlq'], { KAFKA_BROKERS: 'k:1', KAFKA_TOPIC_PREFIX: 'dev.' }),
    ).toMatchObject({
      topic: 'findings.classified',
      target: { brokers: ['k:1'], topicPrefix: 'dev.' },
    });
  });

  it('names what is wrong', () => {
    expect(usage(['findings.raw'])).toBe('--brokers is required (or set KAFKA_BROKERS)');
    expect(usage(['findings.rw', '--brokers', 'k:1'])).toContain(
      'TOPIC "findings.rw" is not a hum topic (did you mean findings.raw?)',
    );
    expect(usage(['findings.raw', '--brokers', 'k:1', '--kind', 'boom'])).toContain(
      '--kind: "boom" is not a choice',
    );
    expect(usage(['findings.raw', '--brokers', 'k:1', '--limit', '0'])).toContain(
      '--limit: expected a whole number',
    );
  });

  it('keeps one consumer group per dead-letter topic', () => {
    expect(replayGroupId('dev.findings.raw.dlq')).toBe('hum-cli.dlq-replay.dev.findings.raw.dlq');
  });

  it('summarises a replay per error kind', () => {
    const base = options(['findings.raw', '--brokers', 'k:1', '--limit', '3']);
    const topics = { source: 'findings.raw', dlq: 'findings.raw.dlq' };
    expect(
      describeReplay(
        {
          byKind: { 'handler-failed': 2, 'contract-violation': 1 },
          total: 3,
          requeued: 1,
          pendingAtStart: 9n,
          limitReached: true,
        },
        base,
        topics,
      ),
    ).toEqual([
      'replayed 3 dead letters from findings.raw.dlq to findings.raw: contract-violation 1, handler-failed 2',
      'moved 1 letter of other kinds to the end of findings.raw.dlq, unchanged',
      'stopped at --limit 3; run again for the rest',
    ]);
    expect(
      describeReplay(
        { byKind: {}, total: 0, requeued: 0, pendingAtStart: 0n, limitReached: false },
        base,
        topics,
      ),
    ).toEqual([
      'nothing to replay: findings.raw.dlq holds no dead letters beyond those replayed before',
    ]);
  });
});
