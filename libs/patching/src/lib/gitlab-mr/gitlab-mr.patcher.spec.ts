import { RetryableError } from '@hum/common';
import { Secret } from '@hum/config';
import { type FakeGitLab, startFakeGitLab } from '@hum/testing';
import { instantContext, patchRequest } from '../../../test-fixtures/patch-request';
import { parsePatchingConfig } from '../config/patching-config';
import { patchBranchName } from '../explanation';
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

describe('gitlab-mr patcher (against the fake GitLab)', () => {
  let gitlab: FakeGitLab;

  beforeEach(async () => {
    gitlab = await startFakeGitLab({
      projects: [{ path: PROJECT, files: { 'pom.xml': POM }, pipeline: 'success' }],
    });
  });

  afterEach(async () => {
    expect(gitlab.internalErrors).toEqual([]);
    await gitlab.close();
  });

  const patcher = (extra = ''): GitLabMrPatcher =>
    new GitLabMrPatcher({
      host: parsePatchingConfig(
        `version: 1\ngitlab:\n  - name: gitlab\n    apiUrl: ${gitlab.apiUrl}\n    webUrl: https://gitlab.example.test\n    token: GITLAB_TOKEN\n${extra}`,
      ).gitlab[0]!,
      token: new Secret(gitlab.botToken),
      client: { sleeper: () => Promise.resolve() },
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
});
