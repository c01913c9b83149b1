// The dispatcher as the quickstart runs it: embedded PGlite (no DATABASE_URL), the fake Jira
// Cloud as the only ticket sink, and the routing file shipped in apps/ticket-dispatcher/config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOPICS } from '@hum/contracts';
import { startFakeJiraCloud, type FakeJiraCloud, type ServiceProcess } from '@hum/testing';
import { idempotencyKey } from '@hum/ticketing';
import { classified, DispatcherHarness, OPS_TOKEN, remediation, startDispatcher } from './support';

const ROUTING_FILE = path.resolve(__dirname, '../config/routing.quickstart.yaml');

describe('quickstart configuration (PGlite, fake Jira Cloud as the default sink)', () => {
  let jira: FakeJiraCloud;
  let dispatcher: ServiceProcess | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hum-quickstart-'));
  const harness = new DispatcherHarness({
    label: 'quickstart',
    routing: 'routes: [{ name: unused, provider: jira-cloud, project: SEC }]',
    providers: 'jira-cloud',
    env: () => ({}),
  });

  beforeAll(async () => {
    jira = await startFakeJiraCloud();
    await harness.setUp();
    const { DATABASE_URL: _url, DATABASE_SCHEMA: _schema, ...shared } = harness.env('quickstart');
    dispatcher = await startDispatcher(harness.build.entry('apps/ticket-dispatcher/src/main.js'), {
      ...shared,
      HUM_DATA_DIR: dataDir,
      TICKET_ROUTING_FILE: ROUTING_FILE,
      TICKET_PROVIDERS: 'jira-cloud',
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken!,
    });
  });

  afterAll(async () => {
    const exit = await dispatcher?.stop();
    await harness.tearDown();
    await jira?.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  it('reports a healthy embedded database and raises finding and failed-patch tickets in Jira', async () => {
    const health = await fetch(`${dispatcher!.ready}/health`, {
      headers: { authorization: `Bearer ${OPS_TOKEN}` },
    });
    expect(health.status).toBe(200);
    expect(JSON.stringify(await health.json())).toContain('pglite');

    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'qs-1', asset: 'web-portal', cve: 'CVE-2025-4001', tier: 'critical' }),
    );
    await harness.publish(
      TOPICS.remediationEvents,
      remediation({ name: 'qs-2', asset: 'web-portal', cve: 'CVE-2025-4002', status: 'failed' }),
    );
    await harness.settle();
    const label = idempotencyKey('jira-cloud', 'asset-vuln:web-portal:CVE-2025-4001');
    const [finding] = jira.issues().filter((issue) => issue.labels.includes(label));
    expect(finding).toMatchObject({ project: 'SEC', issueType: 'Bug', priority: 'Highest' });
    expect(finding!.labels).toEqual(expect.arrayContaining(['hum', 'security']));
    expect(finding!.customFields).toMatchObject({
      customfield_10100: 'asset-vuln:web-portal:CVE-2025-4001',
      customfield_10102: 'critical',
    });
    const ops = jira.issues().filter((issue) => issue.project === 'OPS');
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ issueType: 'Task' });
    expect(ops[0]!.labels).toContain('auto-patch');
  });
});
