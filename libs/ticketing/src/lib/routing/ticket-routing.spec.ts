import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigFileError } from '@hum/config';
import { EXAMPLE_FINDING } from '@hum/contracts';
import { groupKeyOf, remediationGroupKey } from './grouping';
import { TicketRouting } from './ticket-routing';

const FILE = `
tickets:
  tiers: [critical, high, medium]
  grouping: asset-component
routes:
  - name: payments-secrets
    match: { teams: [Payments], kinds: [secret] }
    provider: servicenow
    assignmentGroup: Security Operations
    grouping: per-finding
  - name: payments
    match: { assets: ["payments-*"], tiers: [critical, high] }
    provider: jira-cloud
    project: SEC
    issueType: Bug
    labels: [payments]
    priority: Highest
  - name: deploy
    for: remediation-failures
    match: { teams: [platform] }
    provider: jira-cloud
    project: OPS
`;

const routing = (text = FILE) =>
  TicketRouting.parse(text, 'routing.yaml', ['jira-cloud', 'servicenow']);

function problems(
  text: string,
  enabled: Parameters<typeof TicketRouting.parse>[2] = ['jira-cloud'],
): string {
  try {
    TicketRouting.parse(text, 'routing.yaml', enabled);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return (error as Error).message;
  }
  throw new Error('expected the routing file to be refused');
}

describe('TicketRouting', () => {
  it('tickets only the configured tiers (info never by default)', () => {
    const r = routing();
    expect(
      ['critical', 'high', 'medium', 'low', 'info'].map((t) => r.ticketable(t as never)),
    ).toEqual([true, true, true, false, false]);
    const defaults = TicketRouting.parse(
      'routes: [{ name: all, provider: jira-cloud, project: SEC }]',
      'x',
      ['jira-cloud'],
    );
    expect(defaults.ticketable('low')).toBe(true);
    expect(defaults.ticketable('info')).toBe(false);
  });

  it('picks the first route whose every criterion matches', () => {
    const r = routing();
    expect(
      r.route({
        source: 'findings',
        assetId: 'payments-api',
        team: 'payments',
        tier: 'high',
        kind: 'secret',
      })?.name,
    ).toBe('payments-secrets');
    const route = r.route({
      source: 'findings',
      assetId: 'payments-api',
      team: 'x',
      tier: 'critical',
      kind: 'vulnerability',
    });
    expect(route).toMatchObject({
      name: 'payments',
      provider: 'jira-cloud',
      grouping: 'asset-component',
      target: { project: 'SEC', issueType: 'Bug', labels: ['payments'], priority: 'Highest' },
    });
    expect(
      r.route({
        source: 'findings',
        assetId: 'payments-api',
        tier: 'medium',
        kind: 'vulnerability',
      }),
    ).toBeUndefined();
    expect(
      r.route({ source: 'findings', assetId: 'ledger', tier: 'critical', kind: 'vulnerability' }),
    ).toBeUndefined();
  });

  it("sends a failed patch to the deployment team's route, else to the asset's findings route", () => {
    const r = routing();
    expect(
      r.route({ source: 'remediation-failures', assetId: 'infra', team: 'platform', tier: 'low' })
        ?.name,
    ).toBe('deploy');
    expect(
      r.route({ source: 'remediation-failures', assetId: 'payments-web', team: 'x', tier: 'high' })
        ?.name,
    ).toBe('payments');
    expect(
      r.route({ source: 'findings', assetId: 'infra', team: 'platform', tier: 'low' }),
    ).toBeUndefined();
  });

  it('reads human decisions from resolution names, configurable per provider', () => {
    const r = routing();
    expect(r.decisionFor('jira-cloud', "Won't Do")).toBe('wont-fix');
    expect(r.decisionFor('jira-cloud', 'Cannot Reproduce')).toBe('false-positive');
    expect(r.decisionFor('servicenow', 'Known error')).toBe('wont-fix');
    const custom = TicketRouting.parse(
      `providers: { jira-cloud: { decisions: { "Risk Accepted": wont-fix } } }
routes: [{ name: a, provider: jira-cloud, project: SEC }]`,
      'x',
      ['jira-cloud'],
    );
    expect(custom.decisionFor('jira-cloud', 'risk accepted')).toBe('wont-fix');
    expect(custom.decisionFor('jira-cloud', "Won't Do")).toBeUndefined();
  });

  it('refuses a bad file naming line, column and field', () => {
    const message = problems(`routes:
  - name: payments
    provider: jira-cloud
    projekt: SEC
  - name: payments
    provider: servicenow
    match: { tiers: [urgent] }
`);
    expect(message).toContain('line 4, column 5, field routes[0].projekt: unknown field "projekt"');
    expect(message).toMatch(
      /line 2, column \d+, field routes\[0\]\.project: (required field is missing|required for Jira routes)/,
    );
    expect(message).toMatch(
      /line 5, column \d+, field routes\[1\]\.name: duplicate route name "payments"/,
    );
    expect(message).toMatch(
      /line 6, column \d+, field routes\[1\]\.provider: provider servicenow is not enabled/,
    );
    expect(message).toMatch(/line 7, column \d+, field routes\[1\]\.match\.tiers\[0\]/);
  });

  it('refuses labels with spaces and a detail URL without {groupKey}', () => {
    const message = problems(`tickets: { detailUrl: "https://hum.example/groups" }
routes: [{ name: a, provider: jira-cloud, project: SEC, labels: ["two words"] }]`);
    expect(message).toContain('tickets.detailUrl: must contain {groupKey}');
    expect(message).toContain('labels may not contain spaces');
  });
});

