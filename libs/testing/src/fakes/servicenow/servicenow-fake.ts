import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '@hum/common';
import { presentedCredentials, randomSecret, secretEquals } from '../server/credentials';
import { FakeHandle } from '../server/fake-handle';
import { ControlError, FakeHttpServer, type FakeServerOptions } from '../server/fake-http-server';
import { BaseUrl, type AuthOutcome, type FakeService } from '../server/fake-service';
import { jsonResponse, noContent, type FakeRequest, type FakeResponse } from '../server/http-types';
import { Router, type RouteHandler } from '../server/router';
import { compare, matchesQuery, parseEncodedQuery, requiredEquality } from './encoded-query';
import { CHOICES, DEFAULT_CLOSE_CODES } from './incident-schema';
import { OAuthIssuer, type OAuthClient, type ServiceNowUser } from './oauth';
import { renderRecord, type DisplayMode } from './record-view';
import { ServiceNowApiError, invalidTable } from './servicenow-errors';
import {
  TableStore,
  type Actor,
  type JournalEntry,
  type ReferenceTarget,
  type TableConfig,
  type TableRecord,
} from './table-store';

export interface FakeServiceNowOptions extends FakeServerOptions {
  /** The first user is hum's integration account; the second is the "human" by default. */
  readonly users?: ReadonlyArray<{
    userName: string;
    password?: string;
    sysId?: string;
    name?: string;
  }>;
  /** client_credentials tokens act as `userName` (the first user by default). */
  readonly oauthClients?: ReadonlyArray<{
    clientId: string;
    clientSecret?: string;
    userName?: string;
  }>;
  /** Tables the Table API serves; `incident` by default. */
  readonly tables?: ReadonlyArray<string | TableConfig>;
  readonly assignmentGroups?: ReadonlyArray<{ name: string; sysId?: string }>;
  /** 4000 by default, as on a stock incident table. */
  readonly descriptionMaxLength?: number;
  /**
   * 'reject' (the default) answers 400 for an over-long field so a client that relies on
   * silent truncation fails its tests; 'truncate' behaves like the platform.
   */
  readonly fieldLengthPolicy?: 'reject' | 'truncate';
  readonly closeCodes?: readonly string[];
  /** Lifespan of OAuth access tokens; 1800 s as on a new instance. */
  readonly accessTokenTtlSeconds?: number;
  /** `glide.invalid_query.returns_no_rows`; false, the platform default, ignores bad terms. */
  readonly invalidQueryReturnsNoRows?: boolean;
}

export interface ServiceNowRecordSnapshot {
  readonly table: string;
  readonly sysId: string;
  readonly number: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly journal: readonly JournalEntry[];
  readonly truncatedFields: readonly string[];
}

const TABLE_PREFIXES = ['/api/now/table', '/api/now/v1/table', '/api/now/v2/table'];
const KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  incident: 'INC',
  problem: 'PRB',
  change_request: 'CHG',
  sc_task: 'SCTASK',
  // Security Incident Response: where security teams often want findings raised instead.
  sn_si_incident: 'SIR',
  sn_vul_vulnerable_item: 'VIT',
};
const DEFAULT_LIMIT = 10_000;
const RATE_LIMIT_RULE = '2b7c1d8e0f3a4b5c6d7e8f9a0b1c2d3e';

const humanUpdateSchema = z
  .object({
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    actor: z.string().min(1).optional(),
  })
  .strict();

function sysId(): string {
  return randomBytes(16).toString('hex');
}

/** A running fake ServiceNow instance and its typed handle for specs. */
export class FakeServiceNow extends FakeHandle {
  private constructor(
    server: FakeHttpServer,
    private readonly store: TableStore,
    private readonly oauth: OAuthIssuer,
    readonly users: readonly ServiceNowUser[],
    readonly oauthClients: readonly OAuthClient[],
    readonly assignmentGroups: readonly ReferenceTarget[],
  ) {
    super(server);
  }

