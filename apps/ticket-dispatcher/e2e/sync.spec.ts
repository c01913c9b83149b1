// Two-way sync and reconciliation as a process: a Jira webhook (signed with the shared secret)
// and the ServiceNow poll bring people's decisions into tickets.events; a ticket a person
// closed while its findings are open is flagged and stays closed; reconciliation gives a group
// left without a ticket a new one, repairs a deleted ticket, a duplicate and a lost key label,
// and says what it did; no credential shows in any of it.
import { createHmac } from 'node:crypto';
import { type TicketEventV1, TOPICS } from '@hum/contracts';
import {
  waitFor,
  type FakeJiraCloud,
  type FakeServiceNow,
  type ServiceProcess,
} from '@hum/testing';
import { idempotencyKey } from '@hum/ticketing';
import { classified, credentialLeaks, DispatcherHarness, OPS_TOKEN, resolved } from './support';
import { basic, JiraCloudTracker, ServiceNowTracker } from './trackers';

const ROUTING = `
tickets: { grouping: asset-vulnerability }
routes:
  - name: itsm
    match: { teams: [itsm] }
    provider: servicenow
    assignmentGroup: Security Operations
  - name: all
    provider: jira-cloud
    project: SEC
    issueType: Bug
`;

const WEBHOOK_SECRET = 'jira-webhook-shared-secret-0123456789';

const groupKey = (asset: string, cve: string): string => `asset-vuln:${asset}:${cve}`;

