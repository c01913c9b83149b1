// Invariant 2 — one ticket per group, ever — through a lost create answer, a kill at the
// worst moment (after the tracker created the ticket, before the ledger knew), two replicas
// racing on the same groups, and one of them dying mid-run.
import { TOPICS } from '@hum/contracts';
import { startFakeJiraCloud, waitFor, type FakeJiraCloud, type ServiceProcess } from '@hum/testing';
import { idempotencyKey } from '@hum/ticketing';
import { classified, DispatcherHarness } from './support';

const ROUTING = `
tickets: { grouping: asset-vulnerability }
routes:
  - name: all
    provider: jira-cloud
    project: SEC
    issueType: Bug
`;

const groupKey = (asset: string, cve: string): string => `asset-vuln:${asset}:${cve}`;
const label = (asset: string, cve: string): string =>
  idempotencyKey('jira-cloud', groupKey(asset, cve));

describe('exactly one ticket per group, under failure (processes, broker, PostgreSQL, fake Jira)', () => {
  let jira: FakeJiraCloud;
  const harness = new DispatcherHarness({
    label: 'exactly-once',
    routing: ROUTING,
    providers: 'jira-cloud',
    env: () => ({
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken!,
      // The fake's search lags 1.5 s behind creates; a create in doubt is waited for 4 s.
      TICKET_SEARCH_CONSISTENCY: '4s',
      TICKET_RETRY_INITIAL: '200',
      TICKET_RETRY_MAX: '2s',
      TICKET_MAX_ATTEMPTS: '20',
      TICKET_BATCH_SIZE: '5',
    }),
  });
  let first: ServiceProcess;

  beforeAll(async () => {
    jira = await startFakeJiraCloud({ searchIndexLagMs: 1_500 });
    await harness.setUp();
    first = await harness.start('replica-1');
  });

  afterAll(async () => {
    if (process.env['DISPATCHER_SPEC_DEBUG']) {
      for (const p of harness.history) process.stderr.write(`${p.output()}\n----\n`);
    }
    const exits = await harness.tearDown();
    await jira?.close();
    expect(exits.every((exit) => exit.code === 0)).toBe(true);
  });

  const issuesLabelled = (value: string) =>
    jira.issues().filter((issue) => issue.labels.includes(value));

  it('waits out a create whose answer was lost, then adopts the ticket instead of making another', async () => {
    jira.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: '/rest/api/3/issue' },
    });
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'lost-1', asset: 'lost-api', cve: 'CVE-2025-0001' }),
    );
    await harness.settle();
    expect(issuesLabelled(label('lost-api', 'CVE-2025-0001'))).toHaveLength(1);
    const events = await harness.ticketEvents((all) =>
      all.some(
        (e) => e.groupKey === groupKey('lost-api', 'CVE-2025-0001') && e.action === 'created',
      ),
    );
    const mine = events.filter((e) => e.groupKey === groupKey('lost-api', 'CVE-2025-0001'));
    expect(mine.map((e) => e.action)).toEqual(['created']);
    expect(mine[0]!.detail).toMatch(/^found SEC-\d+ by its key$/);
  });

  it('adopts a ticket its ledger never recorded (a restored ledger), creating only the groups without one', async () => {
    // Made by a person (or a deployment whose ledger was lost): no journal entry says so.
    const existing = await fetch(`${jira.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${jira.humanUser.emailAddress}:${jira.humanUser.apiToken!}`).toString('base64')}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        fields: {
          project: { key: 'SEC' },
          issuetype: { name: 'Bug' },
          summary: 'CVE-2025-0003 in restored-api (before the restore)',
          labels: ['hum', label('restored-api', 'CVE-2025-0003')],
        },
      }),
    });
    expect(existing.status).toBe(201);
    const existingKey = ((await existing.json()) as { key: string }).key;
    // Past the fake's search lag, as a ticket from before a restore would be.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    for (const cve of ['CVE-2025-0003', 'CVE-2025-0004', 'CVE-2025-0005']) {
      await harness.publish(
        TOPICS.findingsClassified,
        classified({ name: `restored-${cve}`, asset: 'restored-api', cve }),
      );
    }
    await harness.settle();
    expect(issuesLabelled(label('restored-api', 'CVE-2025-0003')).map((i) => i.key)).toEqual([
      existingKey,
    ]);
    for (const cve of ['CVE-2025-0004', 'CVE-2025-0005'])
      expect(issuesLabelled(label('restored-api', cve))).toHaveLength(1);
    const events = await harness.ticketEvents(
      (all) =>
        all.filter((e) => e.action === 'created' && e.groupKey.includes(':restored-api:')).length >=
        3,
    );
    const adopted = events.filter(
      (e) => e.groupKey === groupKey('restored-api', 'CVE-2025-0003') && e.action === 'created',
    );
    expect(adopted.map((e) => e.detail)).toEqual([`found ${existingKey} by its key`]);
  });

  it('survives a kill right after the tracker created the ticket: still exactly one', async () => {
    jira.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: '/rest/api/3/issue' },
    });
    // Slow answers keep the dispatcher inside the window between remote create and ledger write.
    jira.inject({ kind: 'latency', ms: 300 });
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'kill-1', asset: 'kill-api', cve: 'CVE-2025-0002' }),
    );
    await waitFor(() => issuesLabelled(label('kill-api', 'CVE-2025-0002')).length > 0, {
      describe: 'the fake to create the ticket',
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    await first.kill();
    jira.inject({ kind: 'latency', ms: 0 });
    // The restarted dispatcher finds no ticket by search for a while: only its journal says
    // a create may have happened, and it must wait for the index rather than create again.
    jira.setSearchIndexLag(12_000);
    first = await harness.start('replica-1', { TICKET_SEARCH_CONSISTENCY: '20s' });
    await harness.settle();
    jira.setSearchIndexLag(1_500);
    expect(issuesLabelled(label('kill-api', 'CVE-2025-0002'))).toHaveLength(1);
    const events = await harness.ticketEvents((all) =>
      all.some(
        (e) => e.groupKey === groupKey('kill-api', 'CVE-2025-0002') && e.action === 'created',
      ),
    );
    expect(
      events
        .filter((e) => e.groupKey === groupKey('kill-api', 'CVE-2025-0002'))
        .map((e) => e.action),
    ).toEqual(['created']);
  }, 120_000);

  it('two replicas racing on shared groups, one killed mid-run: one ticket per group, every finding on it', async () => {
    const second = await harness.start('replica-2');
    jira.inject({ kind: 'latency', ms: 20 });
    const groups = 12;
    const perGroup = 5;
    const cves = Array.from(
      { length: groups },
      (_, g) => `CVE-2025-1${String(g).padStart(3, '0')}`,
    );
    // Findings of one group have different fingerprints, so they land on different partitions
    // (and replicas): the replicas meet on the same groups.
    for (let i = 0; i < perGroup; i += 1) {
      for (const [g, cve] of cves.entries()) {
        await harness.publish(
          TOPICS.findingsClassified,
          classified({
            name: `race-${g}-${i}`,
            asset: 'race-api',
            cve,
            component: `component-${g}-${i}`,
          }),
        );
      }
    }
    await waitFor(
      () => jira.issues().filter((issue) => issue.summary.includes('race-api')).length >= 3,
      {
        describe: 'the first race tickets',
        timeoutMs: 60_000,
        intervalMs: 20,
      },
    );
    await second.kill();
    await harness.settle(150_000);
    jira.inject({ kind: 'latency', ms: 0 });
    for (const cve of cves) {
      const issues = issuesLabelled(label('race-api', cve));
      expect(issues).toHaveLength(1);
      for (let i = 0; i < perGroup; i += 1) {
        expect(issues[0]!.descriptionText).toContain(`component-${cves.indexOf(cve)}-${i}`);
      }
    }
    const events = await harness.ticketEvents(
      (all) =>
        new Set(
          all
            .filter((e) => e.action === 'created' && e.groupKey.startsWith('asset-vuln:race-api'))
            .map((e) => e.groupKey),
        ).size >= groups,
    );
    const created = events.filter(
      (e) => e.action === 'created' && e.groupKey.startsWith('asset-vuln:race-api'),
    );
    expect(created).toHaveLength(groups);
    expect(new Set(created.map((e) => e.groupKey)).size).toBe(groups);
  }, 240_000);
});
