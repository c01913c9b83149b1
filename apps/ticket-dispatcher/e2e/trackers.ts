// The three trackers as the process-level specs drive them: one shape over the fake Jira
// Cloud, Jira Data Center and ServiceNow, so a case written once runs against each.
import type { TicketProviderName } from '@hum/contracts';
import {
  startFakeJiraCloud,
  startFakeJiraDataCenter,
  startFakeServiceNow,
  type FakeJira,
  type FakeServiceNow,
  type FaultSpec,
} from '@hum/testing';

/** A ticket as a spec checks it, whichever tracker holds it. */
export interface TrackedTicket {
  readonly key: string;
  readonly summary: string;
  readonly text: string;
}

export interface TrackerUnderTest {
  readonly provider: TicketProviderName;
  /** The owner team whose findings the spec's routing sends to this tracker. */
  readonly team: string;
  /** hum's create request, where a spec injects faults. */
  readonly createPath: string;
  /** The routing rule for `team`. */
  readonly route: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The dispatcher's variables for this tracker. */
  env(): Record<string, string>;
  inject(fault: FaultSpec): void;
  clearFaults(): void;
  tickets(): TrackedTicket[];
  /** Tickets carrying a hum idempotency key (label or correlation_id). */
  withKey(key: string): TrackedTicket[];
  /** A ticket a person (or a deployment whose ledger was lost) made with the key; its key. */
  createAsPerson(idempotencyKey: string, summary: string): Promise<string>;
  /** How long search lags creates; ServiceNow's correlation_id query never does. */
  setSearchIndexLag(ms: number): void;
  /** Every credential the dispatcher holds for it, also in the encoded forms sent on the wire. */
  secrets(): string[];
}

/** A Basic authorization's credentials as sent on the wire. */
export const basic = (user: string, password: string): string =>
  Buffer.from(`${user}:${password}`).toString('base64');

async function createdKey(response: Response): Promise<string> {
  if (response.status !== 201) {
    throw new Error(`creating a ticket as a person: ${response.status} ${await response.text()}`);
  }
  const body = (await response.json()) as { key?: string; result?: { number: string } };
  return body.key ?? body.result!.number;
}

/** The running fake behind a tracker, for what only a spec of that tracker asks of it. */
function started<F>(fake: F | undefined, provider: TicketProviderName): F {
  if (fake === undefined) throw new Error(`the ${provider} fake is not started yet`);
  return fake;
}

abstract class JiraTracker implements TrackerUnderTest {
  abstract readonly provider: 'jira-cloud' | 'jira-dc';
  abstract readonly team: string;
  abstract readonly createPath: string;
  private running: FakeJira | undefined;

  constructor(protected readonly searchIndexLagMs = 0) {}

  get fake(): FakeJira {
    return started(this.running, this.provider);
  }

  get route(): string {
    return `{ name: ${this.team}, match: { teams: [${this.team}] }, provider: ${this.provider}, project: SEC, issueType: Bug }`;
  }

  abstract env(): Record<string, string>;
  abstract secrets(): string[];
  protected abstract launch(): Promise<FakeJira>;
  protected abstract personRequest(body: unknown): Promise<Response>;

  async start(): Promise<void> {
    this.running = await this.launch();
  }

  close(): Promise<void> {
    return this.running?.close() ?? Promise.resolve();
  }

  inject(fault: FaultSpec): void {
    this.fake.inject(fault);
  }

  clearFaults(): void {
    this.fake.clearFaults();
  }

  tickets(): TrackedTicket[] {
    return this.fake
      .issues()
      .map((issue) => ({ key: issue.key, summary: issue.summary, text: issue.descriptionText }));
  }

  withKey(key: string): TrackedTicket[] {
    const keys = new Set(
      this.fake
        .issues()
        .filter((issue) => issue.labels.includes(key))
        .map((issue) => issue.key),
    );
    return this.tickets().filter((ticket) => keys.has(ticket.key));
  }

  async createAsPerson(idempotencyKey: string, summary: string): Promise<string> {
    return createdKey(
      await this.personRequest({
        fields: {
          project: { key: 'SEC' },
          issuetype: { name: 'Bug' },
          summary,
          labels: ['hum', idempotencyKey],
        },
      }),
    );
  }

  setSearchIndexLag(ms: number): void {
    this.fake.setSearchIndexLag(ms);
  }
}

