// A group too long for its tracker's field, composed with the routing the dispatcher loads at
// start and written through the providers it builds, to the fakes: the ticket is cut to fit
// and links to the group's whole list.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import {
  type ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
  type TicketProviderName,
} from '@hum/contracts';
import { createLogger } from '@hum/observability';
import { defaultPolicySnapshot } from '@hum/policy';
import {
  startFakeJiraCloud,
  startFakeJiraDataCenter,
  startFakeServiceNow,
  type FakeJiraCloud,
  type FakeJiraDataCenter,
  type FakeServiceNow,
} from '@hum/testing';
import { groupKeyOf, type TicketDraft, TicketRouting } from '@hum/ticketing';
import { loadDispatcherConfig } from '../config';
import { DispatcherMetrics } from '../dispatcher-metrics';
import { TicketProviders } from '../providers/ticket-providers';
import { loadRouting } from '../routing';
import { GroupPlanner, GroupWork } from './group-plan';
import { DEFAULT_SLA, slaFromPolicy } from './sla';
import { TicketComposer } from './ticket-composer';

const QUICKSTART_ROUTING = path.resolve(__dirname, '../../config/routing.quickstart.yaml');

/** Findings of one asset and vulnerability, each with as much text as the contract allows. */
function longGroup(count: number): ClassifiedFindingV1[] {
  return Array.from({ length: count }, (_, i) => ({
    ...EXAMPLE_CLASSIFIED,
    finding: {
      ...EXAMPLE_CLASSIFIED.finding,
      fingerprint: `${String(i).padStart(4, '0')}${'f'.repeat(60)}`,
      title: `Remote code execution through JNDI lookups in log messages, copy ${i} `.padEnd(
        300,
        '.',
      ),
      component: {
        ...EXAMPLE_CLASSIFIED.finding.component!,
        name: `org.apache.logging.log4j:log4j-core-shaded-into-module-${i}-`.padEnd(300, 'x'),
      },
    },
  }));
}

function composeDraft(
  composer: TicketComposer,
  events: ClassifiedFindingV1[],
  planner = new GroupPlanner(DEFAULT_SLA),
): TicketDraft {
  const first = events[0]!;
  const route = {
    name: 'findings',
    provider: 'jira-cloud' as const,
    grouping: 'asset-vulnerability' as const,
    target: { project: 'SEC', issueType: 'Bug', labels: [], components: [] },
  };
  const group = planner.newFindingsGroup(
    groupKeyOf('asset-vulnerability', first.finding),
    route,
    first,
    new Date('2026-01-10T10:00:00Z'),
  );
  const work = new GroupWork(group, [], true, '0');
  events.forEach((event, i) => planner.applyClassified(work, event, String(i)));
  return composer.draft(work.group, work.memberList());
}

