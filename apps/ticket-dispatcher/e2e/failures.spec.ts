// Failure handling as a process: 429 with Retry-After honoured, permanent refusals dead-lettered
// at once with the tracker's own message, transient outages dead-lettered after the attempts
// (on each tracker), `hum dlq replay` re-driving them into tickets once the tracker is back,
// and no credential in any of it.
import { DLQ_HEADERS, TOPICS } from '@hum/contracts';
import {
  readTopic,
  type FakeJiraCloud,
  type FakeJiraDataCenter,
  type FakeServiceNow,
  type TopicMessage,
} from '@hum/testing';
import { idempotencyKey } from '@hum/ticketing';
import { classified, credentialLeaks, DispatcherHarness, OPS_TOKEN, runNode } from './support';
import { JiraCloudTracker, JiraDataCenterTracker, ServiceNowTracker } from './trackers';

const ROUTING = `
routes:
  - name: broken
    match: { teams: [broken] }
    provider: jira-cloud
    project: SEC
    issueType: NoSuchIssueType
  - name: datacenter
    match: { teams: [datacenter] }
    provider: jira-dc
    project: SEC
  - name: itsm
    match: { teams: [itsm] }
    provider: servicenow
    assignmentGroup: Security Operations
  - name: all
    provider: jira-cloud
    project: SEC
`;