export class JiraCloudTracker extends JiraTracker {
  readonly provider = 'jira-cloud' as const;
  readonly team = 'cloud';
  readonly createPath = '/rest/api/3/issue';

  protected launch(): Promise<FakeJira> {
    return startFakeJiraCloud({ searchIndexLagMs: this.searchIndexLagMs });
  }

  env(): Record<string, string> {
    return {
      JIRA_CLOUD_URL: this.fake.url,
      JIRA_CLOUD_EMAIL: this.fake.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: this.fake.botUser.apiToken!,
    };
  }

  secrets(): string[] {
    const { emailAddress, apiToken } = this.fake.botUser;
    return [apiToken!, basic(emailAddress, apiToken!)];
  }

  protected personRequest(body: unknown): Promise<Response> {
    const { emailAddress, apiToken } = this.fake.humanUser;
    return fetch(`${this.fake.url}${this.createPath}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic(emailAddress, apiToken!)}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  }
}

export class JiraDataCenterTracker extends JiraTracker {
  readonly provider = 'jira-dc' as const;
  readonly team = 'datacenter';
  readonly createPath = '/rest/api/2/issue';

  protected launch(): Promise<FakeJira> {
    return startFakeJiraDataCenter({ searchIndexLagMs: this.searchIndexLagMs });
  }

  env(): Record<string, string> {
    return {
      JIRA_DC_URL: this.fake.url,
      JIRA_DC_TOKEN: this.fake.botUser.personalAccessToken!,
    };
  }

  secrets(): string[] {
    return [this.fake.botUser.personalAccessToken!];
  }

  protected personRequest(body: unknown): Promise<Response> {
    return fetch(`${this.fake.url}${this.createPath}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.fake.humanUser.personalAccessToken!}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  }
}

export class ServiceNowTracker implements TrackerUnderTest {
  readonly provider = 'servicenow' as const;
  readonly team = 'itsm';
  readonly createPath = '/api/now/table/incident';
  readonly route = `{ name: itsm, match: { teams: [itsm] }, provider: servicenow, assignmentGroup: Security Operations }`;
  private running: FakeServiceNow | undefined;

  get fake(): FakeServiceNow {
    return started(this.running, this.provider);
  }

  async start(): Promise<void> {
    this.running = await startFakeServiceNow();
  }

  close(): Promise<void> {
    return this.running?.close() ?? Promise.resolve();
  }

  env(): Record<string, string> {
    return {
      SERVICENOW_URL: this.fake.url,
      SERVICENOW_USERNAME: this.fake.botUser.userName,
      SERVICENOW_PASSWORD: this.fake.botUser.password,
    };
  }

  inject(fault: FaultSpec): void {
    this.fake.inject(fault);
  }

  clearFaults(): void {
    this.fake.clearFaults();
  }

  tickets(): TrackedTicket[] {
    return this.fake.records('incident').map((record) => ({
      key: record.number,
      summary: record.fields['short_description'] ?? '',
      text: record.fields['description'] ?? '',
    }));
  }

  withKey(key: string): TrackedTicket[] {
    const numbers = new Set(
      this.fake
        .records('incident')
        .filter((record) => record.fields['correlation_id'] === key)
        .map((record) => record.number),
    );
    return this.tickets().filter((ticket) => numbers.has(ticket.key));
  }

  async createAsPerson(idempotencyKey: string, summary: string): Promise<string> {
    const { userName, password } = this.fake.humanUser;
    return createdKey(
      await fetch(`${this.fake.url}${this.createPath}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic(userName, password)}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          short_description: summary,
          correlation_id: idempotencyKey,
          assignment_group: 'Security Operations',
        }),
      }),
    );
  }

  setSearchIndexLag(): void {
    // A correlation_id query reads the table itself: there is no index to lag.
  }

  secrets(): string[] {
    const { userName, password } = this.fake.botUser;
    return [password, basic(userName, password)];
  }
}

/** The three trackers; Jira's search lags its creates by `searchIndexLagMs`, as Jira's index does. */
export function allTrackers(searchIndexLagMs = 0): TrackerUnderTest[] {
  return [
    new JiraCloudTracker(searchIndexLagMs),
    new JiraDataCenterTracker(searchIndexLagMs),
    new ServiceNowTracker(),
  ];
}
