import { jsonResponse, type FakeRequest } from '../server/http-types';
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

const DEFAULT_PAGE = 50;
/** jira.search.views.default.max on a default Data Center install. */
const MAX_PAGE = 1000;

interface SearchParameters {
  readonly jql: string;
  readonly startAt: number;
  readonly maxResults: number;
  readonly fields: readonly string[] | undefined;
  readonly expand: string | undefined;
}

/** Data Center's `POST|GET /rest/api/2/search`: startAt/maxResults/total paging. */
export function addOffsetSearchRoutes(router: Router, context: JiraRouteContext): void {
  router
    .post(
      '/rest/api/2/search',
      jiraRoute((request) => search(context, request, fromBody(request.body))),
    )
    .get(
      '/rest/api/2/search',
      jiraRoute((request) => search(context, request, fromQuery(request.query))),
    );
}

function search(context: JiraRouteContext, request: FakeRequest, parameters: SearchParameters) {
  const issues = searchIssues(context, parameters.jql, request, { requireBounded: false });
  const maxResults = Math.min(parameters.maxResults, MAX_PAGE);
  const selection = selectFields(parameters.fields, '*navigable');
  const expand = new Set((parameters.expand ?? '').split(',').map((item) => item.trim()));
  const body: Record<string, unknown> = {
    expand: 'schema,names',
    startAt: parameters.startAt,
    maxResults,
    total: issues.length,
    issues: issues
      .slice(parameters.startAt, parameters.startAt + maxResults)
      .map((issue) => context.view.issue(issue, selection, expand)),
  };
  if (expand.has('names')) body['names'] = context.view.names();
  return jsonResponse(200, body);
}

function fromBody(body: unknown): SearchParameters {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw JiraApiError.badRequest('Request body is missing or is not a JSON object.');
  }
  const record = body as Record<string, unknown>;
  const fields = record['fields'];
  if (
    fields !== undefined &&
    (!Array.isArray(fields) || fields.some((field) => typeof field !== 'string'))
  ) {
    throw JiraApiError.badRequest('fields must be an array of strings');
  }
  const expand = record['expand'];
  return {
    jql: typeof record['jql'] === 'string' ? record['jql'] : '',
    startAt: nonNegativeInt(record['startAt'], 0),
    maxResults: nonNegativeInt(record['maxResults'], DEFAULT_PAGE),
    fields: fields as string[] | undefined,
    expand: Array.isArray(expand)
      ? expand.join(',')
      : typeof expand === 'string'
        ? expand
        : undefined,
  };
}

function fromQuery(query: URLSearchParams): SearchParameters {
  return {
    jql: query.get('jql') ?? '',
    startAt: nonNegativeInt(query.get('startAt'), 0),
    maxResults: nonNegativeInt(query.get('maxResults'), DEFAULT_PAGE),
    fields: listParam(query, 'fields'),
    expand: query.get('expand') ?? undefined,
  };
}
