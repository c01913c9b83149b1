import { PermanentError } from '@hum/common';
import type { RiskTier } from '@hum/contracts';
import { fitDocument, fitLine, type FitOptions } from '../content/fit';
import type { TicketDocument } from '../content/document';
import type { DocumentRenderer } from '../content/render';
import { type CustomFieldMapping, customFieldValues } from '../custom-fields';
import type { HttpTransport } from '../http/http-transport';
import { MANAGED_LABEL } from '../idempotency';
import type {
  RemoteTicket,
  ReopenOutcome,
  ResolveReason,
  TicketDraft,
  TicketProvider,
  TicketRef,
} from '../ticket-provider';
import { byCreation, type JiraIssueBean, LOOKUP_FIELDS, remoteTicketOf } from './jira-issue';

/** Jira's limit on summaries. */
export const JIRA_SUMMARY_LIMIT = 255;
/** Jira's limit on text fields (description, comments). */
export const JIRA_TEXT_LIMIT = 32_767;

export interface JiraProviderSettings {
  readonly baseUrl: string;
  /** Jira priority name per tier; a tier left out gets the project's default priority. */
  readonly priorities: Readonly<Partial<Record<RiskTier, string>>>;
  readonly customFields: readonly CustomFieldMapping[];
  /** Resolution names set when hum closes a ticket; leave one out when the screen lacks it. */
  readonly resolutions: { readonly fixed?: string; readonly duplicate?: string };
  /** Preferred transition names; any transition into the right status category otherwise. */
  readonly transitions: { readonly resolve?: string; readonly reopen?: string };
  readonly textLimit?: number;
}

export interface SearchPage {
  readonly issues: readonly JiraIssueBean[];
  /** Where the next page starts; undefined on the last page. */
  readonly next: string | undefined;
}

/** What Jira Cloud (REST v3) and Jira Data Center (REST v2) do differently. */
export interface JiraDialect {
  readonly provider: 'jira-cloud' | 'jira-dc';
  readonly apiVersion: '2' | '3';
  readonly richText: DocumentRenderer<unknown>;
  plainText(body: unknown): string;
  userReference(assignee: string): Record<string, string>;
  accountOf(myself: Readonly<Record<string, unknown>>): string;
  searchPage(
    transport: HttpTransport,
    request: {
      jql: string;
      fields: readonly string[];
      cursor: string | undefined;
      pageSize: number;
      knownIds?: readonly string[];
    },
  ): Promise<SearchPage>;
}

interface TransitionBean {
  readonly id: string;
  readonly name?: string;
  readonly hasScreen?: boolean;
  readonly to?: { readonly statusCategory?: { readonly key?: string } };
}

/** Keys per lookup search: keeps the JQL well under the length Jira accepts. */
const FIND_EACH_CHUNK = 50;

/** JQL string literal: quotes and backslashes escaped. */
function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Jira labels may not contain spaces and hold 255 characters. */
export function jiraLabel(value: string): string {
  return value.trim().replace(/\s+/g, '_').slice(0, 255);
}

/** Jira Cloud and Data Center share the issue, transition and comment resources. */
export class JiraProvider implements TicketProvider {
  private accountId: Promise<string> | undefined;

  constructor(
    private readonly dialect: JiraDialect,
    private readonly transport: HttpTransport,
    private readonly settings: JiraProviderSettings,
  ) {}

  get name(): 'jira-cloud' | 'jira-dc' {
    return this.dialect.provider;
  }

  get site(): string {
    return this.settings.baseUrl;
  }

  private get api(): string {
    return `/rest/api/${this.dialect.apiVersion}`;
  }

  private textLimit(): number {
    return this.settings.textLimit ?? JIRA_TEXT_LIMIT;
  }

  private richText(document: TicketDocument, moreLink?: string): unknown {
    const options: FitOptions = {
      limit: this.textLimit(),
      ...(moreLink !== undefined ? { moreLink } : {}),
    };
    return fitDocument(document, this.dialect.richText, options).rendered;
  }

  async find(idempotencyKey: string, knownIds: readonly string[] = []): Promise<RemoteTicket[]> {
    const found: RemoteTicket[] = [];
    for await (const page of this.search(
      `labels = ${jqlString(idempotencyKey)} ORDER BY created ASC`,
      knownIds,
    )) {
      found.push(...page);
    }
    return found.sort(byCreation);
  }

