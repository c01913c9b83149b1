import type { Clock } from '@hum/common';
import { jsonResponse, noContent, type FakeRequest } from '../server/http-types';
import type { RouteHandler, Router } from '../server/router';
import { findUserByAnyName } from './jira-directory';
import type { JiraDialect } from './jira-dialect';
import { JiraApiError } from './jira-errors';
import { commentProblem, type IssueInput } from './issue-input';
import type { JiraStore } from './jira-store';
import { selectFields, type JiraView } from './jira-view';
import type { JiraIssue } from './jira-model';
import { compileJql, type CompiledJql } from './jql/jql-compile';

/** What route handlers of one Jira fake share. */
export interface JiraRouteContext {
  readonly store: JiraStore;
  readonly view: JiraView;
  readonly dialect: JiraDialect;
  readonly clock: Clock;
  /** How long a new issue stays out of search results (Cloud's eventually consistent index). */
  readonly searchIndexLagMs: () => number;
}

/** Answers JiraApiError with Jira's ErrorCollection; anything else is a bug and propagates. */
export function jiraRoute(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof JiraApiError) return jsonResponse(error.status, error.toBody());
      throw error;
    }
  };
}

export function actorOf(request: FakeRequest, store: JiraStore): string {
  const user = request.principal && findUserByAnyName(store.users(), request.principal.user);
  if (!user)
    throw new JiraApiError(401, [
      'You are not authenticated. Authentication required to perform this operation.',
    ]);
  return user.accountId;
}

export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name).flatMap((value) => value.split(','));
  return values.length === 0 ? undefined : values;
}

function expandSet(value: unknown): Set<string> {
  return new Set(typeof value === 'string' ? value.split(',').map((item) => item.trim()) : []);
}

function bodyRecord(request: FakeRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw JiraApiError.badRequest(
      'Can not deserialize instance of the request body out of a non-object token',
    );
  }
  return body as Record<string, unknown>;
}