function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('two-way sync and reconciliation (process, broker, PostgreSQL, fake Jira and ServiceNow)', () => {
  const trackers = { jira: new JiraCloudTracker(), snow: new ServiceNowTracker() };
  let jira: FakeJiraCloud;
  let snow: FakeServiceNow;
  let dispatcher: ServiceProcess;
  const harness = new DispatcherHarness({
    label: 'sync',
    routing: ROUTING,
    providers: 'jira-cloud,servicenow',
    env: () => ({
      ...trackers.jira.env(),
      JIRA_CLOUD_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...trackers.snow.env(),
      SERVICENOW_POLL_INTERVAL: '1s',
    }),
  });

  beforeAll(async () => {
    await Promise.all(Object.values(trackers).map((tracker) => tracker.start()));
    [jira, snow] = [trackers.jira.fake, trackers.snow.fake];
    await harness.setUp();
    dispatcher = await harness.start();
    jira.setWebhook({ url: `${dispatcher.ready}/v1/webhooks/jira-cloud`, secret: WEBHOOK_SECRET });
  });

  afterAll(async () => {
    if (process.env['DISPATCHER_SPEC_DEBUG']) {
      for (const p of harness.history) process.stderr.write(`${p.output()}\n----\n`);
    }
    const exits = await harness.tearDown();
    await Promise.all(Object.values(trackers).map((tracker) => tracker.close()));
    expect(exits.map((exit) => exit.code)).toEqual([0]);
    expect(jira.internalErrors).toEqual([]);
    expect(snow.internalErrors).toEqual([]);
  });

  const eventsOf = async (
    group: string,
    until: (mine: readonly TicketEventV1[]) => boolean,
  ): Promise<TicketEventV1[]> =>
    (await harness.ticketEvents((all) => until(all.filter((e) => e.groupKey === group)))).filter(
      (e) => e.groupKey === group,
    );
  const jiraLabelled = (label: string) =>
    jira.issues().filter((issue) => issue.labels.includes(label));
  const postWebhook = (body: string, signature?: string): Promise<Response> =>
    fetch(`${dispatcher.ready}/v1/webhooks/jira-cloud`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature !== undefined ? { 'x-hub-signature': signature } : {}),
      },
      body,
    });
  /** A person's own REST call to the fake Jira (not hum's account). */
  const asPerson = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${jira.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${basic(jira.humanUser.emailAddress, jira.humanUser.apiToken!)}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  /** The poller's queries for incidents people changed. */
  const polls = (): number =>
    snow
      .requests({ method: 'GET', path: '/api/now/table/incident' })
      .filter((r) => String(r.query['sysparm_query'] ?? '').includes('sys_updated_by!=')).length;
  const reconcile = (token?: string): Promise<Response> =>
    fetch(`${dispatcher.ready}/v1/reconcile`, {
      method: 'POST',
      headers: token !== undefined ? { authorization: `Bearer ${token}` } : {},
    });

  it('refuses a webhook without the shared secret’s signature', async () => {
    const body = JSON.stringify({
      webhookEvent: 'jira:issue_deleted',
      user: { accountId: jira.humanUser.accountId },
      issue: { id: '10000', key: 'SEC-1', fields: { labels: [] } },
    });
    expect((await postWebhook(body)).status).toBe(401);
    expect((await postWebhook(body, sign(body, 'not-the-shared-secret-at-all'))).status).toBe(401);
    const tampered = await postWebhook(`${body} `, sign(body, WEBHOOK_SECRET));
    expect(tampered.status).toBe(401);
    expect(await tampered.text()).not.toContain(WEBHOOK_SECRET);
  });

  it('flags a Jira ticket a person closed while its finding is open, leaves it closed, and follows the person’s reopen', async () => {
    const spec = { name: 'wh-1', asset: 'sync-api', cve: 'CVE-2025-2001' } as const;
    const group = groupKey(spec.asset, spec.cve);
    await harness.publish(TOPICS.findingsClassified, classified({ ...spec, tier: 'high' }));
    await harness.settle();
    const [created] = await eventsOf(group, (mine) => mine.some((e) => e.action === 'created'));
    const key = created!.ticketKey;

    const change = await jira.humanTransition(key, 'Done', { resolution: "Won't Do" });
    expect(change.deliveries.map((d) => d.status)).toContain(202);
    const flagged = await eventsOf(group, (mine) =>
      mine.some((e) => e.action === 'human-closed-while-open'),
    );
    const decision = flagged.find((e) => e.action === 'human-decision')!;
    expect(decision).toMatchObject({
      ticketKey: key,
      decision: 'wont-fix',
      actor: jira.humanUser.accountId,
      detail: "closed as Won't Do",
    });
    expect(flagged.find((e) => e.action === 'human-closed-while-open')).toMatchObject({
      decision: 'wont-fix',
      actor: jira.humanUser.accountId,
    });

    // Jira retries a delivery it thinks failed: the same change is recorded once.
    const delivered = change.deliveries.find((d) => d.status === 202)!;
    const again = JSON.stringify(delivered.payload);
    const redelivery = await postWebhook(again, sign(again, WEBHOOK_SECRET));
    expect(redelivery.status).toBe(202);
    expect(await redelivery.json()).toEqual({ outcome: 'duplicate' });

    // The finding keeps coming (re-tiered, and a second finding joins): no reopen, no new ticket.
    await harness.publish(
      TOPICS.findingsClassified,
      classified({
        ...spec,
        tier: 'critical',
        revision: 2,
        change: 'tier-changed',
        previousTier: 'high',
      }),
    );
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ ...spec, name: 'wh-2', component: 'libcrypto' }),
    );
    await harness.settle();
    expect(jira.issue(key)).toMatchObject({ statusCategory: 'done', resolution: "Won't Do" });
    expect(jiraLabelled(idempotencyKey('jira-cloud', group))).toHaveLength(1);
    expect(jira.issues().filter((issue) => issue.summary.includes('sync-api'))).toHaveLength(1);

    // The person changes their mind: hum follows, and resolves the ticket once all is fixed.
    await jira.humanTransition(key, 'Reopened');
    await eventsOf(group, (mine) =>
      mine.some((e) => e.action === 'reopened' && e.actor === jira.humanUser.accountId),
    );
    await harness.publish(TOPICS.findingsResolved, resolved({ ...spec, revision: 3 }));
    await harness.publish(
      TOPICS.findingsResolved,
      resolved({ ...spec, name: 'wh-2', revision: 2 }),
    );
    await harness.settle();
    expect(jira.issue(key)).toMatchObject({ statusCategory: 'done', resolution: 'Done' });
    const all = await eventsOf(group, (mine) => mine.some((e) => e.action === 'resolved'));
    expect(all.map((e) => e.action).filter((a) => a !== 'updated' && a !== 'commented')).toEqual([
      'created',
      'human-decision',
      'human-closed-while-open',
      'reopened',
      'resolved',
    ]);
  });

  it('reads a ServiceNow incident resolved by a person from the poll, and leaves it resolved', async () => {
    const spec = { name: 'sn-1', asset: 'itsm-api', team: 'itsm', cve: 'CVE-2025-2002' } as const;
    const group = groupKey(spec.asset, spec.cve);
    await harness.publish(TOPICS.findingsClassified, classified({ ...spec, tier: 'critical' }));
    await harness.settle();
    const [created] = await eventsOf(group, (mine) => mine.some((e) => e.action === 'created'));
    const correlation = idempotencyKey('servicenow', group);
    const incidents = snow
      .records('incident')
      .filter((r) => r.fields['correlation_id'] === correlation);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.number).toBe(created!.ticketKey);
    expect(incidents[0]!.fields).toMatchObject({ urgency: '1', impact: '1' });

    snow.humanUpdate(incidents[0]!.sysId, {
      state: '6',
      close_code: 'Known error',
      close_notes: 'Accepted until the vendor ships a fix.',
    });
    const flagged = await eventsOf(group, (mine) =>
      mine.some((e) => e.action === 'human-closed-while-open'),
    );
    expect(flagged.find((e) => e.action === 'human-decision')).toMatchObject({
      provider: 'servicenow',
      decision: 'wont-fix',
      actor: snow.humanUser.userName,
    });

    await harness.publish(
      TOPICS.findingsClassified,
      classified({
        ...spec,
        tier: 'high',
        revision: 2,
        change: 'tier-changed',
        previousTier: 'critical',
      }),
    );
    await harness.settle();
    // Later polls see the same change again (same second, same version): still one decision.
    const before = polls();
    await waitFor(() => polls() >= before + 2, { describe: 'two more polls', timeoutMs: 30_000 });
    const after = snow
      .records('incident')
      .filter((r) => r.fields['correlation_id'] === correlation);
    expect(after).toHaveLength(1);
    expect(after[0]!.fields['state']).toBe('6');
    const mine = await eventsOf(group, (events) =>
      events.some((e) => e.action === 'human-closed-while-open'),
    );
    expect(mine.filter((e) => e.action === 'human-decision')).toHaveLength(1);
  });

  it('gives a group left without a ticket (a person deleted it, the webhook said so) a new one on reconciliation', async () => {
    const spec = { name: 'gone-1', asset: 'gone-api', cve: 'CVE-2025-2003' } as const;
    const group = groupKey(spec.asset, spec.cve);
    await harness.publish(TOPICS.findingsClassified, classified(spec));
    await harness.settle();
    const [created] = await eventsOf(group, (mine) => mine.some((e) => e.action === 'created'));
    const deletedKey = created!.ticketKey;

    expect((await asPerson('DELETE', `/rest/api/3/issue/${deletedKey}`)).status).toBe(204);
    await waitFor(
      () =>
        jira
          .webhookDeliveries()
          .some(
            (d) =>
              d.webhookEvent === 'jira:issue_deleted' &&
              d.issueKey === deletedKey &&
              d.status === 202,
          ),
      { describe: 'the dispatcher to take the deletion webhook', timeoutMs: 30_000 },
    );
    // The ledger now holds the group, its open finding, and no ticket: nothing is created until
    // the next event or a reconciliation.
    const successorLabel = idempotencyKey('jira-cloud', group, 2);
    expect(jiraLabelled(successorLabel)).toEqual([]);

    const response = await reconcile(OPS_TOKEN);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      providers: Array<{
        provider: string;
        repairs: Array<{ groupKey: string; action: string; detail: string; ticket?: string }>;
        failures: string[];
      }>;
    };
    const jiraReport = report.providers.find((p) => p.provider === 'jira-cloud')!;
    expect(jiraReport.failures).toEqual([]);
    const successor = jiraLabelled(successorLabel);
    expect(successor).toHaveLength(1);
    expect(successor[0]!.key).not.toBe(deletedKey);
    expect(successor[0]!.statusCategory).not.toBe('done');
    expect(jiraReport.repairs.filter((r) => r.groupKey === group)).toEqual([
      {
        groupKey: group,
        ticket: successor[0]!.key,
        action: 'repaired',
        detail: 'the group had no ticket',
      },
    ]);
    const mine = await eventsOf(group, (events) => events.some((e) => e.action === 'repaired'));
    expect(mine.find((e) => e.action === 'repaired')).toMatchObject({
      ticketKey: successor[0]!.key,
      detail: 'the group had no ticket',
    });
    expect(jira.issues().filter((issue) => issue.summary.includes('gone-api'))).toHaveLength(1);
  });

  it('reconciles drift — a deleted ticket, a duplicate, a lost key label — and reports what it did', async () => {
    // Without the webhook, the deletion below is drift only reconciliation can find.
    jira.setWebhook(undefined);
    const cves = ['CVE-2025-3001', 'CVE-2025-3002', 'CVE-2025-3003'];
    for (const [i, cve] of cves.entries())
      await harness.publish(
        TOPICS.findingsClassified,
        classified({ name: `rc-${i}`, asset: 'drift-api', cve }),
      );
    await harness.settle();
    const [deleted, duplicated, unlabelled] = cves.map((cve) => {
      const label = idempotencyKey('jira-cloud', groupKey('drift-api', cve));
      const issues = jiraLabelled(label);
      expect(issues).toHaveLength(1);
      return { group: groupKey('drift-api', cve), label, key: issues[0]!.key };
    });

    expect((await asPerson('DELETE', `/rest/api/3/issue/${deleted!.key}`)).status).toBe(204);
    const copy = await asPerson('POST', '/rest/api/3/issue', {
      fields: {
        project: { key: 'SEC' },
        issuetype: { name: 'Bug' },
        summary: 'CVE-2025-3002 in openssl (copy)',
        labels: ['hum', duplicated!.label],
      },
    });
    expect(copy.status).toBe(201);
    const copyKey = ((await copy.json()) as { key: string }).key;
    expect(
      (
        await asPerson('PUT', `/rest/api/3/issue/${unlabelled!.key}`, {
          update: { labels: [{ remove: unlabelled!.label }] },
        })
      ).status,
    ).toBe(204);

    expect((await reconcile()).status).toBe(401);
    const response = await reconcile(OPS_TOKEN);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      providers: Array<{
        provider: string;
        repairs: Array<{ groupKey: string; action: string; detail: string; ticket?: string }>;
        failures: string[];
        orphans: string[];
      }>;
      expiredEarlyPatchNotes: number;
    };
    // Nothing here waited a week for its finding.
    expect(report.expiredEarlyPatchNotes).toBe(0);
    const jiraReport = report.providers.find((p) => p.provider === 'jira-cloud')!;
    expect(jiraReport.failures).toEqual([]);
    expect(jiraReport.orphans).toEqual([]);
    const repairs = (group: string) =>
      jiraReport.repairs.filter((r) => r.groupKey === group).map((r) => r.detail);
    expect(repairs(deleted!.group)).toEqual([`ticket ${deleted!.key} was deleted; recreated`]);
    expect(repairs(duplicated!.group)).toEqual([
      `closed duplicate ${copyKey} of ${duplicated!.key}`,
    ]);
    expect(repairs(unlabelled!.group)).toEqual([`restored the key label on ${unlabelled!.key}`]);
    expect(report.providers.find((p) => p.provider === 'servicenow')!.failures).toEqual([]);

    // The tracker now matches the ledger.
    const successor = jiraLabelled(idempotencyKey('jira-cloud', deleted!.group, 2));
    expect(successor).toHaveLength(1);
    expect(successor[0]!.statusCategory).not.toBe('done');
    expect(jira.issue(copyKey)).toMatchObject({ statusCategory: 'done', resolution: 'Duplicate' });
    expect(jira.issue(duplicated!.key)!.statusCategory).not.toBe('done');
    expect(jira.issue(unlabelled!.key)!.labels).toContain(unlabelled!.label);

    const events = await harness.ticketEvents((all) =>
      cves.every((cve) =>
        all.some((e) => e.groupKey === groupKey('drift-api', cve) && e.action === 'repaired'),
      ),
    );
    expect(
      events.find((e) => e.groupKey === deleted!.group && e.action === 'repaired')!.ticketKey,
    ).toBe(successor[0]!.key);

    // Nothing left to repair: a second run changes nothing.
    const second = (await (await reconcile(OPS_TOKEN)).json()) as typeof report;
    expect(second.providers.flatMap((p) => p.repairs)).toEqual([]);
  });

  it('never writes a credential to its logs, tickets.events, audit.log or a dead-letter topic', async () => {
    const { leaks, searched } = await credentialLeaks(harness, [
      OPS_TOKEN,
      WEBHOOK_SECRET,
      ...Object.values(trackers).flatMap((tracker) => tracker.secrets()),
    ]);
    expect(leaks).toEqual([]);
    // Webhooks, polls, repairs and their audit records were all in what was searched.
    expect(searched['tickets.events']).toBeGreaterThanOrEqual(10);
    expect(searched['audit.log']).toBeGreaterThanOrEqual(5);
  });
});
