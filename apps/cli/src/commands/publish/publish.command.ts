import path from 'node:path';
import { parseDuration } from '@hum/config';
import type { PublishedScan } from '@hum/ingest';
import type { CommandLine } from '../../args/command-line';
import type { CommandSpec } from '../../args/command-spec';
import { CliError, UsageError } from '../../cli-error';
import { type CliEnv, loadCliEnv } from '../../cli-env';
import { type CliIo, say, writeOut } from '../../cli-io';
import type { Command } from '../../command';
import { describeExitCodes, EXIT, type ExitCode } from '../../exit-codes';
import {
  brokersFlag,
  cliLogger,
  type KafkaTarget,
  kafkaSettingsFor,
  topicPrefixFlag,
} from '../../kafka/kafka-target';
import { progressFor, PROGRESS_THRESHOLD_BYTES } from '../../progress';
import { FORMAT_FLAG, FORMATS_HELP, openReportFile, type ReportFile } from '../../report-file';
import { plural, severityText } from '../../severity-text';
import { API_KEY_REFUSAL, resolveApiKey } from './api-key';
import { readGatewayAnswer } from './gateway-answer';
import { type GatewayAnswer, uploadReport } from './gateway-upload';
import {
  checkPromotionGate,
  describeVerdict,
  GATE_STAGES,
  type GateStage,
  type GateVerdict,
} from './promotion-gate';
import { publishToKafka } from './publish-to-kafka';
import { type ScanContext, SCAN_CONTEXT_FLAGS, scanContextFrom } from './scan-context';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const USER_AGENT = 'hum-cli/1';

const spec: CommandSpec = {
  path: ['publish'],
  description:
    'Publishes a scanner report as one scan, all or nothing: through the ingest gateway\n' +
    '(--gateway, with a pipeline API key) or straight to Kafka (--brokers).',
  positionals: [
    { name: 'REPORT', description: 'the report file (JSON or XML, optionally gzipped)' },
  ],
  flags: {
    ...SCAN_CONTEXT_FLAGS,
    format: FORMAT_FLAG,
    gateway: {
      type: 'string',
      value: 'URL',
      description: 'ingest gateway base URL (or HUM_GATEWAY_URL)',
    },
    'api-key-file': {
      type: 'string',
      value: 'FILE',
      description: 'file holding the API key (else HUM_API_KEY / HUM_API_KEY_FILE)',
    },
    timeout: {
      type: 'string',
      value: 'DURATION',
      description: 'give up when the gateway is silent this long (default 5m)',
    },
    brokers: {
      type: 'string',
      value: 'LIST',
      description: 'Kafka bootstrap brokers host:port,... (or KAFKA_BROKERS)',
    },
    'topic-prefix': {
      type: 'string',
      value: 'P',
      description: 'topic name prefix (or KAFKA_TOPIC_PREFIX)',
    },
    gate: {
      type: 'string',
      value: 'STAGE',
      description:
        'then wait until the scan is classified and check the promotion gate\n' +
        'for STAGE (test|prod); exit 1 when open findings block it',
    },
    'gate-url': {
      type: 'string',
      value: 'URL',
      description: 'where the gate answers (or HUM_GATE_URL; default the --gateway URL)',
    },
    'gate-timeout': {
      type: 'string',
      value: 'DURATION',
      description: 'how long to wait for the classification (default 5m)',
    },
    json: { type: 'boolean', description: 'print the result (or the error) as JSON on stdout' },
    verbose: { type: 'boolean', description: 'log Kafka client activity on stderr' },
  },
  refusedFlags: { 'api-key': API_KEY_REFUSAL, token: API_KEY_REFUSAL },
  epilog: `${FORMATS_HELP}

environment:
  HUM_API_KEY, HUM_API_KEY_FILE   pipeline API key (never a flag value)
  HUM_GATEWAY_URL                 default for --gateway
  HUM_GATE_URL                    default for --gate-url
  KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_SSL, KAFKA_SASL_*   for --brokers
  Commit, repository and run URL default to GitHub Actions, GitLab CI, Azure Pipelines and
  Jenkins variables when the flags are not given.

exit codes:
${describeExitCodes()}

examples:
  HUM_API_KEY=... hum publish trivy.json --asset shop-web --asset-type container-image \\
      --env prod --gateway https://hum.example.com
  hum publish semgrep.json --asset shop-web --brokers kafka-1:9092,kafka-2:9092
  HUM_API_KEY=... hum publish trivy.json --asset shop-web --env prod \\
      --gateway https://hum.example.com --gate prod`,
};

export type PublishTarget =
  | { kind: 'gateway'; url: URL; apiKeyFile: string | undefined; timeoutMs: number }
  | ({ kind: 'kafka' } & KafkaTarget);

/** `--gate`: after publishing, wait for the classification and ask the promotion gate. */
export interface GateOptions {
  stage: GateStage;
  url: URL;
  timeoutMs: number;
  apiKeyFile: string | undefined;
}

