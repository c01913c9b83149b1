import { parseCommandLine, type CommandLine } from '../../args/command-line';
import { UsageError } from '../../cli-error';
import { loadCliEnv } from '../../cli-env';
import { detectCiContext } from './ci-context';
import { describePublished, publishCommand, publishOptions, scansUrl } from './publish.command';

function line(...argv: string[]): CommandLine {
  const parsed = parseCommandLine(publishCommand.spec, argv);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.line;
}

function options(
  argv: string[],
  env: Record<string, string> = {},
): ReturnType<typeof publishOptions> {
  return publishOptions(line(...argv), loadCliEnv(env), env);
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

describe('hum publish options', () => {
  it('builds the scan context the gateway would build, as query parameters', () => {
    const parsed = options([
      'r.json',
      '--asset',
      'shop-web',
      '--asset-type',
      'container-image',
      '--env',
      'prod',
      '--team',
      'payments',
      '--exposure',
      'internet',
      '--commit',
      'abc1234',
      '--format',
      'trivy-json',
      '--gateway',
      'https://hum.example.com/ingest',
    ]);
    expect(parsed.context.asset).toEqual({
      id: 'shop-web',
      type: 'container-image',
      environment: 'prod',
      team: 'payments',
      exposure: 'internet',
      commit: 'abc1234',
    });
    expect(parsed.context.format).toBe('trivy-json');
    expect(parsed.context.query).toEqual({
      asset: 'shop-web',
      assetType: 'container-image',
      environment: 'prod',
      team: 'payments',
      exposure: 'internet',
      commit: 'abc1234',
      format: 'trivy-json',
    });
  });

  it('names the flag of a bad context value', () => {
    expect(usage(['r.json', '--gateway', 'http://h'])).toContain('--asset is required');
    expect(usage(['r.json', '--asset', 'shop web', '--gateway', 'http://h'])).toMatch(/^--asset: /);
    expect(usage(['r.json', '--asset', 's', '--env', 'production', '--gateway', 'http://h'])).toBe(
      '--env: "production" is not a choice; one of prod, staging, test, dev',
    );
    expect(
      usage(['r.json', '--asset', 's', '--commit', 'not-a-sha', '--gateway', 'http://h']),
    ).toBe('--commit: expected a commit hash');
    expect(
      usage([
        'r.json',
        '--asset',
        's',
        '--repository',
        'git@github.com:o/r',
        '--gateway',
        'http://h',
      ]),
    ).toMatch(/^--repository: /);
  });

  it('publishes through the gateway or Kafka: flags first, then HUM_GATEWAY_URL, then KAFKA_BROKERS', () => {
    const base = ['r.json', '--asset', 'shop'];
    expect(options([...base, '--gateway', 'https://hum.example.com']).target).toMatchObject({
      kind: 'gateway',
      timeoutMs: 300_000,
    });
    expect(
      options([...base, '--brokers', 'k1:9092,k2:9092', '--topic-prefix', 'dev.']).target,
    ).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      topicPrefix: 'dev.',
    });
    const both = { HUM_GATEWAY_URL: 'https://hum.example.com', KAFKA_BROKERS: 'k1:9092' };
    expect(options(base, both).target.kind).toBe('gateway');
    expect(options([...base, '--brokers', 'k9:9092'], both).target).toMatchObject({
      kind: 'kafka',
      brokers: ['k9:9092'],
    });
    expect(options(base, { KAFKA_BROKERS: 'k1:9092', KAFKA_TOPIC_PREFIX: 'p.' }).target).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092'],
      topicPrefix: 'p.',
    });
    expect(usage(base)).toContain('where to publish?');
    expect(usage([...base, '--gateway', 'https://h', '--brokers', 'k:1'])).toBe(
      'give either --gateway or --brokers, not both',
    );
    expect(usage([...base, '--gateway', 'hum.example.com'])).toBe(
      '--gateway: expected an http(s) URL, got "hum.example.com"',
    );
    expect(usage([...base, '--gateway', 'https://h', '--topic-prefix', 'p.'])).toBe(
      '--topic-prefix applies to --brokers only',
    );
    expect(usage([...base, '--brokers', 'k:1', '--api-key-file', 'f'])).toBe(
      '--api-key-file applies to --gateway or --gate only',
    );
    expect(usage([...base, '--brokers', 'k:1', '--gate-url', 'https://g'])).toBe(
      '--gate-url applies with --gate only',
    );
    expect(usage([...base, '--brokers', 'k:1', '--gate', 'prod'])).toBe(
      '--gate: where does the gate answer? give --gate-url URL (or HUM_GATE_URL)',
    );
    expect(
      usage([...base, '--gateway', 'https://h', '--gate', 'prod', '--gate-timeout', '2h']),
    ).toContain('--gate-timeout: expected a duration from 1s to 1h');
    expect(usage([...base, '--gateway', 'https://h', '--timeout', '5 years'])).toContain(
      '--timeout: expected a duration',
    );
    expect(options([...base, '--gateway', 'https://h', '--timeout', '90s']).target).toMatchObject({
      timeoutMs: 90_000,
    });
  });

  it('joins the scans endpoint onto a gateway base URL with or without a path', () => {
    const query = { asset: 'shop web', environment: 'prod' };
    expect(scansUrl(new URL('https://hum.example.com'), query).toString()).toBe(
      'https://hum.example.com/v1/scans?asset=shop+web&environment=prod',
    );
    expect(scansUrl(new URL('https://example.com/hum'), {}).toString()).toBe(
      'https://example.com/hum/v1/scans',
    );
    expect(scansUrl(new URL('https://example.com/hum/'), {}).toString()).toBe(
      'https://example.com/hum/v1/scans',
    );
  });

  it('describes the receipt in one line, per tool when a report holds several', () => {
    const scan = {
      scanId: 'f3b1c0de-0000-4000-8000-000000000001',
      format: 'sarif' as const,
      findings: 3,
      duplicates: 1,
      severityCounts: { critical: 0, high: 2, medium: 1, low: 0, info: 0, unknown: 0 },
      scopes: [
        { assetId: 'shop', tool: 'CodeQL', findingCount: 2 },
        { assetId: 'shop', tool: 'Semgrep', findingCount: 1 },
      ],
    };
    expect(describePublished(scan, 'https://hum.example.com')).toEqual([
      'published scan f3b1c0de-0000-4000-8000-000000000001 via https://hum.example.com: 3 findings from sarif (critical 0, high 2, medium 1, low 0)',
      '  1 duplicate in the report dropped',
      '  CodeQL: 2 findings',
      '  Semgrep: 1 finding',
    ]);
  });
});