/** The issue, transition, comment, user and project resources both Jira fakes serve. */
export function addIssueRoutes(router: Router, context: JiraRouteContext): void {
  const { store, view, dialect } = context;
  const prefix = `/rest/api/${dialect.apiVersion}`;

  router
    .post(
      `${prefix}/issue`,
      jiraRoute((request) => {
        const issue = store.create(bodyRecord(request) as IssueInput, actorOf(request, store));
        return jsonResponse(201, { id: issue.id, key: issue.key, self: view.issueSelf(issue) });
      }),
    )
    .get(
      `${prefix}/issue/:issueIdOrKey`,
      jiraRoute((request) => {
        actorOf(request, store);
        const issue = store.requireIssue(request.params['issueIdOrKey']!);
        return jsonResponse(
          200,
          view.issue(
            issue,
            selectFields(listParam(request.query, 'fields'), '*all'),
            expandSet(request.query.get('expand')),
          ),
        );
      }),
    )
    .put(
      `${prefix}/issue/:issueIdOrKey`,
      jiraRoute((request) => {
        const actor = actorOf(request, store);
        const issue = store.requireIssue(request.params['issueIdOrKey']!);
        store.edit(issue, bodyRecord(request) as IssueInput, actor);
        if (request.query.get('returnIssue') === 'true') {
          return jsonResponse(200, view.issue(issue, selectFields(undefined, '*all')));
        }
        return noContent();
      }),
    )
    .delete(
      `${prefix}/issue/:issueIdOrKey`,
      jiraRoute((request) => {
        const actor = actorOf(request, store);
        store.delete(store.requireIssue(request.params['issueIdOrKey']!), actor);
        return noContent();
      }),
    )
    .get(
      `${prefix}/issue/:issueIdOrKey/transitions`,
      jiraRoute((request) => {
        actorOf(request, store);
        const issue = store.requireIssue(request.params['issueIdOrKey']!);
        const withFields = expandSet(request.query.get('expand')).has('transitions.fields');
        const only = request.query.get('transitionId');
        const transitions = store
          .availableTransitions(issue)
          .filter((transition) => only === null || transition.id === only)
          .map((transition) => view.transition(transition, withFields));
        return jsonResponse(200, { expand: 'transitions', transitions });
      }),
    )
    .post(
      `${prefix}/issue/:issueIdOrKey/transitions`,
      jiraRoute((request) => {
        const actor = actorOf(request, store);
        const issue = store.requireIssue(request.params['issueIdOrKey']!);
        const body = bodyRecord(request);
        const transition = body['transition'];
        const id =
          transition !== null && typeof transition === 'object'
            ? (transition as Record<string, unknown>)['id']
            : undefined;
        if (id === undefined) throw JiraApiError.badRequest("Missing 'transition' identifier");
        store.transition(issue, id, body as IssueInput, actor);
        return noContent();
      }),
    )
    .get(
      `${prefix}/issue/:issueIdOrKey/comment`,
      jiraRoute((request) => {
        actorOf(request, store);
        const issue = store.requireIssue(request.params['issueIdOrKey']!);
        const startAt = nonNegativeInt(request.query.get('startAt'), 0);
        const maxResults = Math.min(nonNegativeInt(request.query.get('maxResults'), 5000), 5000);
        const comments = issue.comments.slice(startAt, startAt + maxResults);
        return jsonResponse(200, {
          startAt,
          maxResults,
          total: issue.comments.length,
          comments: comments.map((comment) => view.comment(issue, comment)),
        });
      }),
    )
    .post(
      `${prefix}/issue/:issueIdOrKey/comment`,
      jiraRoute((request) => {
        const actor = actorOf(request, store);
        const issue = store.requireIssue(request.params['issueIdOrKey']!);
        const body = bodyRecord(request)['body'];
        const problem =
          body === undefined ? 'Comment body can not be empty!' : commentProblem(body, dialect);
        if (problem) throw JiraApiError.fieldErrors({ comment: problem });
        return jsonResponse(201, view.comment(issue, store.addComment(issue, body, actor)));
      }),
    )
    .get(
      `${prefix}/myself`,
      jiraRoute((request) => {
        const user = store.findUser(actorOf(request, store))!;
        const body = view.account(user);
        return jsonResponse(200, {
          ...body,
          ...(dialect.flavour === 'cloud'
            ? { locale: 'en_US' }
            : { locale: 'en_US', deleted: false }),
          expand: 'groups,applicationRoles',
        });
      }),
    )
    .get(
      `${prefix}/project/:projectIdOrKey`,
      jiraRoute((request) => {
        actorOf(request, store);
        const key = request.params['projectIdOrKey']!;
        const project = store.findProject(key);
        if (!project) throw new JiraApiError(404, [`No project could be found with key '${key}'.`]);
        return jsonResponse(200, view.project(project));
      }),
    )
    .get(
      `${prefix}/field`,
      jiraRoute((request) => {
        actorOf(request, store);
        return jsonResponse(200, view.fields());
      }),
    );
}

export function nonNegativeInt(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw JiraApiError.badRequest(
      `The value '${String(value)}' is not a valid non-negative integer.`,
    );
  }
  return number;
}

/** Runs a JQL search over the store: compile, filter, order. */
export function searchIssues(
  context: JiraRouteContext,
  jql: string,
  request: FakeRequest,
  options: { requireBounded: boolean; alwaysVisibleIds?: ReadonlySet<string> },
): JiraIssue[] {
  const compiled: CompiledJql = compileJql(jql, {
    directory: context.store,
    now: context.clock.now(),
    currentAccountId: actorOf(request, context.store),
    plainText: (value) => context.dialect.plainText(value),
  });
  if (options.requireBounded && !compiled.bounded) {
    throw JiraApiError.badRequest(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  }
  const lag = context.searchIndexLagMs();
  const now = context.clock.now().getTime();
  const pool = compiled.requiredLabels
    ? context.store.issuesWithAnyLabel(compiled.requiredLabels)
    : context.store.allIssues();
  return pool
    .filter(
      (issue) =>
        lag <= 0 ||
        issue.created.getTime() + lag <= now ||
        (options.alwaysVisibleIds?.has(issue.id) ?? false),
    )
    .filter(compiled.matches)
    .sort(compiled.compare);
}