describe('TicketRouting.detailUrl: where a ticket cut to fit points for the rest', () => {
  const withPage = `tickets: { detailUrl: "https://wiki.bank.example/hum?group={groupKey}" }
routes: [{ name: all, provider: jira-cloud, project: SEC }]`;
  const withoutPage = 'routes: [{ name: all, provider: jira-cloud, project: SEC }]';
  const consolePage = { detailUrl: 'https://hum.bank.example/console/groups/{groupKey}' };
  const groupKey = 'asset-vuln:payments-api:CVE-2021-44228';

  it("uses the service's default when the file names no page, with the group key encoded", () => {
    const parsed = TicketRouting.parse(withoutPage, 'x', ['jira-cloud'], consolePage);
    expect(parsed.detailUrl(groupKey)).toBe(
      'https://hum.bank.example/console/groups/asset-vuln%3Apayments-api%3ACVE-2021-44228',
    );
  });

  it("keeps the file's own page over the default: someone chose it for this routing", () => {
    const parsed = TicketRouting.parse(withPage, 'x', ['jira-cloud'], consolePage);
    expect(parsed.detailUrl(groupKey)).toBe(
      'https://wiki.bank.example/hum?group=asset-vuln%3Apayments-api%3ACVE-2021-44228',
    );
  });

  it('has no link when neither says where', () => {
    const parsed = TicketRouting.parse(withoutPage, 'x', ['jira-cloud']);
    expect(parsed.detailUrlTemplate()).toBeUndefined();
    expect(parsed.detailUrl(groupKey)).toBeUndefined();
  });
});

describe('the routing reference in docs/tickets.md', () => {
  it('holds a full example that the schema accepts as written', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../../../docs/tickets.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toContain('routes:');
    const parsed = TicketRouting.parse(example!, 'docs/tickets.md', [
      'jira-cloud',
      'jira-dc',
      'servicenow',
    ]);
    expect(parsed.file.routes.map((route) => route.name)).toEqual([
      'payments-critical',
      'itsm',
      'deploy-failures',
      'everything-else',
    ]);
    expect(parsed.decisionFor('servicenow', 'known error')).toBe('wont-fix');
    expect(
      parsed.route({
        source: 'findings',
        assetId: 'payments-api',
        team: 'Payments',
        environment: 'prod',
        tier: 'critical',
        kind: 'secret',
      })?.name,
    ).toBe('payments-critical');
  });
});

describe('grouping', () => {
  const finding = EXAMPLE_FINDING;

  it('groups per finding, per asset+vulnerability, or per asset+component', () => {
    expect(groupKeyOf('per-finding', finding)).toBe(`finding:${finding.fingerprint}`);
    expect(groupKeyOf('asset-vulnerability', finding)).toBe(
      'asset-vuln:payments-api:CVE-2021-44228',
    );
    expect(groupKeyOf('asset-component', finding)).toBe(
      'asset-component:payments-api:org.apache.logging.log4j:log4j-core',
    );
    const other = {
      ...finding,
      fingerprint: 'b'.repeat(64),
      component: { ...finding.component!, path: 'other/lib.jar' },
    };
    expect(groupKeyOf('asset-vulnerability', other)).toBe(
      groupKeyOf('asset-vulnerability', finding),
    );
  });

  it('keeps keys bounded however long the parts are', () => {
    const long = { ...finding, component: { ...finding.component!, name: 'c'.repeat(500) } };
    const key = groupKeyOf('asset-component', long);
    expect(key.length).toBeLessThan(300);
    expect(groupKeyOf('asset-component', long)).toBe(key);
    expect(remediationGroupKey('a'.repeat(300)).length).toBeLessThan(300);
  });
});
