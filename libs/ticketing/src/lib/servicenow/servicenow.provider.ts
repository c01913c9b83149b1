import { PermanentError, systemClock } from '@hum/common';
import type { RiskTier } from '@hum/contracts';
import { fitDocument, fitLine } from '../content/fit';
import type { TicketDocument } from '../content/document';
import { plainTextRenderer } from '../content/render';
import { type CustomFieldMapping, customFieldValues } from '../custom-fields';
import { HttpTransport, type ProviderErrorBody } from '../http/http-transport';
import { IDEMPOTENCY_PREFIX, isIdempotencyKey } from '../idempotency';
import type { ProviderRuntime } from '../provider-runtime';
import type {
  RemoteTicket,
  ReopenOutcome,
  ResolveReason,
  TicketContent,
  TicketDraft,
  TicketProvider,
  TicketRef,
} from '../ticket-provider';
import { type ServiceNowAuth, ServiceNowCredentials } from './servicenow-auth';

export type Level = '1' | '2' | '3';

export interface ServiceNowLimits {
  readonly shortDescription: number;
  readonly description: number;
  readonly workNotes: number;
  readonly closeNotes: number;
}

/** A stock instance's column sizes. */
export const SERVICENOW_DEFAULT_LIMITS: ServiceNowLimits = {
  shortDescription: 160,
  description: 4_000,
  workNotes: 4_000,
  closeNotes: 4_000,
};

export interface ServiceNowSettings {
  readonly baseUrl: string;
  /** `incident` unless configured otherwise. */
  readonly table: string;
  readonly auth: ServiceNowAuth;
  /** The user name changes by the integration are recorded under (sys_updated_by). */
  readonly accountName: string;
  /** Urgency and impact per tier: the instance derives priority from them. */
  readonly levels: Readonly<Record<RiskTier, { readonly urgency: Level; readonly impact: Level }>>;
  /** Resolution codes hum sets. */
  readonly closeCodes: { readonly fixed: string; readonly duplicate: string };
  readonly customFields: readonly CustomFieldMapping[];
  readonly limits: ServiceNowLimits;
}

export const SERVICENOW_DEFAULT_LEVELS: ServiceNowSettings['levels'] = {
  critical: { urgency: '1', impact: '1' },
  high: { urgency: '1', impact: '2' },
  medium: { urgency: '2', impact: '2' },
  low: { urgency: '3', impact: '2' },
  info: { urgency: '3', impact: '3' },
};

const STATE = { new: '1', inProgress: '2', resolved: '6', closed: '7', canceled: '8' } as const;
const DONE_STATES: ReadonlySet<string> = new Set([STATE.resolved, STATE.closed, STATE.canceled]);
const RECORD_FIELDS = [
  'sys_id',
  'number',
  'state',
  'close_code',
  'correlation_id',
  'sys_created_on',
  'sys_updated_on',
  'sys_updated_by',
  'sys_mod_count',
].join(',');
const PAGE = 1_000;
/** Keys per lookup query, and records per page of its answer. */
const FIND_EACH_CHUNK = 50;
const FIND_EACH_PAGE = 100;

/** An incident (or other task) as the Table API returns it with sysparm_fields. */
export interface ServiceNowRecord {
  readonly sys_id: string;
  readonly number: string;
  readonly state: string;
  readonly close_code?: string;
  readonly correlation_id?: string;
  readonly sys_created_on?: string;
  readonly sys_updated_on?: string;
  readonly sys_updated_by?: string;
  readonly sys_mod_count?: string;
}

/** A change to a managed record made by someone other than hum, found by polling. */
export interface ServiceNowChange {
  readonly ticket: RemoteTicket;
  readonly state: string;
  readonly updatedBy: string;
  /** glide date-time `yyyy-MM-dd HH:mm:ss` (UTC). */
  readonly updatedOn: string;
  readonly modCount: string;
}

export function parseServiceNowError(_status: number, data: unknown): ProviderErrorBody {
  if (data === null || typeof data !== 'object') return { messages: [], fieldErrors: {} };
  const error = (data as Record<string, unknown>)['error'];
  if (error === null || typeof error !== 'object') {
    // The token endpoint answers `{ error, error_description }`.
    const record = data as Record<string, unknown>;
    const text = [record['error'], record['error_description']].filter(
      (v) => typeof v === 'string',
    );
    return { messages: text as string[], fieldErrors: {} };
  }
  const { message, detail } = error as Record<string, unknown>;
  return {
    messages: [message, detail].filter((v): v is string => typeof v === 'string' && v !== ''),
    fieldErrors: {},
  };
}

