import { z } from 'zod';
import type { Clock } from '@hum/common';
import { FakeHandle } from '../server/fake-handle';
import { ControlError, FakeHttpServer, type FakeServerOptions } from '../server/fake-http-server';
import {
  BaseUrl,
  type AuthFailure,
  type AuthOutcome,
  type FakeService,
} from '../server/fake-service';
import type { TicketTable } from '../server/html-page';
import { jsonResponse, noContent, type FakeResponse } from '../server/http-types';
import { Router } from '../server/router';
import type { IncomingHttpHeaders } from 'node:http';
import {
  DEFAULT_CUSTOM_FIELDS,
  DEFAULT_ISSUE_TYPES,
  DEFAULT_PRIORITIES,
  DEFAULT_WORKFLOW,
} from './jira-defaults';
import { findUserByAnyName } from './jira-directory';
import type { JiraDialect } from './jira-dialect';
import type { JiraIssueSnapshot } from './jira-snapshot';
import { snapshotIssue } from './jira-snapshot';
import type {
  JiraCustomField,
  JiraProject,
  JiraUserAccount,
  JiraWorkflow,
  NamedEntity,
} from './jira-model';
import { addIssueRoutes, type JiraRouteContext } from './jira-routes';
import { JiraStore } from './jira-store';
import { JiraView } from './jira-view';
import { JiraWebhookSender, type JiraWebhookConfig, type WebhookDelivery } from './jira-webhooks';

export interface JiraProjectInit {
  readonly key: string;
  readonly name?: string;
  /** Issue type names available in the project; all site types when omitted. */
  readonly issueTypes?: readonly string[];
  readonly components?: readonly string[];
}

export interface FakeJiraOptions extends FakeServerOptions {
  /**
   * People on the site. The first is the integration account hum uses, the second the
   * "human" that humanTransition acts as. Missing credentials are generated.
   */
  readonly users?: ReadonlyArray<Partial<JiraUserAccount>>;
  readonly projects?: readonly JiraProjectInit[];
  readonly issueTypes?: readonly NamedEntity[];
  readonly priorities?: readonly NamedEntity[];
  readonly resolutions?: readonly NamedEntity[];
  readonly customFields?: readonly JiraCustomField[];
  readonly workflow?: JiraWorkflow;
  readonly webhook?: JiraWebhookConfig;
  /** New issues stay out of JQL results this long, as Jira Cloud's search index lags. */
  readonly searchIndexLagMs?: number;
}

/** The parts in which Jira Cloud and Jira Data Center differ. */
export interface JiraFlavour {
  readonly name: string;
  readonly title: string;
  readonly dialect: JiraDialect;
  readonly resolutions: readonly NamedEntity[];
  defaultUsers(): JiraUserAccount[];
  completeUser(init: Partial<JiraUserAccount>, index: number): JiraUserAccount;
  authenticate(headers: IncomingHttpHeaders, users: readonly JiraUserAccount[]): AuthOutcome;
  unauthorized(failure: AuthFailure, baseUrl: string): FakeResponse;
  rateLimitHeaders(
    retryAfterSeconds: number,
    limitPerSecond: number,
    now: Date,
  ): Record<string, string>;
  credentialSecrets(user: JiraUserAccount): string[];
  addSearchRoutes(router: Router, context: JiraRouteContext): void;
}

export interface HumanChangeOptions {
  /** Resolution name for a transition into a done status, e.g. "Won't Do". */
  readonly resolution?: string;
  readonly comment?: string;
  /** Who acts; the site's second user by default. Any name, email or accountId. */
  readonly actor?: string;
}

export interface HumanChangeResult {
  readonly issue: JiraIssueSnapshot;
  /** Webhook deliveries the change caused (empty when no webhook is configured). */
  readonly deliveries: readonly WebhookDelivery[];
}

const humanTransitionSchema = z
  .object({
    to: z.string().min(1),
    resolution: z.string().min(1).optional(),
    comment: z.string().min(1).optional(),
    actor: z.string().min(1).optional(),
  })
  .strict();
const humanCommentSchema = z
  .object({ comment: z.string().min(1), actor: z.string().min(1).optional() })
  .strict();