export interface PublishOptions {
  report: string;
  context: ScanContext;
  target: PublishTarget;
  gate: GateOptions | undefined;
  json: boolean;
  verbose: boolean;
}

function gatewayUrl(value: string, origin: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${origin}: expected an http(s) URL, got "${value}"`);
  }
  return url;
}

function durationFlag(line: CommandLine, flag: string): number {
  const value = line.optional(flag);
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1_000 || ms > 3_600_000) {
    throw new UsageError(
      `--${flag}: expected a duration from 1s to 1h (e.g. 90s, 5m), got "${value}"`,
    );
  }
  return ms;
}

function gateOptions(
  line: CommandLine,
  env: CliEnv,
  target: PublishTarget,
): GateOptions | undefined {
  const stage = line.optional('gate');
  if (stage === undefined) {
    refuseFlags(line, ['gate-url', 'gate-timeout'], 'applies with --gate only');
    return undefined;
  }
  if (!(GATE_STAGES as readonly string[]).includes(stage)) {
    throw new UsageError(`--gate: expected one of ${GATE_STAGES.join(', ')}, got "${stage}"`);
  }
  const flag = line.optional('gate-url');
  let url: URL | undefined;
  if (flag !== undefined) url = gatewayUrl(flag, '--gate-url');
  else if (env.HUM_GATE_URL !== undefined) url = gatewayUrl(env.HUM_GATE_URL, 'HUM_GATE_URL');
  else if (target.kind === 'gateway') url = target.url;
  if (url === undefined) {
    throw new UsageError(
      '--gate: where does the gate answer? give --gate-url URL (or HUM_GATE_URL)',
    );
  }
  return {
    stage: stage as GateStage,
    url,
    timeoutMs: durationFlag(line, 'gate-timeout'),
    apiKeyFile: line.optional('api-key-file'),
  };
}

function refuseFlags(line: CommandLine, flags: readonly string[], reason: string): void {
  const given = flags.find((flag) => line.given(flag));
  if (given !== undefined) throw new UsageError(`--${given} ${reason}`);
}

/** Gateway or Kafka: a flag decides, else HUM_GATEWAY_URL, else KAFKA_BROKERS. */
export function publishTarget(line: CommandLine, env: CliEnv): PublishTarget {
  const gateway = line.optional('gateway');
  const brokers = brokersFlag(line);
  if (gateway !== undefined && brokers !== undefined) {
    throw new UsageError('give either --gateway or --brokers, not both');
  }
  const useGateway =
    gateway !== undefined || (brokers === undefined && env.HUM_GATEWAY_URL !== undefined);
  if (useGateway) {
    refuseFlags(line, ['topic-prefix'], 'applies to --brokers only');
    return {
      kind: 'gateway',
      url: gatewayUrl(
        gateway ?? env.HUM_GATEWAY_URL!,
        gateway !== undefined ? '--gateway' : 'HUM_GATEWAY_URL',
      ),
      apiKeyFile: line.optional('api-key-file'),
      timeoutMs: durationFlag(line, 'timeout'),
    };
  }
  const kafkaBrokers = brokers ?? env.KAFKA_BROKERS;
  if (kafkaBrokers === undefined || kafkaBrokers.length === 0) {
    throw new UsageError(
      'where to publish? give --gateway URL (or HUM_GATEWAY_URL) or --brokers LIST (or KAFKA_BROKERS)',
    );
  }
  refuseFlags(line, ['timeout'], 'applies to --gateway only');
  if (line.given('api-key-file') && !line.given('gate')) {
    throw new UsageError('--api-key-file applies to --gateway or --gate only');
  }
  return {
    kind: 'kafka',
    brokers: kafkaBrokers,
    topicPrefix: topicPrefixFlag(line) ?? env.KAFKA_TOPIC_PREFIX,
  };
}

export function publishOptions(
  line: CommandLine,
  env: CliEnv,
  rawEnv: CliIo['env'],
): PublishOptions {
  const target = publishTarget(line, env);
  return {
    report: line.positionals[0]!,
    context: scanContextFrom(line, rawEnv),
    target,
    gate: gateOptions(line, env, target),
    json: line.has('json'),
    verbose: line.has('verbose'),
  };
}

function isLoopback(url: URL): boolean {
  return (
    ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.')
  );
}

export function scansUrl(base: URL, query: Record<string, string>): URL {
  const root = new URL(base);
  if (!root.pathname.endsWith('/')) root.pathname = `${root.pathname}/`;
  const url = new URL('v1/scans', root);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

/** Network failures name the gateway; 69 when it is not there, 75 when it went silent. */
function unreachable(error: unknown, url: URL): unknown {
  const { code, syscall } = error as NodeJS.ErrnoException;
  // Reading the report itself failed: that is no network problem.
  if (
    error instanceof CliError ||
    typeof code !== 'string' ||
    syscall === 'open' ||
    syscall === 'read'
  ) {
    return error;
  }
  const exitCode = code === 'ETIMEDOUT' ? EXIT.temporary : EXIT.unavailable;
  return new CliError(
    exitCode,
    `cannot reach the gateway at ${url.origin}: ${(error as Error).message}`,
    [],
    {
      cause: error,
    },
  );
}

async function viaGateway(
  target: Extract<PublishTarget, { kind: 'gateway' }>,
  file: ReportFile,
  options: PublishOptions,
  env: CliEnv,
  io: CliIo,
): Promise<PublishedScan> {
  const apiKey = await resolveApiKey(target.apiKeyFile, env.HUM_API_KEY);
  if (target.url.protocol === 'http:' && !isLoopback(target.url)) {
    say(
      io,
      'hum publish: warning: the gateway URL is plain http; the API key crosses the network unencrypted',
    );
  }
  const progress = progressFor(io.stderr, io.clock, {
    label: `uploading ${path.basename(file.path)}`,
    total: file.size,
    large: file.size >= PROGRESS_THRESHOLD_BYTES,
  });
  let answer: GatewayAnswer;
  try {
    answer = await uploadReport({
      url: scansUrl(target.url, options.context.query),
      apiKey: apiKey.reveal(),
      file: file.path,
      alreadyGzipped: file.gzipped,
      idleTimeoutMs: target.timeoutMs,
      userAgent: USER_AGENT,
      onBytes: (read) => progress.update(read),
      onSent: () => progress.status('sent; the gateway is publishing the findings'),
    });
  } catch (error) {
    throw unreachable(error, target.url);
  } finally {
    progress.finish();
  }
  return readGatewayAnswer(answer);
}

async function viaKafka(
  target: Extract<PublishTarget, { kind: 'kafka' }>,
  file: ReportFile,
  options: PublishOptions,
  env: CliEnv,
  io: CliIo,
): Promise<PublishedScan> {
  const progress = progressFor(io.stderr, io.clock, {
    label: `publishing ${path.basename(file.path)}`,
    unit: 'findings',
    large: file.size >= PROGRESS_THRESHOLD_BYTES,
  });
  try {
    return await publishToKafka({
      file,
      asset: options.context.asset,
      format: options.context.format,
      settings: kafkaSettingsFor(env, target),
      logger: cliLogger(io, options.verbose),
      clock: io.clock,
      onProgress: (published) => progress.update(published),
    });
  } finally {
    progress.finish();
  }
}

export function describePublished(scan: PublishedScan, via: string): string[] {
  const lines = [
    `published scan ${scan.scanId} via ${via}: ${plural(scan.findings, 'finding')} from ${scan.format} (${severityText(scan.severityCounts)})`,
  ];
  if (scan.duplicates > 0)
    lines.push(`  ${plural(scan.duplicates, 'duplicate')} in the report dropped`);
  if (scan.scopes.length > 1) {
    for (const scope of scan.scopes) {
      lines.push(`  ${scope.tool}: ${plural(scope.findingCount, 'finding')}`);
    }
  }
  return lines;
}

export async function runPublish(
  options: PublishOptions,
  env: CliEnv,
  io: CliIo,
): Promise<ExitCode> {
  const file = await openReportFile(options.report);
  const { target } = options;
  const scan =
    target.kind === 'gateway'
      ? await viaGateway(target, file, options, env, io)
      : await viaKafka(target, file, options, env, io);
  const via = target.kind === 'gateway' ? target.url.origin : 'kafka';
  if (!options.json) await writeOut(io.stdout, `${describePublished(scan, via).join('\n')}\n`);
  const verdict =
    options.gate === undefined
      ? undefined
      : await gateVerdict(options.gate, scan, options, env, io);
  if (options.json) {
    const result = { ...scan, via: target.kind, ...(verdict ? { gate: verdict } : {}) };
    await writeOut(io.stdout, `${JSON.stringify(result)}\n`);
  } else if (verdict) {
    await writeOut(io.stdout, `${describeVerdict(verdict).join('\n')}\n`);
  }
  return verdict === undefined || verdict.pass ? EXIT.ok : EXIT.gateFailed;
}

async function gateVerdict(
  gate: GateOptions,
  scan: PublishedScan,
  options: PublishOptions,
  env: CliEnv,
  io: CliIo,
): Promise<GateVerdict> {
  const apiKey = await resolveApiKey(gate.apiKeyFile, env.HUM_API_KEY);
  const progress = progressFor(io.stderr, io.clock, {
    label: `waiting for the classification of scan ${scan.scanId}`,
    large: true,
  });
  try {
    return await checkPromotionGate({
      url: gate.url,
      stage: gate.stage,
      apiKey: apiKey.reveal(),
      scanId: scan.scanId,
      asset: options.context.asset.id,
      timeoutMs: gate.timeoutMs,
      clock: io.clock,
      userAgent: USER_AGENT,
      onWaiting: (detail) => progress.status(detail),
    });
  } finally {
    progress.finish();
  }
}

export const publishCommand: Command = {
  spec,
  async run(line, io) {
    const env = loadCliEnv(io.env);
    return runPublish(publishOptions(line, env, io.env), env, io);
  },
};
