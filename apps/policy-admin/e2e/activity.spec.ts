import {
  EXAMPLE_REMEDIATION,
  type RemediationEventV1,
  type TicketEventV1,
  ticketGroupKey,
  TOPICS,
} from '@hum/contracts';
import { EventProducer, provisionTopics } from '@hum/kafka';
import {
  buildWorkspace,
  createTestDatabase,
  uniqueTopicPrefix,
  waitFor,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { classified } from './fixtures';
import {
  type AdminUnderTest,
  Api,
  logger,
  loginToken,
  specKafka,
  startAdmin,
  TopicNames,
} from './support';

interface Tickets {
  tickets: Record<string, unknown>[];
}
interface Patches {
  patches: Record<string, unknown>[];
}
interface Group {
  groupKey: string;
  tickets: Record<string, unknown>[];
  events: Record<string, unknown>[];
  findings: Record<string, unknown>[];
  findingCount: number;
  acceptances: unknown[];
}

/**
 * The console's tickets and patches come from tickets.events and remediation.events as the
 * dispatcher and the patcher publish them: published here on the real broker, consumed by the
 * built policy-admin, read back through its API (and a ticket group's page, where a ticket's
 * detail link points).
 */
describe('the read model of tickets and patches (real broker, real PostgreSQL)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let topics: TopicNames;
  let producer: EventProducer;
  let admin: AdminUnderTest;
  let vic: Api;

  beforeAll(async () => {
    build = buildWorkspace('policy-activity');
    database = await createTestDatabase('policy_activity');
    topics = new TopicNames(uniqueTopicPrefix('policy-activity'));
    const kafka = specKafka();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await provisionTopics(
      kafkaAdmin,
      topics,
      [TOPICS.findingsClassified, TOPICS.ticketsEvents, TOPICS.remediationEvents],
      { replicationFactor: 1, withDeadLetters: true },
    );
    await kafkaAdmin.disconnect();
    producer = new EventProducer(kafka, { names: topics, source: '/hum/spec', logger });
    await producer.connect();
    admin = await startAdmin({ build, database, topics, users: 'vic:viewer' });
    vic = new Api(admin.url).withToken(await loginToken(admin, 'vic'));
  });

  afterAll(async () => {
    const exit = await admin?.process.stop();
    await producer?.disconnect();
    await database?.cleanup();
    build?.remove();
    expect(exit?.code).toBe(0);
  });

  it('holds every ticket event and patch decision once, and shows a ticket group with its findings', async () => {
    const now = Date.now();
    const at = (minutesAgo: number): string => new Date(now - minutesAgo * 60_000).toISOString();
    // An asset id with slashes: the group key needs URL-encoding in the path.
    const asset = 'git.example.com/bank/payments-api';
    const listed = classified({
      label: 'rm-1',
      tier: 'high',
      team: 'payments',
      asset,
      at: new Date(now),
      kev: false,
    });
    const unlisted = classified({
      label: 'rm-2',
      tier: 'critical',
      team: 'payments',
      asset,
      at: new Date(now),
      kev: true,
    });
    const elsewhere = classified({ label: 'rm-3', tier: 'low', team: 'ledger', at: new Date(now) });
    await producer.publish(
      [listed, unlisted, elsewhere].map((f) => ({
        topic: TOPICS.findingsClassified,
        key: f.finding.fingerprint,
        data: f,
      })),
    );
    const groupKey = ticketGroupKey('asset-vulnerability', listed.finding);
    expect(ticketGroupKey('asset-vulnerability', unlisted.finding)).toBe(groupKey);
    expect(groupKey).toContain('/');

    // The dispatcher's events for the group's ticket; the first one is delivered twice.
    const created: TicketEventV1 = {
      provider: 'jira-cloud',
      groupKey,
      ticketKey: 'SEC-7',
      url: 'https://bank.atlassian.net/browse/SEC-7',
      action: 'created',
      fingerprints: [listed.finding.fingerprint],
      at: at(30),
    };
    const updated: TicketEventV1 = {
      ...created,
      action: 'updated',
      detail: 'description shortened: the full list is on the group page',
      at: at(10),
    };
    await producer.publish([
      { topic: TOPICS.ticketsEvents, key: groupKey, data: created, id: 'ticket-event-created' },
      { topic: TOPICS.ticketsEvents, key: groupKey, data: created, id: 'ticket-event-created' },
      { topic: TOPICS.ticketsEvents, key: groupKey, data: updated },
    ]);

    // The patcher's decisions; the applied one is delivered twice. One key: one partition, in order.
    const applied: RemediationEventV1 = {
      ...EXAMPLE_REMEDIATION,
      attemptKey: `${listed.finding.fingerprint}:4.17.21`,
      fingerprint: listed.finding.fingerprint,
      asset: listed.finding.asset,
      team: 'payments',
      tier: 'high',
      title: listed.finding.title,
      status: 'applied',
      reasons: [],
      strategy: 'github-pr',
      url: 'https://git.example.com/bank/payments-api/pull/9',
      decidedAt: at(20),
    };
    const { strategy: _strategy, url: _url, ...withoutPr } = EXAMPLE_REMEDIATION;
    const failed: RemediationEventV1 = {
      ...withoutPr,
      attemptKey: `${elsewhere.finding.fingerprint}:4.17.21`,
      fingerprint: elsewhere.finding.fingerprint,
      asset: elsewhere.finding.asset,
      team: 'ledger',
      tier: 'low',
      title: elsewhere.finding.title,
      status: 'failed',
      reasons: ['tests-failed'],
      decidedAt: at(5),
    };
    await producer.publish([
      { topic: TOPICS.remediationEvents, key: 'spec', data: applied, id: 'remediation-applied' },
      { topic: TOPICS.remediationEvents, key: 'spec', data: applied, id: 'remediation-applied' },
      { topic: TOPICS.remediationEvents, key: 'spec', data: failed },
    ]);

    // The last event of each topic is in: the redeliveries before it have been handled too.
    await waitFor(
      async () =>
        (await vic.get<Tickets>('/v1/activity/tickets')).body.tickets.some(
          (t) => t['action'] === 'updated',
        ) &&
        (await vic.get<Patches>('/v1/activity/patches')).body.patches.some(
          (p) => p['status'] === 'failed',
        ) &&
        (await vic.get<{ findings: unknown[] }>('/v1/activity/findings')).body.findings.length ===
          3,
      { describe: 'the read model to hold the tickets, patches and findings' },
    );

    expect((await vic.get<Tickets>('/v1/activity/tickets')).body.tickets).toEqual([
      {
        provider: 'jira-cloud',
        ticketKey: 'SEC-7',
        groupKey,
        action: 'updated',
        url: 'https://bank.atlassian.net/browse/SEC-7',
        fingerprints: 1,
        detail: updated.detail,
        at: updated.at,
      },
      {
        provider: 'jira-cloud',
        ticketKey: 'SEC-7',
        groupKey,
        action: 'created',
        url: 'https://bank.atlassian.net/browse/SEC-7',
        fingerprints: 1,
        detail: null,
        at: created.at,
      },
    ]);
    expect((await vic.get<Patches>('/v1/activity/patches')).body.patches).toEqual([
      {
        attemptKey: failed.attemptKey,
        fingerprint: elsewhere.finding.fingerprint,
        title: elsewhere.finding.title,
        assetId: 'ledger-api',
        team: 'ledger',
        tier: 'low',
        status: 'failed',
        reasons: ['tests-failed'],
        strategy: null,
        url: null,
        decidedAt: failed.decidedAt,
      },
      {
        attemptKey: applied.attemptKey,
        fingerprint: listed.finding.fingerprint,
        title: listed.finding.title,
        assetId: asset,
        team: 'payments',
        tier: 'high',
        status: 'applied',
        reasons: [],
        strategy: 'github-pr',
        url: applied.url,
        decidedAt: applied.decidedAt,
      },
    ]);
    expect((await vic.get('/v1/activity/summary')).body).toMatchObject({
      ticketEventsLast24h: { created: 1, updated: 1 },
      patchesLast24h: { applied: 1, failed: 1 },
    });

    // The group's page: its ticket, and both findings — the one the ticket listed and the one
    // that belongs by its group key — highest tier first; not the other asset's.
    const group = await vic.get<Group>(`/v1/activity/groups/${encodeURIComponent(groupKey)}`);
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({
      groupKey,
      tickets: [
        {
          provider: 'jira-cloud',
          ticketKey: 'SEC-7',
          url: 'https://bank.atlassian.net/browse/SEC-7',
          lastAction: 'updated',
          events: 2,
          firstAt: created.at,
          lastAt: updated.at,
        },
      ],
      findingCount: 2,
      acceptances: [],
    });
    expect(group.body.events.map((e) => e['action'])).toEqual(['updated', 'created']);
    expect(group.body.findings).toEqual([
      expect.objectContaining({
        fingerprint: unlisted.finding.fingerprint,
        tier: 'critical',
        kev: true,
        state: 'open',
        inTicket: false,
        assetId: asset,
      }),
      expect.objectContaining({
        fingerprint: listed.finding.fingerprint,
        tier: 'high',
        kev: false,
        inTicket: true,
      }),
    ]);
    const first = await vic.get<Group>(
      `/v1/activity/groups/${encodeURIComponent(groupKey)}?limit=1`,
    );
    expect(first.body.findings.map((f) => f['fingerprint'])).toEqual([
      unlisted.finding.fingerprint,
    ]);
    expect(first.body.findingCount).toBe(2);

    // A group known only by its findings' keys (no ticket yet), and one not known at all.
    const perFinding = await vic.get<Group>(
      `/v1/activity/groups/${encodeURIComponent(`finding:${elsewhere.finding.fingerprint}`)}`,
    );
    expect(perFinding.body).toMatchObject({ tickets: [], findingCount: 1 });
    const unknown = await vic.get<{ type: string; detail: string }>(
      `/v1/activity/groups/${encodeURIComponent('asset-vuln:nowhere:CVE-0000-0001')}`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.body.detail).toMatch(/no ticket group asset-vuln:nowhere:CVE-0000-0001/);
  });
});
