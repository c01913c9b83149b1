// Risk acceptances on tickets: the dispatcher as a process (built code), a real broker and
// PostgreSQL, the fake Jira Cloud, and acceptance records on risk.acceptances as policy-admin
// publishes them (the RiskAcceptanceV1 contract, keyed by acceptance id).
import {
  EXAMPLE_RISK_ACCEPTANCE,
  type RiskAcceptanceV1,
  ticketGroupKey,
  TOPICS,
} from '@hum/contracts';
import { type FakeJiraCloud, startFakeJiraCloud } from '@hum/testing';
import { classified, DispatcherHarness, fingerprint } from './support';

const ROUTING = `
tickets:
  tiers: [critical, high, medium, low]
  grouping: asset-vulnerability
routes:
  - name: payments
    match: { teams: [payments] }
    provider: jira-cloud
    project: SEC
    issueType: Bug
    labels: [payments]
`;

const LABEL = 'hum-risk-accepted';
const ACCEPTED = /Risk accepted/;
const LAPSED = /Risk acceptance lapsed/;

describe('risk acceptances on tickets (real process, broker and PostgreSQL, fake Jira Cloud)', () => {
  let jira: FakeJiraCloud;
  const harness = new DispatcherHarness({
    label: 'acceptances',
    routing: ROUTING,
    providers: 'jira-cloud',
    env: () => ({
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken!,
      ACCEPTANCE_SWEEP_INTERVAL: '2s',
    }),
  });

  beforeAll(async () => {
    jira = await startFakeJiraCloud();
    await harness.setUp();
    await harness.start();
  });

  afterAll(async () => {
    const exits = await harness.tearDown();
    await jira?.close();
    expect(exits.map((exit) => exit.code)).toEqual([0]);
  });

  const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
  const acceptance = (overrides: Partial<RiskAcceptanceV1>): RiskAcceptanceV1 => ({
    ...EXAMPLE_RISK_ACCEPTANCE,
    reason: 'compensating WAF rule in front of the service',
    owner: 'payments-lead',
    expiresAt,
    acceptedTier: 'high',
    proposedBy: 'alice',
    approvedBy: 'bob',
    ...overrides,
  });
  const publishAcceptance = (record: RiskAcceptanceV1): Promise<void> =>
    harness.publisher.publish([{ topic: TOPICS.riskAcceptances, key: record.id, data: record }]);

  const comments = (key: string, pattern: RegExp): string[] =>
    jira
      .issue(key)!
      .comments.map((comment) => comment.text)
      .filter((text) => pattern.test(text));

  async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function ticketOf(name: string): Promise<string> {
    const fp = fingerprint(name);
    const events = await harness.ticketEvents((all) =>
      all.some((e) => e.action === 'created' && e.fingerprints.includes(fp)),
    );
    return events.find((e) => e.action === 'created' && e.fingerprints.includes(fp))!.ticketKey;
  }

  const findingA = classified({ name: 'acc-a', cve: 'CVE-2024-7001' });
  const findingB = classified({ name: 'acc-b', cve: 'CVE-2024-7002' });
  const findingC = classified({ name: 'acc-c', cve: 'CVE-2024-7003' });
  let ticketA = '';
  let ticketB = '';
  let ticketC = '';

  it('marks the ticket of an accepted finding once: one comment, the label, still open', async () => {
    await harness.publish(TOPICS.findingsClassified, findingA);
    await harness.publish(TOPICS.findingsClassified, findingB);
    await harness.settle();
    ticketA = await ticketOf('acc-a');
    ticketB = await ticketOf('acc-b');
    expect(jira.issue(ticketA)!.labels).not.toContain(LABEL);

    await publishAcceptance(
      acceptance({ id: 'acc-1', target: { kind: 'finding', fingerprint: fingerprint('acc-a') } }),
    );
    await until('ticket A carries the label and the comment', () => {
      const issue = jira.issue(ticketA)!;
      return issue.labels.includes(LABEL) && comments(ticketA, ACCEPTED).length > 0;
    });
    const [comment] = comments(ticketA, ACCEPTED);
    expect(comment).toContain('acc-1');
    expect(comment).toContain('Owner: payments-lead');
    expect(comment).toContain('Proposed by alice, approved by bob');
    expect(comment).toContain(`until ${expiresAt}`);
    expect(comment).toContain('compensating WAF rule');
    const issue = jira.issue(ticketA)!;
    expect(issue.descriptionText).toMatch(ACCEPTED);
    expect(issue.statusCategory).not.toBe('done');
    expect(jira.issue(ticketB)!.labels).not.toContain(LABEL);
  });

  it('a redelivered record adds no second comment; a group acceptance marks its ticket; a new ticket says so at creation', async () => {
    // policy-admin republishing the same record (or a replay of the topic).
    await publishAcceptance(
      acceptance({ id: 'acc-1', target: { kind: 'finding', fingerprint: fingerprint('acc-a') } }),
    );
    // Acceptance of a finding hum has not seen yet, then of B's whole group: the topic has one
    // partition, so once B is marked both records before it have been handled.
    await publishAcceptance(
      acceptance({ id: 'acc-3', target: { kind: 'finding', fingerprint: fingerprint('acc-c') } }),
    );
    const groupB = ticketGroupKey('asset-vulnerability', findingB.finding);
    await publishAcceptance(
      acceptance({ id: 'acc-2', target: { kind: 'group', groupKey: groupB } }),
    );
    await until('ticket B is marked', () => jira.issue(ticketB)!.labels.includes(LABEL));
    await until('ticket B has its comment', () => comments(ticketB, ACCEPTED).length > 0);
    expect(comments(ticketB, ACCEPTED)[0]).toContain('every finding of this ticket');
    expect(comments(ticketA, ACCEPTED)).toHaveLength(1);

    await harness.publish(TOPICS.findingsClassified, findingC);
    await harness.settle();
    ticketC = await ticketOf('acc-c');
    const issueC = jira.issue(ticketC)!;
    expect(issueC.labels).toContain(LABEL);
    expect(issueC.descriptionText).toMatch(ACCEPTED);
    expect(issueC.descriptionText).toContain('acc-3');
    // Its content says it: no comment on top.
    expect(comments(ticketC, ACCEPTED)).toHaveLength(0);
  });

  it('a lapsed record removes the label with one comment; the ticket stays open', async () => {
    await publishAcceptance(
      acceptance({
        id: 'acc-1',
        target: { kind: 'finding', fingerprint: fingerprint('acc-a') },
        state: 'lapsed',
        version: 2,
      }),
    );
    await until('ticket A lost the label', () => !jira.issue(ticketA)!.labels.includes(LABEL));
    await until('ticket A has the lapse comment', () => comments(ticketA, LAPSED).length > 0);
    expect(comments(ticketA, LAPSED)).toHaveLength(1);
    expect(comments(ticketA, LAPSED)[0]).toMatch(/risk rose above the accepted tier HIGH/);
    expect(comments(ticketA, ACCEPTED)).toHaveLength(1);
    const issue = jira.issue(ticketA)!;
    expect(issue.statusCategory).not.toBe('done');
    expect(issue.descriptionText).not.toMatch(ACCEPTED);
    expect(issue.labels).toEqual(expect.arrayContaining(['hum', 'payments']));
  });

  it('after a restart (the topic read again from its start) nothing is said twice', async () => {
    const [running] = [...harness.processes];
    expect((await running!.stop()).code).toBe(0);
    await harness.start('replica-2');
    // A later record: handled after the restart's first pass over the whole topic.
    const groupB = ticketGroupKey('asset-vulnerability', findingB.finding);
    await publishAcceptance(
      acceptance({
        id: 'acc-2',
        target: { kind: 'group', groupKey: groupB },
        state: 'revoked',
        version: 2,
      }),
    );
    await until('ticket B has its lapse comment', () => comments(ticketB, LAPSED).length > 0);
    expect(comments(ticketB, LAPSED)[0]).toContain('it was revoked');
    expect(jira.issue(ticketB)!.labels).not.toContain(LABEL);
    expect(comments(ticketA, ACCEPTED)).toHaveLength(1);
    expect(comments(ticketA, LAPSED)).toHaveLength(1);
    expect(comments(ticketB, ACCEPTED)).toHaveLength(1);
    expect(comments(ticketB, LAPSED)).toHaveLength(1);
    expect(comments(ticketC, ACCEPTED)).toHaveLength(0);
    expect(jira.issue(ticketC)!.labels).toContain(LABEL);
  });
});
