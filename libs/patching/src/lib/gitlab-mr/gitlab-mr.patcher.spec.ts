import { RetryableError } from '@hum/common';
import { Secret } from '@hum/config';
import { type FakeGitLab, startFakeGitLab } from '@hum/testing';
import { instantContext, patchRequest } from '../../../test-fixtures/patch-request';
import { parsePatchingConfig } from '../config/patching-config';
import { patchBranchName } from '../explanation';
import { ApiError } from '../http/rest-client';
import { GitLabMrPatcher } from './gitlab-mr.patcher';

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
    <modelVersion>4.0.0</modelVersion>
    <groupId>com.example</groupId>
    <artifactId>ledger</artifactId>
    <version>1.0.0</version>
    <properties>
        <log4j2.version>2.14.1</log4j2.version>
    </properties>
    <dependencies>
        <dependency>
            <groupId>org.apache.logging.log4j</groupId>
            <artifactId>log4j-core</artifactId>
            <version>\${log4j2.version}</version>
        </dependency>
    </dependencies>
</project>
`;

const PROJECT = 'platform/payments/ledger';
const ID = encodeURIComponent(PROJECT);
const READ_ONLY_TOKEN = 'glpat-read-only-000000';

describe('gitlab-mr patcher (against the fake GitLab)', () => {
  let gitlab: FakeGitLab;
  /** The fake's clock: rate-limit windows move only when the client waits. */
  let now: number;

  beforeEach(async () => {
    now = Date.now();
    gitlab = await startFakeGitLab({
      clock: { now: () => new Date(now) },
      tokens: [
        { username: 'hum-bot' },
        { username: 'auditor', token: READ_ONLY_TOKEN, scopes: ['read_api'] },
      ],
      projects: [{ path: PROJECT, files: { 'pom.xml': POM }, pipeline: 'success' }],
    });
  });

  afterEach(async () => {
    expect(gitlab.internalErrors).toEqual([]);
    await gitlab.close();
  });

  const patcher = (
    extra = '',
    options: { token?: string; sleeper?: (ms: number) => Promise<void> } = {},
  ): GitLabMrPatcher =>
    new GitLabMrPatcher({
      host: parsePatchingConfig(
        `version: 1\ngitlab:\n  - name: gitlab\n    apiUrl: ${gitlab.apiUrl}\n    webUrl: https://gitlab.example.test\n    token: GITLAB_TOKEN\n${extra}`,
      ).gitlab[0]!,
      token: new Secret(options.token ?? gitlab.botToken),
      client: { sleeper: options.sleeper ?? (() => Promise.resolve()) },
    });

  const request = (toVersion = '2.17.1') =>
    patchRequest({
      component: {
        name: 'org.apache.logging.log4j:log4j-core',
        version: '2.14.1',
        ecosystem: 'maven',
        fixedVersions: [toVersion],
        path: 'pom.xml',
      },
      target: {
        strategy: 'gitlab-mr',
        host: 'gitlab',
        project: PROJECT,
        repositoryUrl: `https://gitlab.example.test/${PROJECT}`,
      },
    });

  const maven = (r: ReturnType<typeof request>) => ({
    ...r,
    fix: { ...r.fix, ecosystem: 'maven' as const },
  });

  it('opens one merge request editing the properties-based version, with labels', async () => {
    const r = maven(request());
    const outcome = await patcher().apply(r, instantContext());
    expect(outcome).toEqual({
      status: 'applied',
      url: `${gitlab.url}/${PROJECT}/-/merge_requests/1`,
      detail: 'merge request opened',
    });
    const [mr] = gitlab.mergeRequests(PROJECT);
    expect(mr).toMatchObject({
      sourceBranch: patchBranchName(r),
      targetBranch: 'main',
      labels: ['security', 'hum-autopatch', 'hum-tier-low'],
      author: 'hum-bot',
    });
    expect(mr!.description).toContain('property log4j2.version 2.14.1 -> 2.17.1');
    expect(gitlab.file(PROJECT, mr!.sourceBranch, 'pom.xml')).toContain(
      '<log4j2.version>2.17.1</log4j2.version>',
    );
    // Idempotent.
    expect(await patcher().apply(r, instantContext())).toMatchObject({
      status: 'applied',
      url: mr!.url,
    });
    expect(gitlab.mergeRequests(PROJECT)).toHaveLength(1);
  });

  it('merges when the pipeline passes, and reports a failed pipeline', async () => {
    const auto = '    autoMerge: { enabled: true, pollInterval: 5s }\n';
    expect(await patcher(auto).apply(maven(request()), instantContext())).toMatchObject({
      status: 'applied',
      detail: 'merge request merged after checks passed',
    });
    expect(gitlab.file(PROJECT, 'main', 'pom.xml')).toContain(
      '<log4j2.version>2.17.1</log4j2.version>',
    );

    gitlab.setPipelineResult(PROJECT, 'failed');
    gitlab.pushCommit(PROJECT, { 'pom.xml': POM });
    expect(await patcher(auto).apply(maven(request('2.17.2')), instantContext())).toMatchObject({
      status: 'failed',
      reason: 'checks-failed',
      detail: 'pipeline failed',
    });
  });

  it('reports a conflict with the target branch', async () => {
    gitlab.setPipelineResult(PROJECT, 'running');
    const r = maven(request());
    const context = instantContext();
    const outcome = await patcher('    autoMerge: { enabled: true, pollInterval: 5s }\n').apply(r, {
      ...context,
      sleep: async (ms) => {
        gitlab.pushCommit(PROJECT, { 'pom.xml': POM.replace('2.14.1', '2.16.0') });
        gitlab.finishPipeline(PROJECT, patchBranchName(r), 'success');
        await context.sleep(ms);
      },
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'merge-conflict' });
  });

  it('picks up a branch pushed before a crash and opens its merge request', async () => {
    const r = maven(request());
    gitlab.inject({
      kind: 'status',
      status: 503,
      match: {
        method: 'POST',
        path: `/api/v4/projects/${encodeURIComponent(PROJECT)}/merge_requests`,
      },
    });
    await expect(patcher().apply(r, instantContext())).rejects.toBeInstanceOf(RetryableError);
    expect(gitlab.branches(PROJECT)[patchBranchName(r)]).toBeDefined();
    expect(await patcher().apply(r, instantContext())).toMatchObject({ status: 'applied' });
    expect(gitlab.mergeRequests(PROJECT)).toHaveLength(1);
    expect(
      gitlab.requests({
        method: 'POST',
        path: `/api/v4/projects/${encodeURIComponent(PROJECT)}/repository/commits`,
      }),
    ).toHaveLength(1);
  });

  it('creates nothing with a token GitLab refuses (401) or one that may only read (403)', async () => {
    const r = maven(request());
    const revoked = await patcher('', { token: 'glpat-revoked-0000000' })
      .apply(r, instantContext())
      .catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(ApiError);
    expect(revoked).toMatchObject({ status: 401, apiMessage: '401 Unauthorized' });
    // The first read was refused: nothing further was tried.
    expect(gitlab.requests().map((q) => q.status)).toEqual([401]);

    const readOnly = await patcher('', { token: READ_ONLY_TOKEN })
      .apply(r, instantContext())
      .catch((e: unknown) => e);
    expect(readOnly).toBeInstanceOf(ApiError);
    expect(readOnly).toMatchObject({
      status: 403,
      apiMessage: expect.stringContaining('insufficient_scope'),
    });
    expect(gitlab.requests({ method: 'POST' }).map((q) => q.status)).toEqual([403]);
    expect(Object.keys(gitlab.branches(PROJECT))).toEqual(['main']);
    expect(gitlab.mergeRequests(PROJECT)).toEqual([]);
  });

  it('waits out a throttled read for its Retry-After, and never repeats a throttled write', async () => {
    const waits: number[] = [];
    const sleeper = (ms: number): Promise<void> => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    };
    const r = maven(request());
    gitlab.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 2,
      times: 2,
      match: { method: 'GET', path: `/api/v4/projects/${ID}` },
    });
    gitlab.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 30,
      match: { method: 'POST', path: `/api/v4/projects/${ID}/repository/commits` },
    });
    const throttled = await patcher('', { sleeper })
      .apply(r, instantContext())
      .catch((e: unknown) => e);
    expect(waits).toEqual([2_000, 2_000]);
    // The write is handed back to the executor to reschedule after GitLab's Retry-After.
    expect(throttled).toBeInstanceOf(RetryableError);
    expect((throttled as RetryableError).retryAfterMs).toBe(30_000);
    expect(gitlab.branches(PROJECT)[patchBranchName(r)]).toBeUndefined();

    expect(await patcher('', { sleeper }).apply(r, instantContext())).toMatchObject({
      status: 'applied',
    });
    const commits = gitlab.requests({
      method: 'POST',
      path: `/api/v4/projects/${ID}/repository/commits`,
    });
    expect(commits.map((q) => q.status)).toEqual([429, 201]);
    expect(gitlab.mergeRequests(PROJECT)).toHaveLength(1);
  });

  it('hands a long Rack::Attack throttle back as retryable, with its wait', async () => {
    // One request per 100 s: the second read is throttled for longer than the client waits inline.
    gitlab.inject({ kind: 'rateLimit', requestsPerSecond: 0.01, burst: 1 });
    const error = await patcher()
      .apply(maven(request()), instantContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(100_000);
    expect(gitlab.requests().map((q) => q.outcome)).toEqual(['handled', 'rate-limited']);
  });

  it('finds a merge request created when the answer was lost, instead of opening another', async () => {
    const r = maven(request());
    gitlab.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: `/api/v4/projects/${ID}/merge_requests` },
    });
    await expect(patcher().apply(r, instantContext())).rejects.toBeInstanceOf(RetryableError);
    expect(gitlab.mergeRequests(PROJECT)).toHaveLength(1);
    const outcome = await patcher().apply(r, instantContext());
    expect(outcome).toMatchObject({
      status: 'applied',
      url: `${gitlab.url}/${PROJECT}/-/merge_requests/1`,
    });
    expect(gitlab.mergeRequests(PROJECT)).toHaveLength(1);
    expect(
      gitlab.requests({ method: 'POST', path: `/api/v4/projects/${ID}/merge_requests` }),
    ).toHaveLength(1);
  });

  it('finds what an earlier attempt left without creating anything (lookup)', async () => {
    const r = maven(request());
    expect(await patcher().lookup(r)).toBeUndefined();
    await patcher().apply(r, instantContext());
    const writes = gitlab.requests({ method: 'POST' }).length;
    expect(await patcher().lookup(r)).toMatchObject({
      status: 'applied',
      url: `${gitlab.url}/${PROJECT}/-/merge_requests/1`,
      detail: 'merge request open (found after an interruption)',
    });
    expect(gitlab.requests({ method: 'POST' })).toHaveLength(writes);
    expect(gitlab.requests({ method: 'PUT' })).toEqual([]);
  });
});
