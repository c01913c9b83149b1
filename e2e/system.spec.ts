import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ClassifiedFindingV1,
  type RemediationEventV1,
  ticketGroupKey,
  TOPICS,
} from '@hum/contracts';
import {
  buildWorkspace,
  createTestDatabase,
  type FakeGitHub,
  type FakeJiraCloud,
  type FakeServiceNow,
  readTopic,
  startFakeJiraCloud,
  startFakeServiceNow,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { idempotencyKey } from '@hum/ticketing';
import { Api, bootstrapPasswords, login } from './support/admin-api';
import {
  startWebPortalGitHub,
  WEB_PORTAL_REPOSITORY,
  writePatcherConfig,
} from './support/web-portal';
import { trivyReport, type TrivyVulnerability } from './support/trivy-report';

const OPS_TOKEN = 'system-ops-token-0123456789abcdef';
const READY = /"url":"(http:\/\/[^"]+)"/;

const FINDINGS: TrivyVulnerability[] = [
  // LOW on a staging, internet-facing repository: the `low` tier, patchable (5.22.0 -> 5.28.3).
  { id: 'CVE-2023-45143', pkg: 'undici', installed: '5.22.0', fixed: '5.28.3', severity: 'LOW' },
  // MEDIUM there: the `medium` tier, which is in dry-run: a plan, never a pull request.
  { id: 'CVE-2022-25883', pkg: 'semver', installed: '7.3.8', fixed: '7.5.2', severity: 'MEDIUM' },
];