  static async start(options: FakeServiceNowOptions = {}): Promise<FakeServiceNow> {
    const clock: Clock = options.clock ?? { now: () => new Date() };
    const users: ServiceNowUser[] = (
      options.users && options.users.length > 0
        ? options.users
        : [
            { userName: 'hum.integration', name: 'hum integration' },
            { userName: 'riley.human', name: 'Riley Human' },
          ]
    ).map((user) => ({
      userName: user.userName,
      password: user.password ?? randomSecret(),
      sysId: user.sysId ?? sysId(),
      name: user.name ?? user.userName,
    }));
    const oauthClients: OAuthClient[] = (
      options.oauthClients ?? [{ clientId: 'hum-dispatcher' }]
    ).map((client) => ({
      clientId: client.clientId,
      clientSecret: client.clientSecret ?? randomSecret(),
      userName: client.userName ?? users[0]!.userName,
    }));
    const groups: ReferenceTarget[] = (
      options.assignmentGroups ?? [
        { name: 'Security Operations' },
        { name: 'Platform Engineering' },
      ]
    ).map((group) => ({ sysId: group.sysId ?? sysId(), names: [group.name] }));
    const referenceTargets = {
      sys_user_group: groups,
      sys_user: users.map((user) => ({ sysId: user.sysId, names: [user.name, user.userName] })),
    };
    const tables: TableConfig[] = (options.tables ?? ['incident']).map((table) =>
      typeof table === 'string'
        ? { name: table, numberPrefix: KNOWN_PREFIXES[table] ?? table.slice(0, 3).toUpperCase() }
        : table,
    );
    const store = new TableStore(
      {
        tables,
        limits: {
          short_description: 160,
          description: options.descriptionMaxLength ?? 4000,
          close_notes: 4000,
          correlation_id: 100,
          work_notes: 4000,
          comments: 4000,
        },
        fieldLengthPolicy: options.fieldLengthPolicy ?? 'reject',
        closeCodes: options.closeCodes ?? DEFAULT_CLOSE_CODES,
        referenceTargets,
      },
      clock,
    );
    const oauth = new OAuthIssuer(
      oauthClients,
      users,
      clock,
      options.accessTokenTtlSeconds ?? 1800,
    );
    const baseUrl = new BaseUrl();
    const invalidQueryReturnsNoRows = options.invalidQueryReturnsNoRows ?? false;

    const actorOf = (request: FakeRequest): Actor => {
      const user = users.find((candidate) => candidate.userName === request.principal?.user);
      if (!user)
        throw new ServiceNowApiError(
          401,
          'User Not Authenticated',
          'Required to provide Auth information',
        );
      return { userName: user.userName, sysId: user.sysId };
    };
    const tableOf = (request: FakeRequest): string => {
      const table = request.params['table']!;
      if (!store.table(table)) throw invalidTable(table);
      return table;
    };
    const view = (request: FakeRequest) => {
      const fields = request.query.get('sysparm_fields');
      const display = (request.query.get('sysparm_display_value') ?? 'false').toLowerCase();
      return {
        baseUrl: baseUrl.value,
        fields:
          fields === null || fields === ''
            ? undefined
            : fields.split(',').map((field) => field.trim()),
        display: (display === 'true' || display === 'all' ? display : 'false') as DisplayMode,
        excludeReferenceLink: request.query.get('sysparm_exclude_reference_link') === 'true',
        referenceTargets,
      };
    };

    const api = new Router();
    for (const prefix of TABLE_PREFIXES) {
      api
        .get(
          `${prefix}/:table`,
          serviceNowRoute((request) => {
            actorOf(request);
            const table = tableOf(request);
            const limit = queryInt(request.query, 'sysparm_limit', DEFAULT_LIMIT, 'limit');
            const offset = queryInt(request.query, 'sysparm_offset', 0, 'offset');
            const query = parseEncodedQuery(request.query.get('sysparm_query') ?? '');
            const evaluation = { columns: store.tableColumns, invalidQueryReturnsNoRows };
            const correlationId = requiredEquality(query, 'correlation_id');
            const pool =
              correlationId === undefined
                ? store.list(table)
                : store.withCorrelationId(table, correlationId);
            const matching = pool.filter((record) =>
              matchesQuery(query, record.fields, evaluation),
            );
            const orders = query.orderBy.filter((order) => store.tableColumns.has(order.field));
            if (orders.length > 0) {
              matching.sort((left, right) => {
                for (const order of orders) {
                  const result = compare(
                    left.fields[order.field] ?? '',
                    right.fields[order.field] ?? '',
                  );
                  if (result !== 0) return order.descending ? -result : result;
                }
                return 0;
              });
            }
            const page = matching.slice(offset, offset + limit);
            const headers: Record<string, string> = { 'x-total-count': String(matching.length) };
            if (request.query.get('sysparm_suppress_pagination_header') !== 'true') {
              headers['link'] = paginationLinks(
                baseUrl.value,
                request,
                offset,
                limit,
                matching.length,
              );
            }
            const options = view(request);
            return jsonResponse(
              200,
              { result: page.map((record) => renderRecord(record, options)) },
              headers,
            );
          }),
        )
        .post(
          `${prefix}/:table`,
          serviceNowRoute((request) => {
            const actor = actorOf(request);
            const table = tableOf(request);
            const record = store.insert(table, bodyObject(request.body), actor);
            return jsonResponse(
              201,
              { result: renderRecord(record, view(request)) },
              {
                location: `${baseUrl.value}/api/now/table/${table}/${record.fields['sys_id']!}`,
              },
            );
          }),
        )
        .get(
          `${prefix}/:table/:sysId`,
          serviceNowRoute((request) => {
            actorOf(request);
            const record = store.require(tableOf(request), request.params['sysId']!);
            return jsonResponse(200, { result: renderRecord(record, view(request)) });
          }),
        )
        .patch(
          `${prefix}/:table/:sysId`,
          serviceNowRoute((request) => update(request)),
        )
        .put(
          `${prefix}/:table/:sysId`,
          serviceNowRoute((request) => update(request)),
        )
        .delete(
          `${prefix}/:table/:sysId`,
          serviceNowRoute((request) => {
            actorOf(request);
            store.delete(tableOf(request), request.params['sysId']!);
            return noContent();
          }),
        );
    }
    const update = (request: FakeRequest): FakeResponse => {
      const actor = actorOf(request);
      const table = tableOf(request);
      store.require(table, request.params['sysId']!);
      const record = store.update(table, request.params['sysId']!, bodyObject(request.body), actor);
      return jsonResponse(200, { result: renderRecord(record, view(request)) });
    };
    api.add(
      'POST',
      '/oauth_token.do',
      (request) => {
        const form = (request.body ?? {}) as Record<string, string>;
        const inUrl = ['client_secret', 'password', 'refresh_token'].some((name) =>
          request.query.has(name),
        );
        return oauth.token(typeof form === 'object' ? form : {}, inUrl);
      },
      { public: true },
    );

    // Control routes and the snapshot need the handle, which exists only once the server listens.
    const self: { fake?: FakeServiceNow } = {};
    const control = new Router()
      .get('/__fake/records', (request) =>
        jsonResponse(200, { records: self.fake!.records(request.query.get('table') ?? undefined) }),
      )
      .post('/__fake/records/:table/:id/human-update', (request) => {
        const body = humanUpdateSchema.parse(request.body);
        try {
          return jsonResponse(
            200,
            self.fake!.humanUpdate(request.params['id']!, body.fields, {
              table: request.params['table']!,
              ...(body.actor === undefined ? {} : { actor: body.actor }),
            }),
          );
        } catch (error) {
          if (error instanceof ServiceNowApiError)
            return jsonResponse(error.status, error.toBody());
          throw error;
        }
      })
      .post('/__fake/oauth/expire-all', () => {
        oauth.expireAll();
        return noContent();
      });

    const service: FakeService = {
      name: 'servicenow',
      api,
      control,
      authenticate: (headers): AuthOutcome => {
        const presented = presentedCredentials(headers);
        switch (presented.scheme) {
          case 'none':
            return { kind: 'missing' };
          case 'basic': {
            const user = users.find(
              (candidate) =>
                candidate.userName === presented.username &&
                secretEquals(presented.password, candidate.password),
            );
            return user
              ? { kind: 'authenticated', principal: { user: user.userName, scheme: 'basic' } }
              : { kind: 'rejected', scheme: 'basic' };
          }
          case 'bearer': {
            const user = oauth.userForToken(presented.token);
            return user
              ? { kind: 'authenticated', principal: { user: user.userName, scheme: 'bearer' } }
              : { kind: 'rejected', scheme: 'bearer' };
          }
          case 'other':
            return { kind: 'rejected', scheme: 'other' };
        }
      },
      unauthorized: () => ({
        status: 401,
        headers: { 'www-authenticate': 'BASIC realm="Service-now"' },
        json: new ServiceNowApiError(
          401,
          'User Not Authenticated',
          'Required to provide Auth information',
        ).toBody(),
      }),
      errorResponse: (status, message, retryAfterSeconds) =>
        jsonResponse(
          status,
          new ServiceNowApiError(status, message, null).toBody(),
          retryAfterSeconds === undefined
            ? undefined
            : { 'retry-after': String(retryAfterSeconds) },
        ),
      rateLimited: (retryAfterSeconds, limitPerSecond, now) =>
        jsonResponse(
          429,
          new ServiceNowApiError(
            429,
            'Rate limit exceeded',
            `Too many requests; retry after ${retryAfterSeconds} second(s)`,
          ).toBody(),
          {
            'retry-after': String(retryAfterSeconds),
            // The platform counts per hour.
            'x-ratelimit-limit': String(Math.floor(limitPerSecond * 3600)),
            'x-ratelimit-reset': String(Math.ceil(now.getTime() / 1000) + retryAfterSeconds),
            'x-ratelimit-rule': RATE_LIMIT_RULE,
          },
        ),
      ticketTable: () => ({
        title: 'Fake ServiceNow',
        columns: [
          'Number',
          'Short description',
          'State',
          'Priority',
          'Correlation ID',
          'Assignment group',
          'Due date',
          'Resolution code',
        ],
        rows: store.all().map((record) => {
          const group = groups.find(
            (candidate) => candidate.sysId === record.fields['assignment_group'],
          );
          return [
            record.fields['number'] ?? '',
            record.fields['short_description'] ?? '',
            CHOICES['state']![record.fields['state'] ?? ''] ?? record.fields['state'] ?? '',
            CHOICES['priority']![record.fields['priority'] ?? ''] ?? '',
            record.fields['correlation_id'] ?? '',
            group?.names[0] ?? record.fields['assignment_group'] ?? '',
            record.fields['due_date'] ?? '',
            record.fields['close_code'] ?? '',
          ];
        }),
      }),
      secrets: () => [
        ...users.map((user) => user.password),
        ...oauthClients.map((client) => client.clientSecret),
        ...oauth.secrets(),
      ],
      reset: () => {
        store.reset();
        oauth.expireAll();
      },
      snapshot: () => ({ records: self.fake!.records() }),
    };
    const server = await FakeHttpServer.start(service, baseUrl, { ...options, clock });
    const fake = new FakeServiceNow(server, store, oauth, users, oauthClients, groups);
    self.fake = fake;
    return fake;
  }