describe('failure handling (process, broker, PostgreSQL, fake Jira)', () => {
  const trackers = {
    jira: new JiraCloudTracker(),
    dc: new JiraDataCenterTracker(),
    snow: new ServiceNowTracker(),
  };
  let jira: FakeJiraCloud;
  let dc: FakeJiraDataCenter;
  let snow: FakeServiceNow;
  const harness = new DispatcherHarness({
    label: 'failures',
    routing: ROUTING,
    providers: 'jira-cloud,jira-dc,servicenow',
    env: () => ({
      ...trackers.jira.env(),
      ...trackers.dc.env(),
      ...trackers.snow.env(),
      TICKET_MAX_ATTEMPTS: '3',
      TICKET_RETRY_INITIAL: '100',
      TICKET_RETRY_MAX: '500',
      TICKET_BREAKER_FAILURES: '50',
      TICKET_HTTP_TIMEOUT: '2s',
    }),
  });

  beforeAll(async () => {
    await Promise.all(Object.values(trackers).map((tracker) => tracker.start()));
    [jira, dc, snow] = [trackers.jira.fake, trackers.dc.fake, trackers.snow.fake];
    await harness.setUp();
    await harness.start();
  });

  afterAll(async () => {
    if (process.env['DISPATCHER_SPEC_DEBUG']) {
      for (const p of harness.history) process.stderr.write(`${p.output()}\n----\n`);
    }
    const exits = await harness.tearDown();
    await Promise.all(Object.values(trackers).map((tracker) => tracker.close()));
    expect(exits.map((exit) => exit.code)).toEqual([0]);
  });

  const dlq = (until: (all: readonly TopicMessage[]) => boolean): Promise<TopicMessage[]> =>
    readTopic({ topic: harness.topics.dlqOf(TOPICS.findingsClassified), until, timeoutMs: 60_000 });
  const label = (asset: string): string =>
    idempotencyKey('jira-cloud', `asset-vuln:${asset}:CVE-2024-0001`);

  it('waits as long as a 429 says (Retry-After) and then creates the ticket once', async () => {
    jira.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
      match: { method: 'POST', path: '/rest/api/3/search/jql' },
    });
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'rl-1', asset: 'rate-api' }),
    );
    await harness.settle();
    const searches = jira.requests({ method: 'POST', path: '/rest/api/3/search/jql' });
    expect(searches.slice(0, 3).map((r) => r.status)).toEqual([429, 429, 200]);
    // The third search went out no sooner than the second 429 allowed.
    expect(Date.parse(searches[2]!.at) - Date.parse(searches[1]!.at)).toBeGreaterThanOrEqual(900);
    expect(jira.issues().filter((issue) => issue.labels.includes(label('rate-api')))).toHaveLength(
      1,
    );
  });

  it("dead-letters a permanent refusal at once, with Jira's field message", async () => {
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'bad-1', asset: 'broken-api', team: 'broken' }),
    );
    const letters = await dlq((all) => all.length >= 1);
    const letter = letters[0]!;
    expect(letter.headers[DLQ_HEADERS.errorKind]).toBe('handler-failed');
    expect(letter.headers[DLQ_HEADERS.attempts]).toBe('1');
    expect(letter.headers[DLQ_HEADERS.reason]).toContain('TicketRequestRejectedError');
    expect(letter.headers[DLQ_HEADERS.reason]).toContain(
      'issuetype: The issue type selected is invalid.',
    );
    expect(jira.issues().some((issue) => issue.summary.includes('broken-api'))).toBe(false);
  });

  it('dead-letters after the attempts run out while Jira is down, and `hum dlq replay` re-drives it', async () => {
    jira.inject({ kind: 'status', status: 503, forMs: 600_000, match: { path: '/rest/api/3/*' } });
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'down-1', asset: 'down-api' }),
    );
    const letters = await dlq((all) =>
      all.some((m) => m.headers[DLQ_HEADERS.errorKind] === 'retries-exhausted'),
    );
    const exhausted = letters.find(
      (m) => m.headers[DLQ_HEADERS.errorKind] === 'retries-exhausted',
    )!;
    expect(exhausted.headers[DLQ_HEADERS.attempts]).toBe('3');
    expect(exhausted.headers[DLQ_HEADERS.reason]).toMatch(
      /TicketProviderUnavailableError: jira-cloud POST \/rest\/api\/3\/search\/jql: server error/,
    );
    expect(jira.issues().some((issue) => issue.summary.includes('down-api'))).toBe(false);

    jira.clearFaults();
    const replay = await runNode(harness.build.entry('apps/cli/src/main.js'), [
      'dlq',
      'replay',
      'findings.classified',
      '--kind',
      'retries-exhausted',
      '--brokers',
      harness.env('cli').KAFKA_BROKERS!,
      '--topic-prefix',
      harness.topics.prefix,
      '--json',
    ]);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ replayed: 1 });
    await harness.settle();
    expect(jira.issues().filter((issue) => issue.labels.includes(label('down-api')))).toHaveLength(
      1,
    );
  });

  it('dead-letters while Jira Data Center or ServiceNow is down, naming the tracker', async () => {
    dc.inject({ kind: 'status', status: 503, forMs: 600_000, match: { path: '/rest/api/2/*' } });
    snow.inject({ kind: 'status', status: 503, forMs: 600_000, match: { path: '/api/now/*' } });
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'down-dc', asset: 'dc-api', team: 'datacenter' }),
    );
    await harness.publish(
      TOPICS.findingsClassified,
      classified({ name: 'down-snow', asset: 'itsm-api', team: 'itsm' }),
    );
    const reasons = (letters: readonly TopicMessage[]): string[] =>
      letters
        .filter((m) => m.headers[DLQ_HEADERS.errorKind] === 'retries-exhausted')
        .map((m) => m.headers[DLQ_HEADERS.reason]!);
    const letters = await dlq((all) => {
      const seen = reasons(all).join('\n');
      return seen.includes('jira-dc ') && seen.includes('servicenow ');
    });
    expect(reasons(letters)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /TicketProviderUnavailableError: jira-dc \S+ \/rest\/api\/2\/\S+: server error/,
        ),
        expect.stringMatching(
          /TicketProviderUnavailableError: servicenow \S+ \/api\/now\/table\/incident: server error/,
        ),
      ]),
    );
    dc.clearFaults();
    snow.clearFaults();
  });

  it('never writes a credential to its logs, tickets.events, audit.log or a dead-letter topic', async () => {
    const { leaks, searched } = await credentialLeaks(harness, [
      OPS_TOKEN,
      ...Object.values(trackers).flatMap((tracker) => tracker.secrets()),
    ]);
    expect(leaks).toEqual([]);
    // Refusals and outages of all three trackers were in what was searched.
    expect(searched['findings.classified.dlq']).toBeGreaterThanOrEqual(4);
    expect(searched['tickets.events']).toBeGreaterThanOrEqual(2);
  });
});