describe('detectCiContext', () => {
  it('reads GitHub Actions, GitLab CI, Azure Pipelines and Jenkins variables', () => {
    expect(
      detectCiContext({
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '42',
      }),
    ).toEqual({
      commit: 'a'.repeat(40),
      repository: 'https://github.com/acme/shop',
      pipelineRun: 'https://github.com/acme/shop/actions/runs/42',
    });
    expect(
      detectCiContext({
        GITLAB_CI: 'true',
        CI_COMMIT_SHA: 'b'.repeat(40),
        CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
        CI_PIPELINE_URL: 'https://gitlab.example.com/acme/shop/-/pipelines/7',
      }),
    ).toEqual({
      commit: 'b'.repeat(40),
      repository: 'https://gitlab.example.com/acme/shop',
      pipelineRun: 'https://gitlab.example.com/acme/shop/-/pipelines/7',
    });
    expect(
      detectCiContext({
        TF_BUILD: 'True',
        BUILD_SOURCEVERSION: 'c'.repeat(40),
        BUILD_REPOSITORY_URI: 'https://dev.azure.com/acme/shop/_git/shop',
        SYSTEM_COLLECTIONURI: 'https://dev.azure.com/acme/',
        SYSTEM_TEAMPROJECT: 'shop',
        BUILD_BUILDID: '9',
      }),
    ).toEqual({
      commit: 'c'.repeat(40),
      repository: 'https://dev.azure.com/acme/shop/_git/shop',
      pipelineRun: 'https://dev.azure.com/acme/shop/_build/results?buildId=9',
    });
  });

  it('drops what the contract would refuse instead of failing a flag nobody gave', () => {
    expect(
      detectCiContext({
        JENKINS_URL: 'https://ci.example.com/',
        GIT_COMMIT: 'd'.repeat(40),
        GIT_URL: 'git@github.com:acme/shop.git',
        BUILD_URL: 'https://ci.example.com/job/shop/12/',
      }),
    ).toEqual({ commit: 'd'.repeat(40), pipelineRun: 'https://ci.example.com/job/shop/12/' });
    expect(detectCiContext({})).toEqual({});
  });

  it('is used by publish when the flags are absent; flags win', () => {
    const env = {
      GITLAB_CI: 'true',
      CI_COMMIT_SHA: 'e'.repeat(40),
      CI_PROJECT_URL: 'https://gitlab.example.com/a/b',
    };
    expect(
      options(['r.json', '--asset', 's', '--gateway', 'https://h'], env).context.asset,
    ).toMatchObject({
      commit: 'e'.repeat(40),
      repository: 'https://gitlab.example.com/a/b',
    });
    expect(
      options(['r.json', '--asset', 's', '--gateway', 'https://h', '--commit', 'f00dbabe'], env)
        .context.asset.commit,
    ).toBe('f00dbabe');
  });
});
