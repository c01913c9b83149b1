import { EXAMPLE_CLASSIFIED, EXAMPLE_REMEDIATION } from '@hum/contracts';
import {
  type GroupView,
  groupDocument,
  groupSummary,
  highestTier,
  memberSummary,
  remediationDocument,
  remediationSummary,
} from './group-content';
import { plainTextRenderer } from './render';

describe('group ticket content', () => {
  const lead = memberSummary(EXAMPLE_CLASSIFIED);
  const second = {
    ...lead,
    fingerprint: 'f'.repeat(64),
    tier: 'medium' as const,
    score: 41,
    title: 'CVE-2021-44228 in log4j-api',
    component: { name: 'org.apache.logging.log4j:log4j-api', version: '2.14.1', fixedVersions: [] },
  };
  const view: GroupView = {
    groupKey: 'asset-vuln:payments-api:CVE-2021-44228',
    tier: 'critical',
    dueDate: '2026-11-27',
    slaDays: 7,
    asset: {
      id: 'payments-api',
      environment: 'prod',
      team: 'payments',
      repository: 'https://git.example.com/p',
    },
    members: [{ ...second }, lead, { ...second, fingerprint: 'e'.repeat(64), state: 'resolved' }],
  };

  it('summarises the most severe open finding and how many more there are', () => {
    expect(groupSummary(view)).toBe(
      '[hum] CRITICAL CVE-2021-44228: CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 in payments-api (+1 more)',
    );
  });

  it('lists findings with tier, fix versions and location, explains the tier, states the SLA', () => {
    const text = plainTextRenderer.render(groupDocument(view));
    expect(text).toContain(
      'hum found 2 open findings in payments-api (prod, team payments). Risk tier: CRITICAL. Due 2026-11-27 (SLA 7 days for critical).',
    );
    expect(text).toContain(
      '[CRITICAL] CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 — org.apache.logging.log4j:log4j-core@2.14.1 fixed in 2.15.0',
    );
    expect(text).toContain('(no fix version published)');
    expect(text).toContain('— resolved');
    expect(text).toMatch(/kev: true \(\+30\.0\)/);
    expect(text).toContain('FINDINGS (2 OPEN, 1 RESOLVED)');
    // The open critical finding comes first, resolved ones last.
    expect(text.indexOf('[CRITICAL]')).toBeLessThan(text.indexOf('[MEDIUM]'));
  });

  it('picks the highest tier', () => {
    expect(highestTier(['low', 'critical', 'medium'])).toBe('critical');
    expect(highestTier([])).toBe('info');
  });

  it('describes a failed auto-patch for the deployment team', () => {
    const event = {
      ...EXAMPLE_REMEDIATION,
      status: 'failed' as const,
      reasons: ['tests-failed'],
      detail: 'CI failed',
    };
    expect(remediationSummary(event)).toMatch(/^\[hum\] Auto-patch failed: /);
    const text = plainTextRenderer.render(remediationDocument(event));
    expect(text).toContain('Change: org.apache.logging.log4j:log4j-core 2.14.1 → 2.15.0');
    expect(text).toContain('Reasons: tests-failed');
    expect(text).toContain('CI failed');
  });
});