  async findEach(
    idempotencyKeys: readonly string[],
    knownIds: readonly string[] = [],
  ): Promise<Map<string, RemoteTicket[]>> {
    const found = new Map<string, RemoteTicket[]>();
    const wanted = new Map<string, string>();
    for (const key of idempotencyKeys) {
      found.set(key, []);
      // Jira matches labels regardless of case.
      wanted.set(key.toLowerCase(), key);
    }
    const keys = [...found.keys()];
    for (let i = 0; i < keys.length; i += FIND_EACH_CHUNK) {
      const chunk = keys.slice(i, i + FIND_EACH_CHUNK);
      const jql = `labels in (${chunk.map(jqlString).join(', ')}) ORDER BY created ASC`;
      for await (const page of this.searchIssues(jql, knownIds)) {
        for (const issue of page) {
          const ticket = remoteTicketOf(issue, this.site);
          // A ticket carrying two keys (a person copied labels) belongs to both groups.
          for (const label of issue.fields?.labels ?? []) {
            const key = wanted.get(label.toLowerCase());
            if (key !== undefined && !found.get(key)!.some((t) => t.id === ticket.id))
              found.get(key)!.push(ticket);
          }
        }
      }
    }
    for (const tickets of found.values()) tickets.sort(byCreation);
    return found;
  }

  async get(ref: TicketRef): Promise<RemoteTicket | undefined> {
    const response = await this.transport.request<JiraIssueBean>({
      method: 'GET',
      path: `${this.api}/issue/${encodeURIComponent(ref.id)}`,
      query: { fields: LOOKUP_FIELDS.join(',') },
      idempotent: true,
      allowNotFound: true,
    });
    return response.status === 404 ? undefined : remoteTicketOf(response.data, this.site);
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    const { target } = draft;
    const fields: Record<string, unknown> = {
      project: { key: target.project },
      issuetype: { name: target.issueType ?? 'Task' },
      ...this.contentFields(draft),
      labels: this.labels(draft),
    };
    if (target.components.length > 0)
      fields['components'] = target.components.map((name) => ({ name }));
    if (target.assignee !== undefined)
      fields['assignee'] = this.dialect.userReference(target.assignee);
    const response = await this.transport.request<{ id: string; key: string }>({
      method: 'POST',
      path: `${this.api}/issue`,
      body: { fields },
      idempotent: false,
    });
    const { id, key } = response.data;
    return {
      id: String(id),
      key,
      url: `${this.site.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`,
      status: 'open',
      idempotencyKey: draft.idempotencyKey,
    };
  }

  async update(ref: TicketRef, draft: TicketDraft): Promise<void> {
    await this.transport.request({
      method: 'PUT',
      path: `${this.api}/issue/${encodeURIComponent(ref.id)}`,
      body: {
        fields: this.contentFields(draft),
        // Added (and removed) one by one, so labels a person put on the ticket stay.
        update: {
          labels: [
            ...this.labels(draft).map((label) => ({ add: label })),
            ...(draft.removeLabels ?? []).map((label) => ({ remove: jiraLabel(label) })),
          ],
        },
      },
      idempotent: true,
    });
  }

  async comment(ref: TicketRef, body: TicketDocument): Promise<void> {
    await this.transport.request({
      method: 'POST',
      path: `${this.api}/issue/${encodeURIComponent(ref.id)}/comment`,
      body: { body: this.richText(body) },
      idempotent: false,
    });
  }

  async hasComment(ref: TicketRef, marker: string): Promise<boolean> {
    for (let startAt = 0; ;) {
      const response = await this.transport.request<{
        comments?: Array<{ body?: unknown }>;
        total?: number;
      }>({
        method: 'GET',
        path: `${this.api}/issue/${encodeURIComponent(ref.id)}/comment`,
        query: { startAt, maxResults: 1000 },
        idempotent: true,
      });
      const comments = response.data.comments ?? [];
      if (comments.some((comment) => this.dialect.plainText(comment.body).includes(marker)))
        return true;
      startAt += comments.length;
      if (comments.length === 0 || startAt >= (response.data.total ?? 0)) return false;
    }
  }

  async resolve(ref: TicketRef, note: TicketDocument, reason: ResolveReason): Promise<void> {
    const current = await this.get(ref);
    if (current === undefined || current.status === 'done') return;
    const transition = await this.pickTransition(ref, 'done', this.settings.transitions.resolve);
    if (!transition) {
      throw new JiraWorkflowError(
        `${ref.key}: the workflow offers no transition into a done status`,
      );
    }
    const resolution =
      reason === 'fixed' ? this.settings.resolutions.fixed : this.settings.resolutions.duplicate;
    await this.transition(ref, transition, note, resolution);
  }