describe('hum end to end (each service a process; real broker and PostgreSQL; fake Jira, ServiceNow and GitHub)', () => {
  let build: WorkspaceBuild;
  let work: string;
  let prefix: string;
  const databases: TestDatabase[] = [];
  const services = new Map<string, ServiceProcess>();
  let jira: FakeJiraCloud;
  let gitHub: FakeGitHub;
  let serviceNow: FakeServiceNow;
  let pipelineKey: string;
  let admin: Api;
  let approver: Api;

  const common = (): Record<string, string> => ({
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HUM_OPS_TOKEN: OPS_TOKEN,
    PORT: '0',
  });

  async function database(label: string): Promise<Record<string, string>> {
    const db = await createTestDatabase(label);
    databases.push(db);
    return { DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema };
  }

  async function start(name: string, env: Record<string, string>): Promise<ServiceProcess> {
    const service = await startServiceProcess({
      entry: build.entry(`apps/${name}/src/main.js`),
      env: { ...common(), HUM_INSTANCE_ID: `${name}-e2e`, ...env },
      readyPattern: READY,
      timeoutMs: 120_000,
    });
    services.set(name, service);
    return service;
  }

  beforeAll(async () => {
    build = buildWorkspace('system');
    work = mkdtempSync(path.join(tmpdir(), 'hum-system-'));
    prefix = uniqueTopicPrefix('system');
    jira = await startFakeJiraCloud();
    serviceNow = await startFakeServiceNow();
    gitHub = await startWebPortalGitHub();

    const credentials = path.join(work, 'admin-credentials.txt');
    const policyAdmin = await start('policy-admin', {
      ...(await database('sys_admin')),
      ADMIN_BOOTSTRAP_CREDENTIALS_FILE: credentials,
    });
    const passwords = bootstrapPasswords(credentials);
    admin = await login(policyAdmin.ready, 'admin', passwords.get('admin')!);
    approver = await login(policyAdmin.ready, 'approver', passwords.get('approver')!);
    // The pipeline's key, made the way a platform team makes it: in policy-admin, shown once.
    const key = await admin.call<{ token: string }>('POST', '/v1/api-keys', {
      name: 'web-portal CI',
      permissions: ['scans:publish', 'gate:read'],
      assets: ['web-portal', 'ledger-db'],
    });
    expect(key.status).toBe(201);
    pipelineKey = key.body.token;

    const patcherConfig = writePatcherConfig(work, gitHub);
    await Promise.all([
      start('ingest-gateway', { GATEWAY_SPOOL_DIR: path.join(work, 'spool') }),
      database('sys_classifier').then((db) => start('risk-classifier', db)),
      database('sys_dispatcher').then((db) =>
        start('ticket-dispatcher', {
          ...db,
          TICKET_PROVIDERS: 'jira-cloud,servicenow',
          TICKET_ROUTING_FILE: path.join(__dirname, 'support/routing.system.yaml'),
          SERVICENOW_URL: serviceNow.url,
          SERVICENOW_USERNAME: serviceNow.botUser.userName,
          SERVICENOW_PASSWORD: serviceNow.botUser.password,
          JIRA_CLOUD_URL: jira.url,
          JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
          JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken!,
        }),
      ),
      database('sys_patcher').then((db) =>
        start('auto-patcher', {
          ...db,
          PATCHER_OPERATOR_TOKEN: 'system-operator-token-0123456789',
          PATCHER_CONFIG_FILE: patcherConfig,
          PATCHER_GITHUB_TOKEN: gitHub.botToken,
        }),
      ),
    ]);
  }, 600_000);

  afterAll(async () => {
    const exits = await Promise.all(
      [...services.entries()].map(async ([name, service]) => [name, (await service.stop()).code]),
    );
    await jira?.close();
    await serviceNow?.close();
    await gitHub?.close();
    await Promise.all(databases.map((db) => db.cleanup()));
    build?.remove();
    rmSync(work, { recursive: true, force: true });
    expect(exits.filter(([, code]) => code !== 0)).toEqual([]);
  }, 120_000);

  const WEB_PORTAL = {
    asset: 'web-portal',
    assetType: 'repository',
    environment: 'staging',
    exposure: 'internet',
    team: 'web',
    repository: WEB_PORTAL_REPOSITORY,
  };
  const publish = (
    report: string,
    context: Record<string, string> = WEB_PORTAL,
  ): Promise<Response> =>
    fetch(`${services.get('ingest-gateway')!.ready}/v1/scans?${new URLSearchParams(context)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pipelineKey}` },
      body: report,
    });

  it('an admin alone raises `low`; raising `medium` waits for a second person', async () => {
    const low = await admin.call<{ proposal: { state: string } }>('POST', '/v1/proposals', {
      change: { kind: 'tier', tier: 'low', mode: 'on' },
      reason: 'auto-patch low-risk dependency fixes',
    });
    expect(low.status).toBe(201);
    expect(low.body.proposal.state).toBe('applied');
    const medium = await admin.call<{ proposal: { id: string; state: string } }>(
      'POST',
      '/v1/proposals',
      { change: { kind: 'tier', tier: 'medium', mode: 'dry-run' }, reason: 'see the plans first' },
    );
    expect(medium.body.proposal.state).toBe('pending');
    expect(
      (await admin.call('POST', `/v1/proposals/${medium.body.proposal.id}/approve`)).status,
    ).toBe(403);
    const approved = await approver.call<{ applied: { decidedBy: string[] } }>(
      'POST',
      `/v1/proposals/${medium.body.proposal.id}/approve`,
    );
    expect(approved.status).toBe(200);
    expect(approved.body.applied.decidedBy).toEqual(['admin', 'approver']);
    // The patcher follows policy.state: both changes are live there before anything is published.
    const patcher = new Api(
      services.get('auto-patcher')!.ready,
      'system-operator-token-0123456789',
    );
    await waitFor(
      async () => {
        const tiers = await patcher.call<{ tiers: { tier: string; mode: string }[] }>(
          'GET',
          '/v1/tiers',
        );
        const mode = (tier: string): string | undefined =>
          tiers.body.tiers.find((t) => t.tier === tier)?.mode;
        return mode('low') === 'on' && mode('medium') === 'dry-run';
      },
      { timeoutMs: 30_000, describe: 'the patcher following the new policy' },
    );
  });

  it('a published report is classified, ticketed once per group, and its low finding patched by a pull request', async () => {
    const accepted = await publish(trivyReport(FINDINGS));
    expect(accepted.status).toBe(202);
    const { scanId } = (await accepted.json()) as { scanId: string };

    const classified = (
      await readTopic({
        topic: `${prefix}${TOPICS.findingsClassified.name}`,
        until: (all) => all.filter((m) => m.value!.includes(scanId)).length >= FINDINGS.length,
        timeoutMs: 90_000,
      })
    ).map((m) => JSON.parse(m.value!) as ClassifiedFindingV1);
    const tiers = new Map(
      classified.map((e) => [e.finding.component?.name, e.classification.tier] as const),
    );
    expect(tiers.get('undici')).toBe('low');
    expect(tiers.get('semver')).toBe('medium');

    // One ticket per asset+vulnerability group, each with a priority and an SLA due date.
    const tickets = await waitFor(
      () => {
        const issues = jira.issues().filter((i) => i.project === 'SEC');
        return issues.length >= FINDINGS.length ? issues : undefined;
      },
      { timeoutMs: 90_000, describe: 'a ticket per finding group in the fake Jira' },
    );
    expect(tickets).toHaveLength(FINDINGS.length);
    for (const finding of FINDINGS) {
      const ticket = tickets.find((t) => t.summary.includes(finding.id));
      expect(ticket).toBeDefined();
      expect(ticket!.duedate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(ticket!.priority).not.toBeNull();
    }

    // The low finding becomes a pull request bumping undici; the other is left alone.
    const pulls = await waitFor(
      () => {
        const open = gitHub.pulls('bank', 'web-portal');
        return open.length > 0 ? open : undefined;
      },
      { timeoutMs: 90_000, describe: 'a pull request in the fake GitHub' },
    );
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.title).toContain('undici');
    const manifest = gitHub.file('bank', 'web-portal', pulls[0]!.head, 'package.json');
    expect(JSON.parse(manifest!).dependencies.undici).toBe('5.28.3');

    const remediation = (
      await readTopic({
        topic: `${prefix}${TOPICS.remediationEvents.name}`,
        until: (all) => all.some((m) => m.value!.includes('"applied"')),
        timeoutMs: 60_000,
      })
    ).map((m) => JSON.parse(m.value!) as RemediationEventV1);
    const byStatus = (status: string): RemediationEventV1[] =>
      remediation.filter((e) => e.status === status);
    expect(byStatus('applied').map((e) => e.fingerprint)).toEqual([
      classified.find((e) => e.finding.component?.name === 'undici')!.finding.fingerprint,
    ]);
    // Dry-run for medium: the plan is recorded, nothing is applied.
    await waitFor(
      async () =>
        (
          await readTopic({
            topic: `${prefix}${TOPICS.remediationEvents.name}`,
            until: (all) => all.some((m) => m.value!.includes('"planned"')),
            timeoutMs: 30_000,
          })
        ).some((m) => m.value!.includes('semver')),
      { timeoutMs: 60_000, describe: 'a dry-run plan for the medium finding' },
    );

    // The dispatcher says so on the finding's ticket.
    await waitFor(
      () =>
        jira
          .issues()
          .find((t) => t.summary.includes('CVE-2023-45143'))
          ?.comments.some((c) => c.text.includes(pulls[0]!.url)),
      { timeoutMs: 60_000, describe: "a comment with the pull request on undici's ticket" },
    );
  }, 400_000);

  it("routes the core-banking team's findings to ServiceNow: an incident per group, urgency and impact from the tier, due on the tier's SLA", async () => {
    const accepted = await publish(
      trivyReport([
        { id: 'CVE-2022-24999', pkg: 'qs', installed: '6.5.2', fixed: '6.5.3', severity: 'HIGH' },
      ]),
      {
        asset: 'ledger-db',
        assetType: 'container-image',
        environment: 'prod',
        exposure: 'internal',
        team: 'core-banking',
      },
    );
    expect(accepted.status).toBe(202);
    const { scanId } = (await accepted.json()) as { scanId: string };
    const [classified] = (
      await readTopic({
        topic: `${prefix}${TOPICS.findingsClassified.name}`,
        until: (all) => all.some((m) => m.value!.includes(scanId)),
        timeoutMs: 90_000,
      })
    )
      .filter((m) => m.value!.includes(scanId))
      .map((m) => JSON.parse(m.value!) as ClassifiedFindingV1);
    const tier = classified!.classification.tier;
    expect(tier).not.toBe('info');

    const incident = await waitFor(() => serviceNow.records('incident')[0], {
      timeoutMs: 90_000,
      describe: 'an incident in the fake ServiceNow',
    });
    expect(serviceNow.records('incident')).toHaveLength(1);
    const levels = {
      critical: ['1', '1'],
      high: ['1', '2'],
      medium: ['2', '2'],
      low: ['3', '2'],
    } as const;
    const slaDays = { critical: 7, high: 30, medium: 90, low: 180 } as const;
    const ticketed = tier as keyof typeof slaDays;
    expect([incident.fields['urgency'], incident.fields['impact']]).toEqual([...levels[ticketed]]);
    expect(incident.fields['correlation_id']).toBe(
      idempotencyKey('servicenow', ticketGroupKey('asset-vulnerability', classified!.finding)),
    );
    expect(incident.fields['assignment_group']).toMatch(/^[0-9a-f]{32}$/);
    expect(incident.fields['short_description']).toContain('CVE-2022-24999');
    const due = Date.parse(`${incident.fields['due_date']!.slice(0, 10)}T00:00:00Z`);
    const expected =
      Date.parse(classified!.classification.classifiedAt) + slaDays[ticketed] * 86_400_000;
    // The due date is a day, taken when the ticket was made: within a day of the SLA.
    expect(Math.abs(due - expected)).toBeLessThanOrEqual(86_400_000);
    // Routed away from Jira: the only Jira tickets are web-portal's.
    expect(jira.issues().filter((i) => i.summary.includes('CVE-2022-24999'))).toEqual([]);
  }, 200_000);

  it('a patch GitHub refuses becomes a failed remediation and a ticket for the deploying team', async () => {
    // GitHub refuses the pull request (a permanent 422): the attempt fails, once.
    gitHub.inject({
      kind: 'status',
      status: 422,
      match: { method: 'POST', path: '/repos/bank/web-portal/pulls' },
      forMs: 120_000,
    });
    const accepted = await publish(
      trivyReport([
        ...FINDINGS,
        { id: 'CVE-2017-16137', pkg: 'debug', installed: '4.1.1', fixed: '4.3.1', severity: 'LOW' },
      ]),
    );
    expect(accepted.status).toBe(202);
    const failed = await waitFor(
      async () =>
        (
          await readTopic({
            topic: `${prefix}${TOPICS.remediationEvents.name}`,
            until: (all) => all.some((m) => m.value!.includes('"failed"')),
            timeoutMs: 30_000,
          })
        )
          .map((m) => JSON.parse(m.value!) as RemediationEventV1)
          .find((e) => e.status === 'failed'),
      { timeoutMs: 120_000, describe: 'a failed remediation event' },
    );
    expect(JSON.stringify(failed)).toContain('debug');
    const opsTicket = await waitFor(() => jira.issues().find((i) => i.project === 'OPS'), {
      timeoutMs: 60_000,
      describe: 'a ticket in OPS for the failed patch',
    });
    expect(opsTicket.labels).toContain('auto-patch');
    expect(gitHub.pulls('bank', 'web-portal')).toHaveLength(1);
    gitHub.clearFaults();
  }, 300_000);

  it('a later clean scan, published with the CLI and the prod gate, resolves the findings and closes their tickets', async () => {
    const clean = path.join(work, 'clean.json');
    writeFileSync(clean, trivyReport([]));
    const run = spawnSync(
      process.execPath,
      [
        build.entry('apps/cli/src/main.js'),
        'publish',
        clean,
        '--asset',
        'web-portal',
        '--env',
        'staging',
        '--exposure',
        'internet',
        '--repository',
        WEB_PORTAL_REPOSITORY,
        '--gateway',
        services.get('ingest-gateway')!.ready,
        '--gate',
        'prod',
        '--gate-url',
        services.get('risk-classifier')!.ready,
      ],
      { env: { PATH: process.env['PATH'] ?? '', HUM_API_KEY: pipelineKey }, encoding: 'utf8' },
    );
    // Nothing is left open once the clean scan is classified: the gate passes.
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('gate prod for web-portal: PASS');
    expect(run.status).toBe(0);
    await waitFor(
      () => {
        const open = jira
          .issues()
          .filter((i) => i.project === 'SEC' && i.statusCategory !== 'done');
        return open.length === 0;
      },
      { timeoutMs: 90_000, describe: 'every ticket done' },
    );
    expect(gitHub.pulls('bank', 'web-portal')).toHaveLength(1);
  }, 200_000);

  it('shows in policy-admin when the pipeline key was last used at the gateway', async () => {
    const used = await waitFor(
      async () => {
        const keys = await admin.call<{ keys: { name: string; lastUsedAt?: string }[] }>(
          'GET',
          '/v1/api-keys',
        );
        return keys.body.keys.find((k) => k.name === 'web-portal CI' && k.lastUsedAt);
      },
      { timeoutMs: 60_000, describe: "the key's last use reported back" },
    );
    expect(Date.parse(used.lastUsedAt!)).toBeGreaterThan(Date.now() - 15 * 60_000);
  });

  it('leaves an intact audit chain behind', async () => {
    const verified = await admin.call<{ ok: boolean; checked: number }>(
      'GET',
      '/v1/audit/verify?chain=policy-admin',
    );
    expect(verified.status).toBe(200);
    expect(verified.body.ok).toBe(true);
    expect(verified.body.checked).toBeGreaterThan(3);
  });
});