const webhookSchema = z
  .object({
    url: z.url(),
    secret: z.string().min(1).optional(),
    events: z
      .array(z.enum(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted']))
      .optional(),
  })
  .strict();
const settingsSchema = z.object({ searchIndexLagMs: z.number().int().nonnegative() }).strict();

/** A running fake Jira site: the HTTP server plus a typed handle for specs. */
export class FakeJira extends FakeHandle {
  private constructor(
    server: FakeHttpServer,
    private readonly store: JiraStore,
    private readonly webhooks: JiraWebhookSender,
    private readonly dialect: JiraDialect,
    private readonly settings: { searchIndexLagMs: number },
    readonly users: readonly JiraUserAccount[],
  ) {
    super(server);
  }

  static async start(flavour: JiraFlavour, options: FakeJiraOptions = {}): Promise<FakeJira> {
    const clock: Clock = options.clock ?? { now: () => new Date() };
    const users = (
      options.users && options.users.length > 0 ? options.users : flavour.defaultUsers()
    ).map((init, index) => flavour.completeUser(init, index));
    const issueTypes = options.issueTypes ?? DEFAULT_ISSUE_TYPES;
    const projects = buildProjects(options.projects, issueTypes, users[0]!.accountId);
    const store = new JiraStore(
      {
        users,
        projects,
        workflow: options.workflow ?? DEFAULT_WORKFLOW,
        issueTypes,
        priorities: options.priorities ?? DEFAULT_PRIORITIES,
        resolutions: options.resolutions ?? flavour.resolutions,
        customFields: options.customFields ?? DEFAULT_CUSTOM_FIELDS,
      },
      flavour.dialect,
      clock,
    );
    const baseUrl = new BaseUrl();
    const view = new JiraView(store, flavour.dialect, baseUrl);
    const webhooks = new JiraWebhookSender(view, store, clock);
    webhooks.configure(options.webhook);
    store.onEvent((event) => webhooks.handle(event));
    const settings = { searchIndexLagMs: options.searchIndexLagMs ?? 0 };

    const context: JiraRouteContext = {
      store,
      view,
      dialect: flavour.dialect,
      clock,
      searchIndexLagMs: () => settings.searchIndexLagMs,
    };
    const api = new Router();
    addIssueRoutes(api, context);
    flavour.addSearchRoutes(api, context);

    // Control routes and the snapshot need the handle, which exists only once the server listens.
    const self: { fake?: FakeJira } = {};
    const control = new Router()
      .get('/__fake/issues', () => jsonResponse(200, { issues: self.fake!.issues() }))
      .post('/__fake/issues/:key/transition', async (request) => {
        const body = humanTransitionSchema.parse(request.body);
        const { to, ...rest } = body;
        return jsonResponse(
          200,
          await self.fake!.humanTransition(request.params['key']!, to, rest),
        );
      })
      .post('/__fake/issues/:key/comment', async (request) => {
        const body = humanCommentSchema.parse(request.body);
        return jsonResponse(
          200,
          await self.fake!.humanComment(
            request.params['key']!,
            body.comment,
            body.actor === undefined ? {} : { actor: body.actor },
          ),
        );
      })
      .put('/__fake/webhook', (request) => {
        webhooks.configure(webhookSchema.parse(request.body));
        return noContent();
      })
      .delete('/__fake/webhook', () => {
        webhooks.configure(undefined);
        return noContent();
      })
      .get('/__fake/webhook/deliveries', () =>
        jsonResponse(200, { deliveries: webhooks.deliveries() }),
      )
      .put('/__fake/settings', (request) => {
        settings.searchIndexLagMs = settingsSchema.parse(request.body).searchIndexLagMs;
        return noContent();
      });

    const service: FakeService = {
      name: flavour.name,
      api,
      control,
      authenticate: (headers) => flavour.authenticate(headers, users),
      unauthorized: (failure) => flavour.unauthorized(failure, baseUrl.value),
      errorResponse: (status, message, retryAfterSeconds) =>
        jsonResponse(
          status,
          { errorMessages: [message], errors: {} },
          retryAfterSeconds === undefined
            ? undefined
            : { 'retry-after': String(retryAfterSeconds) },
        ),
      rateLimited: (retryAfterSeconds, limitPerSecond, now) =>
        jsonResponse(
          429,
          { errorMessages: ['Rate limit exceeded.'], errors: {} },
          flavour.rateLimitHeaders(retryAfterSeconds, limitPerSecond, now),
        ),
      ticketTable: () => ticketTable(flavour.title, store, flavour.dialect),
      secrets: () => [
        ...users.flatMap((user) => flavour.credentialSecrets(user)),
        ...(webhooks.secret() === undefined ? [] : [webhooks.secret()!]),
      ],
      reset: () => {
        store.reset();
        webhooks.clearDeliveries();
      },
      snapshot: () => ({ issues: self.fake!.issues() }),
    };
    const server = await FakeHttpServer.start(service, baseUrl, { ...options, clock });
    const fake = new FakeJira(server, store, webhooks, flavour.dialect, settings, users);
    self.fake = fake;
    return fake;
  }

  /** The integration account: what hum's dispatcher authenticates as. */
  get botUser(): JiraUserAccount {
    return this.users[0]!;
  }

  /** The account humanTransition acts as by default. */
  get humanUser(): JiraUserAccount {
    return this.users[1] ?? this.users[0]!;
  }

  /** Keys of the site's projects. */
  projectKeys(): string[] {
    return this.store.projects().map((project) => project.key);
  }

  issues(): JiraIssueSnapshot[] {
    return this.store
      .allIssues()
      .map((issue) => snapshotIssue(issue, this.store, this.dialect))
      .sort((left, right) => Number(left.id) - Number(right.id));
  }

  issue(key: string): JiraIssueSnapshot | undefined {
    const issue = this.store.findIssue(key);
    return issue && snapshotIssue(issue, this.store, this.dialect);
  }

  setWebhook(config: JiraWebhookConfig | undefined): void {
    this.webhooks.configure(config);
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks.deliveries();
  }

  setSearchIndexLag(ms: number): void {
    this.settings.searchIndexLagMs = ms;
  }

  /**
   * A person moves an issue to the status named `to` through the workflow, e.g. closes it as
   * "Won't Do". Resolves after the webhook (if configured) has been delivered.
   */
  async humanTransition(
    key: string,
    to: string,
    options: HumanChangeOptions = {},
  ): Promise<HumanChangeResult> {
    const issue = this.requireIssue(key);
    const actor = this.actor(options.actor);
    const transition = this.store
      .availableTransitions(issue)
      .find((candidate) => this.store.status(candidate.to).name.toLowerCase() === to.toLowerCase());
    if (!transition) {
      const current = this.store.status(issue.statusId).name;
      throw new ControlError(409, `no transition from '${current}' to '${to}' in the workflow`);
    }
    const before = this.webhooks.deliveries().length;
    this.store.transition(
      issue,
      transition.id,
      {
        fields:
          options.resolution === undefined ? {} : { resolution: { name: options.resolution } },
        update:
          options.comment === undefined
            ? {}
            : { comment: [{ add: { body: this.dialect.fromPlainText(options.comment) } }] },
      },
      actor,
    );
    await this.webhooks.drain();
    return {
      issue: snapshotIssue(issue, this.store, this.dialect),
      deliveries: this.webhooks.deliveries().slice(before),
    };
  }

  /** A person comments on an issue. */
  async humanComment(
    key: string,
    text: string,
    options: { actor?: string } = {},
  ): Promise<HumanChangeResult> {
    const issue = this.requireIssue(key);
    const before = this.webhooks.deliveries().length;
    this.store.addComment(issue, this.dialect.fromPlainText(text), this.actor(options.actor));
    await this.webhooks.drain();
    return {
      issue: snapshotIssue(issue, this.store, this.dialect),
      deliveries: this.webhooks.deliveries().slice(before),
    };
  }

  /** Empties issues, journal, faults and webhook deliveries; configuration stays. */
  override async close(): Promise<void> {
    await this.webhooks.drain();
    await super.close();
  }

  private requireIssue(key: string): ReturnType<JiraStore['requireIssue']> {
    const issue = this.store.findIssue(key);
    if (!issue) throw new ControlError(404, `no issue ${key}`);
    return issue;
  }

  private actor(name: string | undefined): string {
    if (name === undefined) return this.humanUser.accountId;
    const user = findUserByAnyName(this.users, name);
    if (!user) throw new ControlError(400, `no user ${name} on this site`);
    return user.accountId;
  }
}

function buildProjects(
  inits: readonly JiraProjectInit[] | undefined,
  issueTypes: readonly NamedEntity[],
  leadAccountId: string,
): JiraProject[] {
  const chosen =
    inits && inits.length > 0
      ? inits
      : [
          { key: 'SEC', name: 'Security Findings', components: ['api', 'web', 'platform'] },
          { key: 'OPS', name: 'Operations', components: ['deploy'] },
        ];
  let componentId = 10_000;
  return chosen.map((init, index) => ({
    id: String(10_000 + index),
    key: init.key.toUpperCase(),
    name: init.name ?? init.key,
    issueTypeIds: (init.issueTypes
      ? issueTypes.filter((type) =>
          init.issueTypes!.some((name) => name.toLowerCase() === type.name.toLowerCase()),
        )
      : issueTypes
    ).map((type) => type.id),
    components: (init.components ?? []).map((name) => ({ id: String(componentId++), name })),
    leadAccountId,
  }));
}

function ticketTable(title: string, store: JiraStore, dialect: JiraDialect): TicketTable {
  return {
    title,
    columns: [
      'Key',
      'Summary',
      'Status',
      'Resolution',
      'Labels',
      'Priority',
      'Due date',
      'Assignee',
    ],
    rows: store
      .allIssues()
      .map((issue) => snapshotIssue(issue, store, dialect))
      .sort((left, right) => Number(left.id) - Number(right.id))
      .map((issue) => [
        issue.key,
        issue.summary,
        issue.status,
        issue.resolution ?? '',
        issue.labels.join(', '),
        issue.priority ?? '',
        issue.duedate ?? '',
        issue.assignee ?? '',
      ]),
  };
}
