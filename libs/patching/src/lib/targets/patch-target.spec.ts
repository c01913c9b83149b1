import { EXAMPLE_FINDING, type FindingV1 } from '@hum/contracts';
import type { FixVersion } from '@hum/policy';
import { ConfigFileError } from '@hum/config';
import { credentialVariables, parsePatchingConfig } from '../config/patching-config';
import { selectPatchTarget } from './patch-target';

const CONFIG = `# hum auto-patcher: where patches go
version: 1
github:
  - name: github-com
    apiUrl: https://api.github.com
    webUrl: https://github.com
    token: GITHUB_TOKEN
    owners: [bank, bank-*]
gitlab:
  - name: gitlab
    apiUrl: https://gitlab.example.test/api/v4
    webUrl: https://gitlab.example.test
    token: GITLAB_TOKEN
    groups: [platform/*]
awx:
  - name: awx
    url: https://awx.example.test
    token: AWX_TOKEN
    jobTemplate: Patch OS packages
webhook:
  - name: executor
    url: https://patch-executor.internal.example.test/v1/patches
    secret: PATCH_EXECUTOR_SECRET
rules:
  - name: code on GitHub
    when: { kinds: [vulnerability], assetTypes: [repository], assets: ['github.com/*'] }
    use: github-pr
    target: github-com
  - when: { assetTypes: [repository] }
    use: gitlab-mr
    target: gitlab
  - when: { assetTypes: [host], ecosystems: [deb, rpm, apk] }
    use: awx-job
    target: awx
  - when: { assetTypes: [container-image] }
    use: webhook
    target: executor
`;

const config = parsePatchingConfig(CONFIG, 'patcher.yaml');
const npmFix: FixVersion = {
  component: 'lodash',
  ecosystem: 'npm',
  fromVersion: '4.17.15',
  toVersion: '4.17.21',
};

function finding(asset: Partial<FindingV1['asset']>): FindingV1 {
  return {
    ...EXAMPLE_FINDING,
    asset: { ...EXAMPLE_FINDING.asset, repository: undefined, ...asset },
  };
}

describe('patcher configuration', () => {
  it('reads hosts and rules, and names the credential variables', () => {
    expect(config.rules).toHaveLength(4);
    expect(config.github[0]).toMatchObject({
      labels: ['security', 'hum-autopatch'],
      lockfile: 'note',
      autoMerge: { enabled: false },
    });
    expect(config.awx[0]).toMatchObject({ pollInterval: 10_000, timeout: 3_600_000 });
    expect(credentialVariables(config)).toEqual([
      'GITHUB_TOKEN',
      'GITLAB_TOKEN',
      'AWX_TOKEN',
      'PATCH_EXECUTOR_SECRET',
    ]);
  });

  it('names line, column and field of every mistake, unknown keys and dangling targets included', () => {
    const broken = CONFIG.replace('target: gitlab\n', 'target: gitlab-eu\n')
      .replace('    owners: [bank, bank-*]\n', '    owner: bank\n')
      .replace('apiUrl: https://api.github.com', 'apiUrl: file:///etc/passwd');
    let error: unknown;
    try {
      parsePatchingConfig(broken, 'patcher.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    const message = (error as Error).message;
    expect(message).toContain('patcher.yaml is invalid (3 problems)');
    expect(message).toMatch(/line 5, column 13, field github\[0\]\.apiUrl/);
    expect(message).toMatch(/line 8, column 5, field github\[0\]\.owner: unknown field "owner"/);
    expect(message).toMatch(/field rules\[1\]\.target: no gitlab host named "gitlab-eu"/);
  });
});

describe('selectPatchTarget (no SSRF from finding data)', () => {
  it('routes by kind, asset type and ecosystem to a configured host', () => {
    expect(
      selectPatchTarget(
        config,
        finding({ id: 'github.com/bank/payments-api', type: 'repository' }),
        npmFix,
      ),
    ).toMatchObject({
      ok: true,
      rule: { name: 'code on GitHub' },
      target: {
        strategy: 'github-pr',
        host: 'github-com',
        owner: 'bank',
        repo: 'payments-api',
        repositoryUrl: 'https://github.com/bank/payments-api',
      },
    });
    expect(
      selectPatchTarget(
        config,
        finding({
          id: 'ledger',
          type: 'repository',
          repository: 'https://gitlab.example.test/platform/payments/ledger.git',
        }),
        npmFix,
      ),
    ).toMatchObject({
      ok: true,
      target: { strategy: 'gitlab-mr', project: 'platform/payments/ledger' },
    });
    expect(
      selectPatchTarget(config, finding({ id: 'db-01.prod', type: 'host' }), {
        ...npmFix,
        ecosystem: 'deb',
      }),
    ).toMatchObject({
      ok: true,
      target: { strategy: 'awx-job', host: 'awx', limit: 'db-01.prod' },
    });
    expect(
      selectPatchTarget(config, finding({ id: 'registry/app', type: 'container-image' }), npmFix),
    ).toMatchObject({
      ok: true,
      target: { strategy: 'webhook', host: 'executor' },
    });
  });

  it('refuses repository URLs that leave the configured host, owners or groups', () => {
    const refusals = [
      'https://evil.example.test/bank/payments-api',
      'https://github.com.evil.example.test/bank/payments-api',
      'https://github.com@evil.example.test/bank/payments-api',
      'https://x:y@github.com/bank/payments-api',
      'http://github.com/bank/payments-api',
      'https://github.com/bank/payments-api/../../../orgs/other',
      'https://github.com/bank/payments-api?ref=main',
      'https://github.com/mallory/payments-api',
      'https://github.com/bank',
      'https://github.com/bank/%2e%2e',
    ];
    for (const repository of refusals) {
      const choice = selectPatchTarget(
        config,
        finding({ id: 'github.com/bank/payments-api', type: 'repository', repository }),
        npmFix,
      );
      expect({ repository, choice }).toMatchObject({
        repository,
        choice: { ok: false, reason: 'target-not-allowed' },
      });
    }
    expect(
      selectPatchTarget(
        config,
        finding({
          id: 'svc',
          type: 'repository',
          repository: 'https://gitlab.example.test/personal/me/repo',
        }),
        npmFix,
      ),
    ).toMatchObject({
      ok: false,
      reason: 'target-not-allowed',
      detail: expect.stringContaining('group personal/me'),
    });
    expect(
      selectPatchTarget(
        config,
        finding({
          id: 'svc',
          type: 'repository',
          repository: 'https://gitlab.example.test/platform/-/snippets',
        }),
        npmFix,
      ),
    ).toMatchObject({ ok: false, reason: 'target-not-allowed' });
  });

  it('refuses host names that are not inventory names, and findings no rule covers', () => {
    expect(
      selectPatchTarget(config, finding({ id: 'db 01;rm -rf', type: 'host' }), {
        ...npmFix,
        ecosystem: 'rpm',
      }),
    ).toMatchObject({ ok: false, reason: 'target-not-allowed' });
    expect(
      selectPatchTarget(config, finding({ id: 'acct', type: 'cloud-account' }), npmFix),
    ).toMatchObject({
      ok: false,
      reason: 'no-strategy',
    });
    expect(
      selectPatchTarget(config, finding({ id: 'github.com/bank/x', type: 'repository' }), {
        ...npmFix,
        ecosystem: 'cargo',
      }),
    ).toMatchObject({
      ok: false,
      reason: 'no-strategy',
      detail: 'github-pr cannot edit cargo manifests',
    });
  });
});