  /** hum's integration account. */
  get botUser(): ServiceNowUser {
    return this.users[0]!;
  }

  get humanUser(): ServiceNowUser {
    return this.users[1] ?? this.users[0]!;
  }

  /** Records of one table, or of every table, in creation order. */
  records(table?: string): ServiceNowRecordSnapshot[] {
    return (table === undefined ? this.store.all() : this.store.list(table)).map(snapshot);
  }

  record(sysIdOrNumber: string, table = 'incident'): ServiceNowRecordSnapshot | undefined {
    const record = this.store.find(table, sysIdOrNumber);
    return record && snapshot(record);
  }

  /**
   * A person edits a record in the UI, e.g. resolves it:
   * `{ state: '6', close_code: 'Solution provided', close_notes: '...' }`. Business rules and
   * data policies apply as they would to the API; their errors are thrown.
   */
  humanUpdate(
    sysIdOrNumber: string,
    fields: Readonly<Record<string, string | number | boolean>>,
    options: { table?: string; actor?: string } = {},
  ): ServiceNowRecordSnapshot {
    const table = options.table ?? 'incident';
    const record = this.store.find(table, sysIdOrNumber);
    if (!record) throw new ControlError(404, `no ${table} record ${sysIdOrNumber}`);
    const actorName = options.actor ?? this.humanUser.userName;
    const user = this.users.find((candidate) => candidate.userName === actorName);
    if (!user) throw new ControlError(400, `no user ${actorName} on this instance`);
    const updated = this.store.update(
      table,
      record.fields['sys_id']!,
      { ...fields },
      { userName: user.userName, sysId: user.sysId },
    );
    return snapshot(updated);
  }

