import { RetryableError } from '@hum/common';
import { Secret } from '@hum/config';
import { type FakeGitHub, startFakeGitHub } from '@hum/testing';
import { instantContext, patchRequest } from '../../../test-fixtures/patch-request';
import { type GitHubHostConfig, parsePatchingConfig } from '../config/patching-config';
import { patchBranchName } from '../explanation';
import { ApiError } from '../http/rest-client';
import { GitHubPrPatcher } from './github-pr.patcher';

const PACKAGE_JSON =
  '{\n  "name": "payments-api",\n  "dependencies": {\n    "express": "^4.17.1",\n    "lodash": "^4.17.15"\n  }\n}\n';
const LOCK = JSON.stringify(
  {
    name: 'payments-api',
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { express: '^4.17.1', lodash: '^4.17.15' } },
      'node_modules/lodash': {
        version: '4.17.15',
        resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz',
        integrity: 'sha512-x',
      },
    },
  },
  null,
  2,
);

function hostConfig(url: string, overrides = ''): GitHubHostConfig {
  return parsePatchingConfig(
    `version: 1
github:
  - name: github
    apiUrl: ${url}
    webUrl: https://github.example.test
    token: GITHUB_TOKEN
${overrides}`,
  ).github[0]!;
}

describe('github-pr patcher (against the fake GitHub)', () => {
  let github: FakeGitHub;

  beforeEach(async () => {
    github = await startFakeGitHub({
      repositories: [
        {
          owner: 'bank',
          name: 'payments-api',
          files: {
            'package.json': PACKAGE_JSON,
            'package-lock.json': LOCK,
            'README.md': '# payments\n',
          },
          requiredChecks: ['ci/test'],
          ci: { checks: ['ci/test'], result: 'success' },
        },
      ],
    });
  });

  afterEach(async () => {
    expect(github.internalErrors).toEqual([]);
    await github.close();
  });

  const patcher = (overrides = '', token = github.botToken): GitHubPrPatcher =>
    new GitHubPrPatcher({
      host: hostConfig(github.url, overrides),
      token: new Secret(token),
      client: { sleeper: () => Promise.resolve() },
    });

  it('opens one pull request with the edit, the explanation and labels', async () => {
    const request = patchRequest();
    const outcome = await patcher().apply(request, instantContext());
    expect(outcome).toEqual({
      status: 'applied',
      url: `${github.url}/bank/payments-api/pull/1`,
      detail: 'pull request opened',
    });
    const [pull] = github.pulls('bank', 'payments-api');
    expect(pull).toMatchObject({
      title: 'Bump lodash from 4.17.15 to 4.17.21 (CVE-2021-23337)',
      head: patchBranchName(request),
      base: 'main',
      labels: ['security', 'hum-autopatch', 'hum-tier-low'],
      createdBy: 'hum-bot',
    });
    expect(pull!.body).toContain('**low**-tier finding (risk score 31.5)');
    expect(pull!.body).toContain('| cvss |');
    expect(pull!.body).toContain('package-lock.json still pins lodash@4.17.15');
    expect(github.file('bank', 'payments-api', pull!.head, 'package.json')).toContain(
      '"lodash": "^4.17.21"',
    );
    // lockfile policy `note`: the lockfile is left alone.
    expect(github.file('bank', 'payments-api', pull!.head, 'package-lock.json')).toBe(LOCK);
    expect(github.commitsAhead('bank', 'payments-api', pull!.head)).toBe(1);
  });

  it('edits the lockfile in the same commit when configured to', async () => {
    const request = patchRequest();
    await patcher('    lockfile: edit\n').apply(request, instantContext());
    const lock = JSON.parse(
      github.file('bank', 'payments-api', patchBranchName(request), 'package-lock.json')!,
    );
    expect(lock.packages['node_modules/lodash']).toEqual({
      version: '4.17.21',
      resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
    });
    expect(github.commitsAhead('bank', 'payments-api', patchBranchName(request))).toBe(1);
  });

  it('is idempotent: a second apply finds the pull request and creates nothing', async () => {
    const request = patchRequest();
    const first = await patcher().apply(request, instantContext());
    const creations = (): number =>
      github.requests({ method: 'POST' }).filter((r) => !r.path.endsWith('/labels')).length;
    const before = creations();
    const second = await patcher().apply(request, instantContext());
    expect(second).toMatchObject({ status: 'applied', url: (first as { url: string }).url });
    expect(creations()).toBe(before);
    expect(github.pulls('bank', 'payments-api')).toHaveLength(1);
  });

  it('recovers from a crash between pushing the branch and opening the pull request', async () => {
    const request = patchRequest();
    github.inject({
      kind: 'status',
      status: 502,
      match: { method: 'POST', path: '/repos/bank/payments-api/pulls' },
    });
    await expect(patcher().apply(request, instantContext())).rejects.toBeInstanceOf(RetryableError);
    expect(github.branches('bank', 'payments-api')[patchBranchName(request)]).toBeDefined();
    const outcome = await patcher().apply(request, instantContext());
    expect(outcome.status).toBe('applied');
    expect(github.pulls('bank', 'payments-api')).toHaveLength(1);
    expect(github.commitsAhead('bank', 'payments-api', patchBranchName(request))).toBe(1);
  });

  it('recovers when the pull request was created but the response was lost', async () => {
    const request = patchRequest();
    github.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: '/repos/bank/payments-api/pulls' },
    });
    await expect(patcher().apply(request, instantContext())).rejects.toBeInstanceOf(RetryableError);
    expect(github.pulls('bank', 'payments-api')).toHaveLength(1);
    const outcome = await patcher().apply(request, instantContext());
    expect(outcome).toMatchObject({
      status: 'applied',
      url: `${github.url}/bank/payments-api/pull/1`,
    });
    expect(github.pulls('bank', 'payments-api')).toHaveLength(1);
  });

  it('merges once the required checks pass, with auto-merge on', async () => {
    const outcome = await patcher('    autoMerge: { enabled: true, pollInterval: 1s }\n').apply(
      patchRequest(),
      instantContext(),
    );
    expect(outcome).toMatchObject({
      status: 'applied',
      detail: 'pull request merged after checks passed',
    });
    expect(github.file('bank', 'payments-api', 'main', 'package.json')).toContain('^4.17.21');
  });

  it('reports failed checks, a merge conflict and a checks timeout as failures', async () => {
    const auto = '    autoMerge: { enabled: true, pollInterval: 10s, checksTimeout: 1m }\n';
    github.setCi('bank', 'payments-api', { checks: ['ci/test'], result: 'failure' });
    expect(await patcher(auto).apply(patchRequest(), instantContext())).toMatchObject({
      status: 'failed',
      reason: 'checks-failed',
      detail: 'checks failed: ci/test',
    });

    github.setCi('bank', 'payments-api', { checks: ['ci/test'], result: 'success' });
    const conflicting = patchRequest({
      component: { name: 'express', version: '4.17.1', fixedVersions: ['4.17.3'] },
    });
    // Someone changes package.json on main after the bot branched: a real conflict.
    const context = instantContext();
    const racing = patcher('    autoMerge: { enabled: true, pollInterval: 10s }\n');
    github.setCi('bank', 'payments-api', { checks: ['ci/test'], result: 'pending' });
    const pending = racing.apply(conflicting, {
      ...context,
      sleep: async (ms) => {
        github.pushCommit('bank', 'payments-api', {
          'package.json': PACKAGE_JSON.replace('4.17.1', '4.18.0'),
        });
        github.completeCheck(
          'bank',
          'payments-api',
          patchBranchName(conflicting),
          'ci/test',
          'success',
        );
        await context.sleep(ms);
      },
    });
    expect(await pending).toMatchObject({ status: 'failed', reason: 'merge-conflict' });

    const slow = patchRequest({
      component: { name: 'lodash', version: '4.17.15', fixedVersions: ['4.17.20'] },
    });
    const clock = instantContext();
    expect(await patcher(auto).apply(slow, clock)).toMatchObject({
      status: 'failed',
      reason: 'timeout',
    });
    expect(clock.elapsedMs()).toBeGreaterThanOrEqual(60_000);
  });

  it('fails without side effects when the manifest does not declare the component', async () => {
    const outcome = await patcher().apply(
      patchRequest({
        component: {
          name: 'left-pad',
          version: '1.0.0',
          fixedVersions: ['1.3.0'],
          path: 'web/package-lock.json',
        },
      }),
      instantContext(),
    );
    expect(outcome).toMatchObject({ status: 'failed', reason: 'manifest-not-found' });
    expect(github.requests({ method: 'POST' })).toEqual([]);
  });

  it('retries reads through a secondary rate limit and throws retryable when it persists', async () => {
    github.inject({
      kind: 'status',
      status: 403,
      retryAfterSeconds: 1,
      times: 1,
      match: { method: 'GET', path: '/repos/bank/payments-api' },
    });
    expect((await patcher().apply(patchRequest(), instantContext())).status).toBe('applied');
    github.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 120,
      match: { method: 'GET', path: '/repos/bank/payments-api/pulls' },
    });
    const error = await patcher()
      .apply(
        patchRequest({
          component: { name: 'express', version: '4.17.1', fixedVersions: ['4.17.3'] },
        }),
        instantContext(),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(120_000);
  });

  it('creates nothing with a token GitHub refuses (401 Bad credentials)', async () => {
    const error = await patcher('', 'ghp_revoked000000000000')
      .apply(patchRequest(), instantContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, apiMessage: 'Bad credentials' });
    expect(github.requests().map((r) => r.status)).toEqual([401]);
    expect(github.pulls('bank', 'payments-api')).toEqual([]);
  });

  it('finds what an earlier attempt left without creating anything (lookup)', async () => {
    const request = patchRequest();
    expect(await patcher().lookup(request)).toBeUndefined();
    await patcher().apply(request, instantContext());
    expect(await patcher().lookup(request)).toMatchObject({
      status: 'applied',
      url: `${github.url}/bank/payments-api/pull/1`,
    });
  });
});
