// The ticket dispatcher as a process (built code), a real broker, real PostgreSQL and the
// fake Jira Cloud: the lifecycle of a group's ticket from first finding to resolution, and
// SLA days followed from policy.state.
import { type TicketEventV1, type TierPolicyV1, TOPICS } from '@hum/contracts';
import { defaultTierPolicy } from '@hum/policy';
import { startFakeJiraCloud, waitFor, type FakeJiraCloud } from '@hum/testing';
import { classified, DispatcherHarness, fingerprint, remediation, resolved } from './support';

const ROUTING = `
tickets:
  tiers: [critical, high, medium, low]
  grouping: asset-vulnerability
  detailUrl: https://hum.example.com/groups/{groupKey}
providers:
  jira-cloud:
    customFields:
      - { field: customfield_10100, value: group-key }
      - { field: customfield_10102, value: tier, as: option }
routes:
  - name: payments
    match: { teams: [payments] }
    provider: jira-cloud
    project: SEC
    issueType: Bug
    labels: [payments]
    components: [api]
  - name: deploy-failures
    for: remediation-failures
    provider: jira-cloud
    project: OPS
    issueType: Task
`;

describe('ticket dispatcher (a real process, real broker and PostgreSQL, fake Jira Cloud)', () => {
  let jira: FakeJiraCloud;
  const harness = new DispatcherHarness({
    label: 'dispatcher',
    routing: ROUTING,
    providers: 'jira-cloud',
    env: () => ({
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken!,
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

  const settle = (): Promise<void> => harness.settle();
  const events = (until: (all: readonly TicketEventV1[]) => boolean): Promise<TicketEventV1[]> =>
    harness.ticketEvents(until);
  const publish = (
    topic: (typeof TOPICS)[keyof typeof TOPICS],
    data: Parameters<DispatcherHarness['publish']>[1],
  ): Promise<void> => harness.publish(topic, data);
  const issuesLabelled = (label: string) =>
    jira.issues().filter((issue) => issue.labels.includes(label));

  it('creates one ticket per asset+vulnerability group, listing its findings, with SLA due date', async () => {
    await publish(
      TOPICS.findingsClassified,
      classified({ name: 'a1', cve: 'CVE-2024-1111', tier: 'high' }),
    );
    await publish(
      TOPICS.findingsClassified,
      classified({ name: 'a2', cve: 'CVE-2024-1111', tier: 'critical', component: 'libssl' }),
    );
    await publish(
      TOPICS.findingsClassified,
      classified({ name: 'b1', cve: 'CVE-2024-2222', tier: 'medium' }),
    );
    await settle();
    const all = await events((e) => e.filter((x) => x.action === 'created').length >= 2);
    const created = all.filter((e) => e.action === 'created');
    expect(created).toHaveLength(2);
    const group1 = created.find((e) => e.groupKey.includes('CVE-2024-1111'))!;
    const issue = jira.issue(group1.ticketKey)!;
    expect(issue.project).toBe('SEC');
    expect(issue.priority).toBe('Highest');
    expect(issue.components).toEqual(['api']);
    expect(issue.descriptionText).toContain('libssl');
    expect(issue.descriptionText).toContain('openssl');
    expect(issue.customFields['customfield_10102']).toBe('critical');
    // Critical: 7 days from first sight (2026-01-10), unless a loaded policy says otherwise.
    expect(issue.duedate).toBe('2026-01-17');
    expect(jira.issues()).toHaveLength(2);
  });

  it('comments on re-tier with priority and due date following, resolves when all are fixed, reopens on return', async () => {
    const spec = { name: 'c1', cve: 'CVE-2024-3333', asset: 'payments-web' } as const;
    await publish(TOPICS.findingsClassified, classified({ ...spec, tier: 'low' }));
    await settle();
    const [created] = (
      await events((e) =>
        e.some((x) => x.action === 'created' && x.groupKey.includes('CVE-2024-3333')),
      )
    ).filter((x) => x.action === 'created' && x.groupKey.includes('CVE-2024-3333'));
    const key = created!.ticketKey;
    expect(jira.issue(key)).toMatchObject({ priority: 'Low', duedate: '2026-07-09' });
    await publish(
      TOPICS.findingsClassified,
      classified({
        ...spec,
        tier: 'critical',
        revision: 2,
        change: 'tier-changed',
        previousTier: 'low',
      }),
    );
    await settle();
    const retiered = jira.issue(key)!;
    expect(retiered.priority).toBe('Highest');
    expect(retiered.duedate).not.toBe('2026-07-09');
    expect(retiered.comments.map((c) => c.text).join('\n')).toMatch(
      /Risk tier changed from LOW to CRITICAL/,
    );

    await publish(TOPICS.findingsResolved, resolved({ ...spec, revision: 3 }));
    await settle();
    expect(jira.issue(key)).toMatchObject({ statusCategory: 'done', resolution: 'Done' });

    // An older event arriving late changes nothing.
    await publish(
      TOPICS.findingsClassified,
      classified({ ...spec, tier: 'critical', revision: 2, change: 'tier-changed' }),
    );
    await publish(
      TOPICS.findingsClassified,
      classified({ ...spec, tier: 'critical', revision: 4, change: 'reopened' }),
    );
    await settle();
    expect(jira.issue(key)).toMatchObject({ status: 'Reopened' });
    const mine = (
      await events((e) => e.some((x) => x.action === 'reopened' && x.ticketKey === key))
    ).filter((x) => x.ticketKey === key);
    expect(mine.map((x) => x.action).filter((a) => a !== 'updated')).toEqual([
      'created',
      'commented',
      'resolved',
      'reopened',
    ]);
    expect(issuesLabelled(jira.issue(key)!.labels.find((l) => l.startsWith('hum-'))!)).toHaveLength(
      1,
    );
  });

  it('raises a ticket for a failed patch and comments on the finding ticket when one is applied', async () => {
    await publish(
      TOPICS.findingsClassified,
      classified({ name: 'p1', cve: 'CVE-2024-4444', asset: 'ledger-api' }),
    );
    await settle();
    await publish(
      TOPICS.remediationEvents,
      remediation({ name: 'p1', cve: 'CVE-2024-4444', asset: 'ledger-api', status: 'applied' }),
    );
    await publish(
      TOPICS.remediationEvents,
      remediation({ name: 'nobody', cve: 'CVE-2024-5555', asset: 'ledger-api', status: 'applied' }),
    );
    await publish(
      TOPICS.remediationEvents,
      remediation({
        name: 'p2',
        cve: 'CVE-2024-6666',
        asset: 'ledger-api',
        status: 'failed',
        attempt: '9.9.9',
      }),
    );
    await settle();
    const ops = jira.issues().filter((issue) => issue.project === 'OPS');
    expect(ops).toHaveLength(1);
    expect(ops[0]!.summary).toMatch(/Auto-patch failed/);
    expect(ops[0]!.descriptionText).toContain('CI run 42 failed');
    const findingTicket = jira.issues().find((issue) => issue.summary.includes('CVE-2024-4444'))!;
    expect(findingTicket.comments.map((c) => c.text).join('\n')).toMatch(/Auto-patch applied/);
    expect(
      jira.issues().some((issue) => issue.descriptionText.includes(fingerprint('nobody'))),
    ).toBe(false);
  });

  it('keeps an applied patch that arrives before its finding and comments once the ticket exists', async () => {
    const spec = { name: 'early', cve: 'CVE-2024-7777', asset: 'ledger-api' } as const;
    await publish(TOPICS.remediationEvents, remediation({ ...spec, status: 'applied' }));
    await settle();
    expect(jira.issues().some((issue) => issue.summary.includes('CVE-2024-7777'))).toBe(false);

    await publish(TOPICS.findingsClassified, classified(spec));
    await settle();
    const ticket = jira.issues().find((issue) => issue.summary.includes('CVE-2024-7777'))!;
    expect(ticket.comments.map((c) => c.text)).toEqual([
      expect.stringMatching(/Auto-patch applied.*pull\/7/s),
    ]);
  });

  it('ignores redelivered events: no second ticket, no second comment', async () => {
    const before = jira.issues().map((issue) => `${issue.key}:${issue.comments.length}`);
    await publish(
      TOPICS.findingsClassified,
      classified({ name: 'a1', cve: 'CVE-2024-1111', tier: 'high' }),
    );
    await publish(
      TOPICS.remediationEvents,
      remediation({ name: 'p1', cve: 'CVE-2024-4444', asset: 'ledger-api', status: 'applied' }),
    );
    await publish(
      TOPICS.remediationEvents,
      remediation({
        name: 'p2',
        cve: 'CVE-2024-6666',
        asset: 'ledger-api',
        status: 'failed',
        attempt: '9.9.9',
      }),
    );
    await settle();
    expect(jira.issues().map((issue) => `${issue.key}:${issue.comments.length}`)).toEqual(before);
  });

  it('resolves a ticket only once every finding of its group is resolved', async () => {
    const spec = { cve: 'CVE-2024-9999', asset: 'ledger-web' } as const;
    const mine = (all: readonly TicketEventV1[]): TicketEventV1[] =>
      all.filter((e) => e.groupKey.includes(':ledger-web:CVE-2024-9999'));
    await publish(TOPICS.findingsClassified, classified({ ...spec, name: 'both-1' }));
    await publish(
      TOPICS.findingsClassified,
      classified({ ...spec, name: 'both-2', component: 'libssl' }),
    );
    await settle();
    const [created] = mine(
      await events((all) => mine(all).some((e) => e.action === 'created')),
    ).filter((e) => e.action === 'created');
    const key = created!.ticketKey;

    await publish(TOPICS.findingsResolved, resolved({ ...spec, name: 'both-1', revision: 2 }));
    await settle();
    expect(jira.issue(key)!.statusCategory).not.toBe('done');
    expect(jira.issue(key)!.descriptionText).toContain('Findings (1 open, 1 resolved)');

    await publish(
      TOPICS.findingsResolved,
      resolved({ ...spec, name: 'both-2', component: 'libssl', revision: 2 }),
    );
    await settle();
    expect(jira.issue(key)).toMatchObject({ statusCategory: 'done', resolution: 'Done' });
    const actions = mine(await events((all) => mine(all).some((e) => e.action === 'resolved'))).map(
      (e) => e.action,
    );
    // One update for the first resolution (the ticket stays open), then the resolution.
    expect(actions.filter((a) => a !== 'updated')).toEqual(['created', 'resolved']);
    expect(actions.indexOf('updated')).toBeLessThan(actions.indexOf('resolved'));
  });

  // Last: from here on critical tickets are due in 3 days, not the default 7.
  it('follows an SLA change published on policy.state: tickets raised after it are due by the new days', async () => {
    const record: TierPolicyV1 = {
      ...defaultTierPolicy('critical'),
      slaDays: 3,
      version: 1,
      updatedAt: new Date().toISOString(),
      decidedBy: ['alice', 'bob'],
    };
    await harness.publisher.publish([
      { topic: TOPICS.policyState, key: 'tier:critical', data: record },
    ]);
    const dispatcher = harness.history[0]!;
    await waitFor(
      () =>
        dispatcher
          .output()
          .split('\n')
          .some((line) => line.includes('SLA days changed') && line.includes('"critical":3')),
      { describe: 'the dispatcher to take up the new SLA days', timeoutMs: 30_000 },
    );

    await publish(
      TOPICS.findingsClassified,
      classified({ name: 'sla-1', cve: 'CVE-2024-8888', asset: 'sla-api', tier: 'critical' }),
    );
    await settle();
    const ticket = jira.issues().find((issue) => issue.summary.includes('CVE-2024-8888'))!;
    // First seen 2026-01-10: 3 days, where the default would have said 2026-01-17.
    expect(ticket.duedate).toBe('2026-01-13');
    expect(ticket.descriptionText).toContain('Due 2026-01-13 (SLA 3 days for critical)');
  });
});