function glideToIso(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** ServiceNow's Table API: incidents (or the configured table), correlation_id as the key. */
export class ServiceNowProvider implements TicketProvider {
  readonly name = 'servicenow' as const;

  constructor(
    private readonly transport: HttpTransport,
    private readonly settings: ServiceNowSettings,
  ) {}

  get site(): string {
    return this.settings.baseUrl;
  }

  private get tablePath(): string {
    return `/api/now/table/${encodeURIComponent(this.settings.table)}`;
  }

  async find(idempotencyKey: string): Promise<RemoteTicket[]> {
    // correlation_id is indexed for exactly this; there is no search index to lag behind.
    const records = await this.query(
      `correlation_id=${idempotencyKey}^ORDERBYsys_created_on`,
      0,
      100,
    );
    return records.map((record) => this.remote(record));
  }

  async findEach(idempotencyKeys: readonly string[]): Promise<Map<string, RemoteTicket[]>> {
    const found = new Map<string, RemoteTicket[]>(idempotencyKeys.map((key) => [key, []]));
    const keys = [...found.keys()];
    // A comma or caret would change the encoded query; hum's keys have neither.
    const odd = keys.find((key) => !isIdempotencyKey(key));
    if (odd !== undefined) throw new PermanentError(`"${odd}" is not a hum idempotency key`);
    for (let i = 0; i < keys.length; i += FIND_EACH_CHUNK) {
      const query = `correlation_idIN${keys.slice(i, i + FIND_EACH_CHUNK).join(',')}^ORDERBYsys_created_on`;
      for (let offset = 0; ;) {
        const records = await this.query(query, offset, FIND_EACH_PAGE);
        for (const record of records)
          found.get(record.correlation_id ?? '')?.push(this.remote(record));
        offset += records.length;
        if (records.length < FIND_EACH_PAGE) break;
      }
    }
    return found;
  }

  async get(ref: TicketRef): Promise<RemoteTicket | undefined> {
    const record = await this.record(ref);
    return record && this.remote(record);
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    const body: Record<string, string | number> = {
      ...this.contentFields(draft),
      correlation_id: draft.idempotencyKey,
      correlation_display: 'hum',
    };
    if (draft.target.assignmentGroup !== undefined)
      body['assignment_group'] = draft.target.assignmentGroup;
    if (draft.target.assignee !== undefined) body['assigned_to'] = draft.target.assignee;
    const response = await this.transport.request<{ result: ServiceNowRecord }>({
      method: 'POST',
      path: this.tablePath,
      query: { sysparm_fields: RECORD_FIELDS, sysparm_exclude_reference_link: 'true' },
      body,
      idempotent: false,
    });
    return this.remote(response.data.result);
  }

  async update(ref: TicketRef, draft: TicketDraft): Promise<void> {
    await this.patch(ref, this.contentFields(draft), true);
  }

  async comment(ref: TicketRef, body: TicketDocument): Promise<void> {
    await this.patch(ref, { work_notes: this.plain(body, this.settings.limits.workNotes) }, false);
  }

  async hasComment(ref: TicketRef, marker: string): Promise<boolean> {
    const response = await this.transport.request<{ result: { work_notes?: string } }>({
      method: 'GET',
      path: `${this.tablePath}/${encodeURIComponent(ref.id)}`,
      query: { sysparm_fields: 'work_notes', sysparm_display_value: 'true' },
      idempotent: true,
      allowNotFound: true,
    });
    return response.status !== 404 && (response.data.result.work_notes ?? '').includes(marker);
  }

  async resolve(ref: TicketRef, note: TicketDocument, reason: ResolveReason): Promise<void> {
    const current = await this.record(ref);
    if (current === undefined || DONE_STATES.has(current.state)) return;
    await this.patch(
      ref,
      {
        state: STATE.resolved,
        close_code:
          reason === 'fixed' ? this.settings.closeCodes.fixed : this.settings.closeCodes.duplicate,
        close_notes: this.plain(note, this.settings.limits.closeNotes),
      },
      // Setting the same state, code and notes again changes nothing.
      true,
    );
  }

  async reopen(ref: TicketRef, note: TicketDocument): Promise<ReopenOutcome> {
    const current = await this.record(ref);
    if (current === undefined) return 'closed-for-good';
    if (!DONE_STATES.has(current.state)) return 'already-open';
    // Closed and canceled incidents are read-only: a returning finding needs a new one.
    if (current.state !== STATE.resolved) return 'closed-for-good';
    await this.patch(
      ref,
      { state: STATE.inProgress, work_notes: this.plain(note, this.settings.limits.workNotes) },
      false,
    );
    return 'reopened';
  }

  async *listManaged(): AsyncIterable<readonly RemoteTicket[]> {
    for (let offset = 0; ; offset += PAGE) {
      const records = await this.query(
        `correlation_idSTARTSWITH${IDEMPOTENCY_PREFIX}^ORDERBYsys_created_on`,
        offset,
        PAGE,
      );
      yield records.map((record) => this.remote(record));
      if (records.length < PAGE) return;
    }
  }

  account(): Promise<string> {
    return Promise.resolve(this.settings.accountName);
  }

  /**
   * Managed records changed by anyone but hum at or after `since` (glide date-time, UTC),
   * oldest change first: how human decisions reach hum without webhooks.
   */
  async changedSince(since: string): Promise<ServiceNowChange[]> {
    const changes: ServiceNowChange[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const records = await this.query(
        `correlation_idSTARTSWITH${IDEMPOTENCY_PREFIX}^sys_updated_on>=${since}` +
          `^sys_updated_by!=${this.settings.accountName}^ORDERBYsys_updated_on`,
        offset,
        PAGE,
      );
      for (const record of records) {
        changes.push({
          ticket: this.remote(record),
          state: record.state,
          updatedBy: record.sys_updated_by ?? '',
          updatedOn: record.sys_updated_on ?? since,
          modCount: record.sys_mod_count ?? '0',
        });
      }
      if (records.length < PAGE) return changes;
    }
  }

  private async record(ref: TicketRef): Promise<ServiceNowRecord | undefined> {
    const response = await this.transport.request<{ result: ServiceNowRecord }>({
      method: 'GET',
      path: `${this.tablePath}/${encodeURIComponent(ref.id)}`,
      query: { sysparm_fields: RECORD_FIELDS, sysparm_exclude_reference_link: 'true' },
      idempotent: true,
      allowNotFound: true,
    });
    return response.status === 404 ? undefined : response.data.result;
  }

  private async query(query: string, offset: number, limit: number): Promise<ServiceNowRecord[]> {
    const response = await this.transport.request<{ result?: ServiceNowRecord[] }>({
      method: 'GET',
      path: this.tablePath,
      query: {
        sysparm_query: query,
        sysparm_fields: RECORD_FIELDS,
        sysparm_limit: limit,
        sysparm_offset: offset,
        sysparm_exclude_reference_link: 'true',
        sysparm_suppress_pagination_header: 'true',
      },
      idempotent: true,
    });
    return response.data.result ?? [];
  }

  private async patch(
    ref: TicketRef,
    body: Record<string, string | number>,
    idempotent: boolean,
  ): Promise<void> {
    await this.transport.request({
      method: 'PATCH',
      path: `${this.tablePath}/${encodeURIComponent(ref.id)}`,
      query: { sysparm_fields: 'sys_id' },
      body,
      idempotent,
    });
  }

  private contentFields(content: TicketContent): Record<string, string | number> {
    const { urgency, impact } = this.settings.levels[content.tier];
    const fields: Record<string, string | number> = {
      short_description: fitLine(content.summary, this.settings.limits.shortDescription),
      description: fitDocument(content.body, plainTextRenderer, {
        limit: this.settings.limits.description,
        ...(content.moreLink !== undefined ? { moreLink: content.moreLink } : {}),
      }).rendered,
      urgency,
      impact,
    };
    if (content.dueDate !== undefined) fields['due_date'] = `${content.dueDate} 00:00:00`;
    for (const [field, value] of Object.entries(
      customFieldValues(this.settings.customFields, content),
    )) {
      if (typeof value === 'string' || typeof value === 'number') fields[field] = value;
      else if (Array.isArray(value)) fields[field] = value.join(',');
      else if (value !== null && typeof value === 'object' && 'value' in value)
        fields[field] = String((value as { value: unknown }).value);
    }
    return fields;
  }

  private plain(document: TicketDocument, limit: number): string {
    return fitDocument(document, plainTextRenderer, { limit }).rendered;
  }

  private remote(record: ServiceNowRecord): RemoteTicket {
    const done = DONE_STATES.has(record.state);
    const created = glideToIso(record.sys_created_on);
    const key = record.correlation_id;
    const resolution = record.state === STATE.canceled ? 'Canceled' : record.close_code;
    return {
      id: record.sys_id,
      key: record.number,
      url: `${this.site.replace(/\/+$/, '')}/nav_to.do?uri=${encodeURIComponent(
        `${this.settings.table}.do?sys_id=${record.sys_id}`,
      )}`,
      status: done ? 'done' : 'open',
      ...(done && resolution !== undefined && resolution !== '' ? { resolution } : {}),
      ...(key !== undefined && isIdempotencyKey(key) ? { idempotencyKey: key } : {}),
      ...(created !== undefined ? { created } : {}),
    };
  }
}

export function createServiceNowProvider(
  settings: ServiceNowSettings,
  runtime: ProviderRuntime,
): ServiceNowProvider {
  if (!/^[a-z][a-z0-9_]{0,79}$/.test(settings.table)) {
    throw new PermanentError(`ServiceNow table "${settings.table}" is not a table name`);
  }
  const clock = runtime.clock ?? systemClock;
  const base = {
    provider: 'servicenow' as const,
    baseUrl: settings.baseUrl,
    parseError: parseServiceNowError,
    limiter: runtime.limiter,
    breaker: runtime.breaker,
    timeoutMs: runtime.timeoutMs,
    ...(runtime.retry ? { retry: runtime.retry } : {}),
    clock,
  };
  const tokenTransport = new HttpTransport({ ...base, authenticate: () => Promise.resolve({}) });
  const credentials = new ServiceNowCredentials(settings.auth, tokenTransport, clock);
  const transport = new HttpTransport({
    ...base,
    authenticate: () => credentials.headers(),
    renewCredentials: () => credentials.renew(),
  });
  return new ServiceNowProvider(transport, settings);
}