  /** Revokes every OAuth token, so a client must fetch a new one. */
  expireTokens(): void {
    this.oauth.expireAll();
  }
}

/**
 * A local ServiceNow instance: Table API (incident by default), Basic and OAuth auth, encoded
 * queries, the incident state model with its data policies.
 */
export async function startFakeServiceNow(
  options: FakeServiceNowOptions = {},
): Promise<FakeServiceNow> {
  return FakeServiceNow.start(options);
}

function snapshot(record: TableRecord): ServiceNowRecordSnapshot {
  return {
    table: record.table,
    sysId: record.fields['sys_id']!,
    number: record.fields['number']!,
    fields: { ...record.fields },
    journal: [...record.journal],
    truncatedFields: [...record.truncated],
  };
}

function serviceNowRoute(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof ServiceNowApiError) return jsonResponse(error.status, error.toBody());
      throw error;
    }
  };
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ServiceNowApiError(
      400,
      'Exception while reading request',
      'The payload is not valid JSON.',
    );
  }
  return body as Record<string, unknown>;
}

function queryInt(query: URLSearchParams, name: string, fallback: number, label: string): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw new ServiceNowApiError(400, `${label} is ${raw}`, `Invalid ${label} value`);
  if (value < 0)
    throw new ServiceNowApiError(400, `${label} is ${raw}`, `Negative ${label} is not supported`);
  return value;
}

function paginationLinks(
  baseUrl: string,
  request: FakeRequest,
  offset: number,
  limit: number,
  total: number,
): string {
  const link = (at: number, rel: string): string => {
    const query = new URLSearchParams(request.query);
    query.set('sysparm_limit', String(limit));
    query.set('sysparm_offset', String(at));
    return `<${baseUrl}${request.path}?${query.toString()}>;rel="${rel}"`;
  };
  const links = [link(0, 'first')];
  if (offset > 0) links.push(link(Math.max(0, offset - limit), 'prev'));
  if (limit > 0 && offset + limit < total) links.push(link(offset + limit, 'next'));
  links.push(link(limit > 0 && total > 0 ? Math.floor((total - 1) / limit) * limit : 0, 'last'));
  return links.join(',');
}