  async reopen(ref: TicketRef, note: TicketDocument): Promise<ReopenOutcome> {
    const current = await this.get(ref);
    if (current === undefined) return 'closed-for-good';
    if (current.status !== 'done') return 'already-open';
    const transition = await this.pickTransition(ref, 'open', this.settings.transitions.reopen);
    if (!transition) return 'closed-for-good';
    await this.transition(ref, transition, note, undefined);
    return 'reopened';
  }

  async *listManaged(): AsyncIterable<readonly RemoteTicket[]> {
    yield* this.search(`labels = ${jqlString(MANAGED_LABEL)} ORDER BY created ASC`, []);
  }

  account(): Promise<string> {
    this.accountId ??= this.transport
      .request<Record<string, unknown>>({
        method: 'GET',
        path: `${this.api}/myself`,
        idempotent: true,
      })
      .then((response) => this.dialect.accountOf(response.data))
      .catch((error: unknown) => {
        this.accountId = undefined;
        throw error;
      });
    return this.accountId;
  }

  private async *search(jql: string, knownIds: readonly string[]): AsyncIterable<RemoteTicket[]> {
    for await (const page of this.searchIssues(jql, knownIds))
      yield page.map((issue) => remoteTicketOf(issue, this.site));
  }

  private async *searchIssues(
    jql: string,
    knownIds: readonly string[],
  ): AsyncIterable<readonly JiraIssueBean[]> {
    let cursor: string | undefined;
    do {
      const page = await this.dialect.searchPage(this.transport, {
        jql,
        fields: LOOKUP_FIELDS,
        cursor,
        pageSize: 100,
        ...(knownIds.length > 0 ? { knownIds } : {}),
      });
      yield page.issues;
      cursor = page.next;
    } while (cursor !== undefined);
  }

  private contentFields(draft: TicketDraft): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      summary: fitLine(draft.summary, JIRA_SUMMARY_LIMIT),
      description: this.richText(draft.body, draft.moreLink),
      ...customFieldValues(this.settings.customFields, draft),
    };
    const priority = draft.target.priority ?? this.settings.priorities[draft.tier];
    if (priority !== undefined) fields['priority'] = { name: priority };
    if (draft.dueDate !== undefined) fields['duedate'] = draft.dueDate;
    return fields;
  }

  private labels(draft: TicketDraft): string[] {
    return [
      ...new Set([MANAGED_LABEL, draft.idempotencyKey, ...draft.target.labels.map(jiraLabel)]),
    ].filter((label) => label !== '');
  }

  private async pickTransition(
    ref: TicketRef,
    into: 'done' | 'open',
    preferred: string | undefined,
  ): Promise<TransitionBean | undefined> {
    const response = await this.transport.request<{ transitions?: TransitionBean[] }>({
      method: 'GET',
      path: `${this.api}/issue/${encodeURIComponent(ref.id)}/transitions`,
      idempotent: true,
    });
    const candidates = (response.data.transitions ?? []).filter((transition) => {
      const category = transition.to?.statusCategory?.key;
      return into === 'done' ? category === 'done' : category !== undefined && category !== 'done';
    });
    const wanted = preferred?.toLowerCase();
    return (
      candidates.find((transition) => transition.name?.toLowerCase() === wanted) ??
      (into === 'open'
        ? candidates.find((transition) => /reopen/i.test(transition.name ?? ''))
        : undefined) ??
      // Reopening prefers a "to do" status over "in progress": nobody has picked it up again.
      candidates.find((transition) => transition.to?.statusCategory?.key === 'new') ??
      candidates[0]
    );
  }

  private async transition(
    ref: TicketRef,
    transition: TransitionBean,
    note: TicketDocument,
    resolution: string | undefined,
  ): Promise<void> {
    const body: Record<string, unknown> = {
      transition: { id: transition.id },
      update: { comment: [{ add: { body: this.richText(note) } }] },
    };
    if (resolution !== undefined && transition.hasScreen !== false) {
      body['fields'] = { resolution: { name: resolution } };
    }
    await this.transport.request({
      method: 'POST',
      path: `${this.api}/issue/${encodeURIComponent(ref.id)}/transitions`,
      body,
      // Sending it again would fail (the transition no longer applies), never apply twice.
      idempotent: false,
    });
  }
}

/** The Jira workflow lacks a transition hum needs: a configuration problem. */
export class JiraWorkflowError extends PermanentError {
  override readonly name: string = 'JiraWorkflowError';
}
