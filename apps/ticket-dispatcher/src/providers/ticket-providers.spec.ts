// The trackers as the dispatcher builds them from its environment (config, routing file),
// talking real HTTP to the fakes of libs/testing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createLogger } from '@hum/observability';
import { startFakeServiceNow, type FakeServiceNow } from '@hum/testing';
import {
  documentOf,
  idempotencyKey,
  paragraph,
  text,
  type TicketDraft,
  TicketRouting,
} from '@hum/ticketing';
import { loadDispatcherConfig } from '../config';
import { DispatcherMetrics } from '../dispatcher-metrics';
import { TicketProviders } from './ticket-providers';

const ROUTING = `
routes:
  - name: security-incidents
    provider: servicenow
    assignmentGroup: Security Operations
`;

function draft(groupKey: string): TicketDraft {
  return {
    idempotencyKey: idempotencyKey('servicenow', groupKey),
    target: { assignmentGroup: 'Security Operations', labels: [], components: [] },
    summary: `[hum] CRITICAL CVE-2024-3094 in build-agent (${groupKey})`,
    body: documentOf(paragraph(text('xz 5.6.0 is backdoored.'))),
    tier: 'critical',
    dueDate: '2026-01-08',
    facts: { groupKey, tier: 'critical', findingCount: 1 },
  };
}

describe('ServiceNow on a table other than incident (SERVICENOW_TABLE, fake ServiceNow)', () => {
  let snow: FakeServiceNow;
  let dir: string;
  let providers: TicketProviders;

  beforeAll(async () => {
    // The instance has both tables, as a real one does: hum must write only to the configured one.
    snow = await startFakeServiceNow({ tables: ['incident', 'sn_si_incident'] });
    dir = mkdtempSync(path.join(tmpdir(), 'hum-providers-'));
    const routingFile = path.join(dir, 'routing.yaml');
    writeFileSync(routingFile, ROUTING);
    const config = loadDispatcherConfig({
      HUM_OPS_TOKEN: 'ops-token-0123456789',
      KAFKA_BROKERS: '127.0.0.1:9092',
      TICKET_PROVIDERS: 'servicenow',
      TICKET_ROUTING_FILE: routingFile,
      SERVICENOW_URL: snow.url,
      SERVICENOW_USERNAME: snow.botUser.userName,
      SERVICENOW_PASSWORD: snow.botUser.password,
      SERVICENOW_TABLE: 'sn_si_incident',
    });
    providers = TicketProviders.fromConfig(
      config,
      TicketRouting.load(routingFile, config.TICKET_PROVIDERS),
      new DispatcherMetrics(new Registry()),
      createLogger({ service: 'ticket-providers-spec', level: 'silent' }),
    );
  });

  afterAll(async () => {
    expect(snow.internalErrors).toEqual([]);
    await snow.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, finds, comments, resolves, reopens, lists and polls records of that table only', async () => {
    const provider = providers.get('servicenow');
    const key = idempotencyKey('servicenow', 'asset-vuln:build-agent:CVE-2024-3094');
    const created = await provider.create(draft('asset-vuln:build-agent:CVE-2024-3094'));
    expect(created.key).toMatch(/^SIR\d+$/);
    expect(snow.record(created.id, 'sn_si_incident')!.fields).toMatchObject({
      correlation_id: key,
      urgency: '1',
      impact: '1',
    });

    expect((await provider.find(key)).map((ticket) => ticket.id)).toEqual([created.id]);
    await provider.comment(created, documentOf(paragraph(text('Another finding joined.'))));
    await provider.resolve(created, documentOf(paragraph(text('All fixed.'))), 'fixed');
    expect(snow.record(created.id, 'sn_si_incident')!.fields).toMatchObject({
      state: '6',
      close_code: 'Solution provided',
    });
    expect(await provider.reopen(created, documentOf(paragraph(text('Back again.'))))).toBe(
      'reopened',
    );
    const listed: string[] = [];
    for await (const page of provider.listManaged()) listed.push(...page.map((t) => t.key));
    expect(listed).toEqual([created.key]);

    snow.humanUpdate(
      created.id,
      { state: '6', close_code: 'Known error', close_notes: 'Accepted for now.' },
      { table: 'sn_si_incident' },
    );
    const changes = await providers.serviceNow()!.changedSince('1970-01-01 00:00:00');
    expect(changes.map((change) => change.ticket.key)).toEqual([created.key]);

    expect(snow.records('incident')).toEqual([]);
    const tables = new Set(
      snow
        .requests()
        .filter((request) => request.path.startsWith('/api/now/table/'))
        .map((request) => request.path.split('/')[4]),
    );
    expect([...tables]).toEqual(['sn_si_incident']);
  });
});
