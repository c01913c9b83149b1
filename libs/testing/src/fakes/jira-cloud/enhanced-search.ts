import { createHash } from 'node:crypto';
import { jsonResponse } from '../server/http-types';
import type { FakeRequest } from '../server/http-types';
import type { Router } from '../server/router';
import { JiraApiError } from '../jira/jira-errors';
import {
  jiraRoute,
  listParam,
  nonNegativeInt,
  searchIssues,
  type JiraRouteContext,
} from '../jira/jira-routes';
import { selectFields } from '../jira/jira-view';

/** The properties SearchAndReconcileRequestBean declares; Jira rejects any other. */
const REQUEST_PROPERTIES = new Set([
  'expand',
  'fields',
  'fieldsByKeys',
  'jql',
  'maxResults',
  'nextPageToken',
  'properties',
  'reconcileIssues',
]);
const DEFAULT_PAGE = 50;
const MAX_PAGE_WITH_FIELDS = 100;
const MAX_PAGE_IDS_ONLY = 5000;
const REMOVED_SEARCH =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';

interface SearchParameters {
  readonly jql: string;
  readonly fields: readonly string[] | undefined;
  readonly expand: string | undefined;
  readonly maxResults: number;
  readonly nextPageToken: string | undefined;
  readonly reconcileIssues: readonly string[];
}

/**
 * Jira Cloud's enhanced search: `POST|GET /rest/api/3/search/jql` with `nextPageToken`
 * paging, ids-only by default, bounded queries only, and an eventually consistent index
 * (see `searchIndexLagMs`) that `reconcileIssues` reads through. The old `/search` is gone.
 */
export function addEnhancedSearchRoutes(router: Router, context: JiraRouteContext): void {
  router
    .post(
      '/rest/api/3/search/jql',
      jiraRoute((request) => search(context, request, fromBody(request.body))),
    )
    .get(
      '/rest/api/3/search/jql',
      jiraRoute((request) => search(context, request, fromQuery(request.query))),
    )
    .post(
      '/rest/api/3/search/approximate-count',
      jiraRoute((request) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const jql = typeof body['jql'] === 'string' ? body['jql'] : '';
        const issues = searchIssues(context, jql, request, { requireBounded: true });
        return jsonResponse(200, { count: issues.length });
      }),
    )
    .post('/rest/api/3/search', () =>
      jsonResponse(410, { errorMessages: [REMOVED_SEARCH], errors: {} }),
    )
    .get('/rest/api/3/search', () =>
      jsonResponse(410, { errorMessages: [REMOVED_SEARCH], errors: {} }),
    );
}

function search(context: JiraRouteContext, request: FakeRequest, parameters: SearchParameters) {
  const selection = selectFields(parameters.fields, 'id');
  const cap = selection.idOnly ? MAX_PAGE_IDS_ONLY : MAX_PAGE_WITH_FIELDS;
  const pageSize = Math.min(Math.max(parameters.maxResults, 1), cap);
  const fingerprint = createHash('sha256').update(parameters.jql).digest('hex').slice(0, 16);
  const offset =
    parameters.nextPageToken === undefined ? 0 : decodeToken(parameters.nextPageToken, fingerprint);
  const issues = searchIssues(context, parameters.jql, request, {
    requireBounded: true,
    alwaysVisibleIds: new Set(parameters.reconcileIssues),
  });
  const page = issues.slice(offset, offset + pageSize);
  const expand = new Set((parameters.expand ?? '').split(',').map((item) => item.trim()));
  const idsOnly =
    selection.idOnly && !(parameters.fields ?? []).some((field) => field.includes('key'));
  const body: Record<string, unknown> = {
    issues: page.map((issue) =>
      idsOnly ? { id: issue.id } : context.view.issue(issue, selection, expand),
    ),
    isLast: offset + page.length >= issues.length,
  };
  if (offset + page.length < issues.length)
    body['nextPageToken'] = encodeToken(offset + page.length, fingerprint);
  if (expand.has('names')) body['names'] = context.view.names();
  return jsonResponse(200, body);
}

function fromBody(body: unknown): SearchParameters {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw JiraApiError.badRequest('Request body is missing or is not a JSON object.');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!REQUEST_PROPERTIES.has(key)) {
      throw JiraApiError.badRequest(
        `Unrecognized field "${key}" (class com.atlassian.jira.rest.v2.search.SearchAndReconcileRequestBean), not marked as ignorable`,
      );
    }
  }
  const jql = record['jql'];
  if (typeof jql !== 'string') throw JiraApiError.badRequest('The JQL query is required.');
  const fields = record['fields'];
  if (
    fields !== undefined &&
    (!Array.isArray(fields) || fields.some((field) => typeof field !== 'string'))
  ) {
    throw JiraApiError.badRequest('fields must be an array of strings');
  }
  const token = record['nextPageToken'];
  const reconcile = record['reconcileIssues'];
  return {
    jql,
    fields: fields as string[] | undefined,
    expand: typeof record['expand'] === 'string' ? record['expand'] : undefined,
    maxResults: nonNegativeInt(record['maxResults'], DEFAULT_PAGE),
    nextPageToken: typeof token === 'string' ? token : undefined,
    reconcileIssues: Array.isArray(reconcile) ? reconcile.map(String) : [],
  };
}

function fromQuery(query: URLSearchParams): SearchParameters {
  const jql = query.get('jql');
  if (jql === null) throw JiraApiError.badRequest('The JQL query is required.');
  return {
    jql,
    fields: listParam(query, 'fields'),
    expand: query.get('expand') ?? undefined,
    maxResults: nonNegativeInt(query.get('maxResults'), DEFAULT_PAGE),
    nextPageToken: query.get('nextPageToken') ?? undefined,
    reconcileIssues: listParam(query, 'reconcileIssues') ?? [],
  };
}

/** Opaque to clients; binds the offset to the query so a token cannot page another search. */
function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint })).toString('base64url');
}

function decodeToken(token: string, fingerprint: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      q?: unknown;
    };
    if (
      typeof parsed.o === 'number' &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0 &&
      parsed.q === fingerprint
    ) {
      return parsed.o;
    }
  } catch {
    // Falls through to the same answer as a token for another query.
  }
  throw JiraApiError.badRequest('The provided next page token is invalid or expired.');
}