describe('a ticket cut to fit its field links to the whole list of its group', () => {
  let cloud: FakeJiraCloud;
  let dc: FakeJiraDataCenter;
  let snow: FakeServiceNow;
  let dir: string;
  const events = longGroup(60);
  const groupKey = groupKeyOf('asset-vulnerability', events[0]!.finding);

  beforeAll(async () => {
    [cloud, dc, snow] = await Promise.all([
      startFakeJiraCloud(),
      startFakeJiraDataCenter(),
      startFakeServiceNow(),
    ]);
    dir = mkdtempSync(path.join(tmpdir(), 'hum-composer-'));
  });

  afterAll(async () => {
    await Promise.all([cloud.close(), dc.close(), snow.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The dispatcher's own wiring from an environment: config, routing, providers. */
  function dispatcherWith(env: Record<string, string>): {
    composer: TicketComposer;
    providers: TicketProviders;
  } {
    const config = loadDispatcherConfig({
      HUM_OPS_TOKEN: 'ops-token-0123456789',
      KAFKA_BROKERS: '127.0.0.1:9092',
      TICKET_PROVIDERS: 'jira-cloud,jira-dc,servicenow',
      JIRA_CLOUD_URL: cloud.url,
      JIRA_CLOUD_EMAIL: cloud.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: cloud.botUser.apiToken!,
      JIRA_DC_URL: dc.url,
      JIRA_DC_TOKEN: dc.botUser.personalAccessToken!,
      SERVICENOW_URL: snow.url,
      SERVICENOW_USERNAME: snow.botUser.userName,
      SERVICENOW_PASSWORD: snow.botUser.password,
      ...env,
    });
    const routing = loadRouting(config);
    return {
      composer: new TicketComposer(routing),
      providers: TicketProviders.fromConfig(
        config,
        routing,
        new DispatcherMetrics(new Registry()),
        createLogger({ service: 'ticket-composer-spec', level: 'silent' }),
      ),
    };
  }

  /** The description each tracker holds for a ticket created from `draft`. */
  async function written(
    providers: TicketProviders,
    name: TicketProviderName,
    draft: TicketDraft,
  ): Promise<string> {
    const target =
      name === 'servicenow'
        ? { assignmentGroup: 'Security Operations', labels: [], components: [] }
        : draft.target;
    const ticket = await providers.get(name).create({ ...draft, target });
    switch (name) {
      case 'jira-cloud':
        return cloud.issue(ticket.key)!.descriptionText;
      case 'jira-dc':
        return dc.issue(ticket.key)!.descriptionText;
      case 'servicenow':
        return snow.record(ticket.id)!.fields['description']!;
    }
  }

  it("with the quickstart's routing file: the group's page on the quickstart console", async () => {
    const { composer, providers } = dispatcherWith({ TICKET_ROUTING_FILE: QUICKSTART_ROUTING });
    const link = `http://127.0.0.1:8084/console/groups/${encodeURIComponent(groupKey)}`;
    for (const name of ['jira-cloud', 'jira-dc', 'servicenow'] as const) {
      const description = await written(providers, name, composeDraft(composer, events));
      expect(description).toMatch(/and \d+ more not shown here/);
      expect(description).toContain(link);
    }
  });

  it('with a routing file that names no page: the console page under HUM_CONSOLE_URL', async () => {
    const routingFile = path.join(dir, 'routing.yaml');
    writeFileSync(routingFile, 'routes: [{ name: all, provider: jira-cloud, project: SEC }]\n');
    const { composer, providers } = dispatcherWith({
      TICKET_ROUTING_FILE: routingFile,
      HUM_CONSOLE_URL: 'https://hum.bank.example/console',
    });
    const link = `https://hum.bank.example/console/groups/${encodeURIComponent(groupKey)}`;
    for (const name of ['jira-cloud', 'jira-dc', 'servicenow'] as const) {
      const description = await written(providers, name, composeDraft(composer, events));
      expect(description).toMatch(/and \d+ more not shown here/);
      expect(description).toContain(link);
    }
  });
});

describe('what a ticket says of its SLA', () => {
  it('states the days its due date was set with, not days the policy adopted later', () => {
    const routing = TicketRouting.parse(
      'routes: [{ name: all, provider: jira-cloud, project: SEC }]',
      'routing.yaml',
      ['jira-cloud'],
    );
    const composer = new TicketComposer(routing);
    const policy = defaultPolicySnapshot();
    const afterChange = new GroupPlanner(
      slaFromPolicy(() => ({
        ...policy,
        loaded: true,
        tiers: { ...policy.tiers, critical: { ...policy.tiers.critical, slaDays: 3 } },
      })),
    );
    const [event] = longGroup(1);
    // Raised under the default 7 days: still due then, and its text says so.
    const before = composeDraft(composer, [event!]);
    expect(before.dueDate).toBe('2026-11-27');
    expect(JSON.stringify(before.body)).toContain('Due 2026-11-27 (SLA 7 days for critical)');
    const after = composeDraft(composer, [event!], afterChange);
    expect(after.dueDate).toBe('2026-11-23');
    expect(JSON.stringify(after.body)).toContain('Due 2026-11-23 (SLA 3 days for critical)');
  });
});
