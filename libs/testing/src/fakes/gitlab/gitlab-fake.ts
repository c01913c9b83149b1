import { z } from 'zod';
import type { Clock } from '@hum/common';
import { presentedCredentials, randomSecret, secretEquals } from '../server/credentials';
import { FakeHandle } from '../server/fake-handle';
import { ControlError, FakeHttpServer, type FakeServerOptions } from '../server/fake-http-server';
import { BaseUrl, type AuthOutcome, type FakeService } from '../server/fake-service';
import { jsonResponse, type FakeRequest, type FakeResponse } from '../server/http-types';
import { Router, type RouteHandler } from '../server/router';
import { blobSha, GitModel } from '../github/git-model';

export type PipelineStatus = 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled';

export interface GitLabProjectInit {
  /** `group/subgroup/name`. */
  readonly path: string;
  readonly defaultBranch?: string;
  readonly files?: Readonly<Record<string, string>>;
  /** What pipelines of new commits end as; `running` leaves them for the control API. */
  readonly pipeline?: 'success' | 'failed' | 'running' | 'none';
  /** Project setting "Pipelines must succeed". */
  readonly onlyAllowMergeIfPipelineSucceeds?: boolean;
}

/** Personal access token scopes the fake knows: `api` reads and writes, `read_api` only reads. */
export type GitLabTokenScope = 'api' | 'read_api';

export interface GitLabTokenInit {
  readonly username: string;
  /** Random (`glpat-…`) when omitted. */
  readonly token?: string;
  /** `['api']` when omitted. */
  readonly scopes?: readonly GitLabTokenScope[];
}

export interface FakeGitLabOptions extends FakeServerOptions {
  /** The first is hum's bot; more may act as people. */
  readonly tokens?: readonly GitLabTokenInit[];
  readonly projects?: readonly GitLabProjectInit[];
}

interface Pipeline {
  readonly id: number;
  readonly sha: string;
  readonly ref: string;
  status: PipelineStatus;
}

interface MergeRequest {
  readonly iid: number;
  readonly title: string;
  readonly description: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  labels: string[];
  readonly author: string;
  readonly removeSourceBranch: boolean;
  state: 'opened' | 'closed' | 'merged';
  mergedSha: string | null;
  readonly createdAt: string;
}

class Project {
  readonly git: GitModel;
  readonly pipelines: Pipeline[] = [];
  readonly mergeRequests: MergeRequest[] = [];
  pipelineResult: 'success' | 'failed' | 'running' | 'none';
  readonly onlyAllowMergeIfPipelineSucceeds: boolean;

  constructor(
    readonly id: number,
    readonly path: string,
    init: GitLabProjectInit,
    clock: Clock,
  ) {
    this.git = new GitModel(init.defaultBranch ?? 'main', init.files ?? {}, () => clock.now());
    this.pipelineResult = init.pipeline ?? 'success';
    this.onlyAllowMergeIfPipelineSucceeds = init.onlyAllowMergeIfPipelineSucceeds ?? true;
  }
}

export interface MergeRequestSnapshot {
  readonly iid: number;
  readonly title: string;
  readonly description: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly labels: readonly string[];
  readonly state: 'opened' | 'closed' | 'merged';
  readonly url: string;
  readonly author: string;
}

class GitLabApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

function mapErrors(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof GitLabApiError) return jsonResponse(error.status, error.body);
      throw error;
    }
  };
}

const message = (status: number, text: string | string[]): GitLabApiError =>
  new GitLabApiError(status, { message: text });

function bodyOf(request: FakeRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    throw new GitLabApiError(400, { error: 'body is missing or not a JSON object' });
  return body as Record<string, unknown>;
}

/**
 * Grape's parameter validation: every missing required parameter named in one `error`,
 * `branch is missing, commit_message is missing`, before the endpoint runs.
 */
function requireParams(body: Record<string, unknown>, fields: readonly string[]): void {
  const missing = fields.filter((field) => {
    const value = body[field];
    return value === undefined || value === null || value === '';
  });
  if (missing.length > 0)
    throw new GitLabApiError(400, { error: missing.map((f) => `${f} is missing`).join(', ') });
}

function required(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '')
    throw new GitLabApiError(400, { error: `${field} is invalid` });
  return value;
}

/** What GitLab answers a token whose scopes do not cover the request (a `read_api` token writing). */
const insufficientScope = (): GitLabApiError =>
  new GitLabApiError(403, {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the access token.',
    scope: 'api',
  });

/**
 * Rack::Attack's throttle answer: plain text, and the RateLimit-* headers GitLab documents
 * (quota per minute, what was observed, the reset as epoch seconds and as an HTTP date).
 */
function throttled(retryAfterSeconds: number, limitPerMinute: number, at: Date): FakeResponse {
  const reset = new Date(Math.ceil(at.getTime() / 1000) * 1000 + retryAfterSeconds * 1000);
  return {
    status: 429,
    text: 'Retry later\n',
    headers: {
      'retry-after': String(retryAfterSeconds),
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(limitPerMinute),
      'ratelimit-observed': String(limitPerMinute),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(reset.getTime() / 1000),
      'ratelimit-resettime': reset.toUTCString(),
    },
  };
}

/** A running fake GitLab (REST v4) and its typed handle for specs. */
export class FakeGitLab extends FakeHandle {
  private constructor(
    server: FakeHttpServer,
    private readonly projects: Map<string, Project>,
    private readonly addProject: (init: GitLabProjectInit) => Project,
    private readonly runPipeline: (project: Project, sha: string, ref: string) => void,
    readonly tokens: ReadonlyArray<{
      username: string;
      token: string;
      scopes: readonly GitLabTokenScope[];
    }>,
  ) {
    super(server);
  }

  static async start(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
    const clock: Clock = options.clock ?? { now: () => new Date() };
    const tokens = (options.tokens ?? [{ username: 'hum-bot' }, { username: 'riley.human' }]).map(
      (t) => ({
        username: t.username,
        token: t.token ?? `glpat-${randomSecret(15)}`,
        scopes: t.scopes ?? (['api'] as const),
      }),
    );
    /**
     * Every API route: the token's scopes first (reads need `read_api` or `api`, writes `api`),
     * then GitLab's error shapes for what the handler refuses.
     */
    const route = (handler: RouteHandler): RouteHandler =>
      mapErrors((request) => {
        const scopes = tokens.find((t) => t.username === request.principal?.user)?.scopes ?? [];
        if (request.method === 'GET' ? scopes.length === 0 : !scopes.includes('api'))
          throw insufficientScope();
        return handler(request);
      });
    const projects = new Map<string, Project>();
    let nextProjectId = 40;
    let nextPipelineId = 9_000;
    const addProject = (init: GitLabProjectInit): Project => {
      if (projects.has(init.path.toLowerCase()))
        throw new ControlError(409, `project ${init.path} exists`);
      const project = new Project(nextProjectId++, init.path, init, clock);
      projects.set(init.path.toLowerCase(), project);
      return project;
    };
    const runPipeline = (project: Project, sha: string, ref: string): void => {
      if (project.pipelineResult === 'none' || ref === project.git.defaultBranch) return;
      project.pipelines.push({ id: nextPipelineId++, sha, ref, status: project.pipelineResult });
    };
    for (const init of options.projects ?? []) addProject(init);
    const baseUrl = new BaseUrl();
    const now = (): string => clock.now().toISOString();
    const API = '/api/v4';

    const projectOf = (request: FakeRequest): Project => {
      const id = request.params['id']!;
      const project = /^\d+$/.test(id)
        ? [...projects.values()].find((p) => p.id === Number(id))
        : projects.get(id.toLowerCase());
      if (!project) throw message(404, '404 Project Not Found');
      return project;
    };
    const webUrl = (project: Project): string => `${baseUrl.value}/${project.path}`;
    const headPipeline = (project: Project, sha: string | undefined): Pipeline | undefined =>
      sha === undefined ? undefined : [...project.pipelines].reverse().find((p) => p.sha === sha);
    const mergeRequestJson = (project: Project, mr: MergeRequest): Record<string, unknown> => {
      const sha = project.git.branches.get(mr.sourceBranch) ?? mr.mergedSha ?? undefined;
      const target = project.git.branches.get(mr.targetBranch);
      const open = mr.state === 'opened';
      const conflicts =
        open && sha && target ? project.git.conflicts(sha, target).length > 0 : false;
      const pipeline = headPipeline(project, sha);
      const pipelineOk =
        !project.onlyAllowMergeIfPipelineSucceeds || pipeline?.status === 'success';
      const detailed = !open
        ? 'not_open'
        : conflicts
          ? 'conflict'
          : pipeline && ['created', 'pending', 'running'].includes(pipeline.status)
            ? 'ci_still_running'
            : !pipelineOk
              ? 'ci_must_pass'
              : 'mergeable';
      return {
        id: project.id * 10_000 + mr.iid,
        iid: mr.iid,
        project_id: project.id,
        title: mr.title,
        description: mr.description,
        state: mr.state,
        source_branch: mr.sourceBranch,
        target_branch: mr.targetBranch,
        labels: mr.labels,
        author: { username: mr.author },
        sha: sha ?? null,
        merge_commit_sha: mr.mergedSha,
        has_conflicts: conflicts,
        merge_status: detailed === 'mergeable' ? 'can_be_merged' : 'cannot_be_merged',
        detailed_merge_status: detailed,
        head_pipeline: pipeline
          ? {
              id: pipeline.id,
              sha: pipeline.sha,
              ref: pipeline.ref,
              status: pipeline.status,
              web_url: `${webUrl(project)}/-/pipelines/${pipeline.id}`,
            }
          : null,
        web_url: `${webUrl(project)}/-/merge_requests/${mr.iid}`,
        created_at: mr.createdAt,
      };
    };
    const mrOf = (project: Project, request: FakeRequest): MergeRequest => {
      const mr = project.mergeRequests.find((m) => m.iid === Number(request.params['iid']));
      if (!mr) throw message(404, '404 Not found');
      return mr;
    };
    const fileAt = (
      project: Project,
      request: FakeRequest,
    ): { path: string; content: string; ref: string } => {
      const ref = request.query.get('ref');
      if (ref === null) throw new GitLabApiError(400, { error: 'ref is missing' });
      const files = project.git.filesAt(ref);
      if (!files) throw message(404, '404 Commit Not Found');
      const path = request.params['path']!;
      const content = files.get(path);
      if (content === undefined) throw message(404, '404 File Not Found');
      return { path, content, ref };
    };
    const userOf = (request: FakeRequest): string => request.principal?.user ?? 'unknown';

    const api = new Router()
      .get(
        `${API}/projects/:id`,
        route((request) => {
          const project = projectOf(request);
          return jsonResponse(200, {
            id: project.id,
            path: project.path.split('/').pop(),
            path_with_namespace: project.path,
            default_branch: project.git.defaultBranch,
            web_url: webUrl(project),
            only_allow_merge_if_pipeline_succeeds: project.onlyAllowMergeIfPipelineSucceeds,
          });
        }),
      )
      .get(
        `${API}/projects/:id/repository/files/:path/raw`,
        route((request) => {
          const { content } = fileAt(projectOf(request), request);
          return { status: 200, text: content };
        }),
      )
      .get(
        `${API}/projects/:id/repository/files/:path`,
        route((request) => {
          const { path, content, ref } = fileAt(projectOf(request), request);
          return jsonResponse(200, {
            file_name: path.split('/').pop(),
            file_path: path,
            size: Buffer.byteLength(content),
            encoding: 'base64',
            content: Buffer.from(content).toString('base64'),
            ref,
            blob_id: blobSha(content),
          });
        }),
      )
      .get(
        `${API}/projects/:id/repository/branches/:branch`,
        route((request) => {
          const project = projectOf(request);
          const branch = request.params['branch']!;
          const sha = project.git.branches.get(branch);
          if (sha === undefined) throw message(404, '404 Branch Not Found');
          const commit = project.git.commit(sha)!;
          return jsonResponse(200, {
            name: branch,
            default: branch === project.git.defaultBranch,
            commit: { id: sha, message: commit.message, parent_ids: commit.parents },
            web_url: `${webUrl(project)}/-/tree/${branch}`,
          });
        }),
      )
      .post(
        `${API}/projects/:id/repository/branches`,
        route((request) => {
          const project = projectOf(request);
          const body = bodyOf(request);
          requireParams(body, ['branch', 'ref']);
          const branch = required(body, 'branch');
          const ref = required(body, 'ref');
          if (project.git.branches.has(branch)) throw message(400, 'Branch already exists');
          const sha = project.git.resolve(ref);
          if (sha === undefined) throw message(400, 'Invalid reference name');
          project.git.branches.set(branch, sha);
          return jsonResponse(201, { name: branch, commit: { id: sha } });
        }),
      )
      .post(
        `${API}/projects/:id/repository/commits`,
        route((request) => {
          const project = projectOf(request);
          const body = bodyOf(request);
          requireParams(body, ['branch', 'commit_message', 'actions']);
          const branch = required(body, 'branch');
          const commitMessage = required(body, 'commit_message');
          const actions = body['actions'];
          if (!Array.isArray(actions) || actions.length === 0)
            throw new GitLabApiError(400, { error: 'actions is empty' });
          const start = typeof body['start_branch'] === 'string' ? body['start_branch'] : undefined;
          const exists = project.git.branches.has(branch);
          if (start !== undefined && exists && start !== branch)
            throw message(
              400,
              `A branch called '${branch}' already exists. Switch to that branch in order to make changes`,
            );
          if (!exists && start === undefined)
            throw message(400, 'You can only create or edit files when you are on a branch');
          const from = exists ? branch : start!;
          const files = project.git.filesAt(from);
          if (!files) throw message(400, `Invalid start branch ${from}`);
          const changes: Record<string, string | null> = {};
          for (const raw of actions as Array<Record<string, unknown>>) {
            const path = raw['file_path'];
            if (typeof path !== 'string' || path === '' || path.split('/').includes('..'))
              throw new GitLabApiError(400, { error: 'actions[file_path] is invalid' });
            const present = files.has(path) && changes[path] !== null;
            switch (raw['action']) {
              case 'create':
                if (present) throw message(400, 'A file with this name already exists');
                changes[path] = String(raw['content'] ?? '');
                break;
              case 'update':
                if (!present) throw message(400, "A file with this name doesn't exist");
                changes[path] = String(raw['content'] ?? '');
                break;
              case 'delete':
                if (!present) throw message(400, "A file with this name doesn't exist");
                changes[path] = null;
                break;
              default:
                throw new GitLabApiError(400, {
                  error: 'actions[action] does not have a valid value',
                });
            }
          }
          if (!exists) project.git.branches.set(branch, project.git.branches.get(from)!);
          const commit = project.git.commitOnBranch(branch, changes, commitMessage, {
            name: userOf(request),
            email: `${userOf(request)}@example.test`,
          });
          runPipeline(project, commit.sha, branch);
          return jsonResponse(201, {
            id: commit.sha,
            short_id: commit.sha.slice(0, 8),
            title: commitMessage.split('\n')[0],
            message: commitMessage,
            parent_ids: commit.parents,
            web_url: `${webUrl(project)}/-/commit/${commit.sha}`,
          });
        }),
      )
      .get(
        `${API}/projects/:id/merge_requests`,
        route((request) => {
          const project = projectOf(request);
          const state = request.query.get('state') ?? 'all';
          const source = request.query.get('source_branch');
          const list = project.mergeRequests
            .filter((mr) => state === 'all' || mr.state === state)
            .filter((mr) => source === null || mr.sourceBranch === source)
            .sort((a, b) => b.iid - a.iid);
          return jsonResponse(
            200,
            list.map((mr) => mergeRequestJson(project, mr)),
          );
        }),
      )
      .post(
        `${API}/projects/:id/merge_requests`,
        route((request) => {
          const project = projectOf(request);
          const body = bodyOf(request);
          requireParams(body, ['source_branch', 'target_branch', 'title']);
          const source = required(body, 'source_branch');
          const target = required(body, 'target_branch');
          const title = required(body, 'title');
          if (!project.git.branches.has(source))
            throw message(400, ['Source branch does not exist']);
          if (!project.git.branches.has(target))
            throw message(400, ['Target branch does not exist']);
          const open = project.mergeRequests.find(
            (mr) => mr.state === 'opened' && mr.sourceBranch === source,
          );
          if (open)
            throw message(409, [
              `Another open merge request already exists for this source branch: !${open.iid}`,
            ]);
          const labels =
            typeof body['labels'] === 'string'
              ? body['labels']
                  .split(',')
                  .map((l) => l.trim())
                  .filter((l) => l !== '')
              : Array.isArray(body['labels'])
                ? (body['labels'] as unknown[]).map(String)
                : [];
          const mr: MergeRequest = {
            iid: project.mergeRequests.length + 1,
            title,
            description: typeof body['description'] === 'string' ? body['description'] : '',
            sourceBranch: source,
            targetBranch: target,
            labels,
            author: userOf(request),
            removeSourceBranch: body['remove_source_branch'] === true,
            state: 'opened',
            mergedSha: null,
            createdAt: now(),
          };
          project.mergeRequests.push(mr);
          return jsonResponse(201, mergeRequestJson(project, mr));
        }),
      )
      .get(
        `${API}/projects/:id/merge_requests/:iid`,
        route((request) => {
          const project = projectOf(request);
          return jsonResponse(200, mergeRequestJson(project, mrOf(project, request)));
        }),
      )
      .put(
        `${API}/projects/:id/merge_requests/:iid`,
        route((request) => {
          const project = projectOf(request);
          const mr = mrOf(project, request);
          const body = bodyOf(request);
          const split = (value: unknown): string[] =>
            typeof value === 'string'
              ? value
                  .split(',')
                  .map((l) => l.trim())
                  .filter((l) => l !== '')
              : Array.isArray(value)
                ? (value as unknown[]).map(String)
                : [];
          if (body['labels'] !== undefined) mr.labels = split(body['labels']);
          for (const label of split(body['add_labels']))
            if (!mr.labels.includes(label)) mr.labels.push(label);
          const removed = new Set(split(body['remove_labels']));
          mr.labels = mr.labels.filter((l) => !removed.has(l));
          if (body['state_event'] === 'close' && mr.state === 'opened') mr.state = 'closed';
          if (body['state_event'] === 'reopen' && mr.state === 'closed') mr.state = 'opened';
          return jsonResponse(200, mergeRequestJson(project, mr));
        }),
      )
      .put(
        `${API}/projects/:id/merge_requests/:iid/merge`,
        route((request) => {
          const project = projectOf(request);
          const mr = mrOf(project, request);
          const body = request.body === undefined ? {} : bodyOf(request);
          if (mr.state !== 'opened') throw message(405, '405 Method Not Allowed');
          const sha = project.git.branches.get(mr.sourceBranch);
          if (sha === undefined) throw message(405, '405 Method Not Allowed');
          if (typeof body['sha'] === 'string' && body['sha'] !== sha)
            throw message(409, `SHA does not match HEAD of source branch: ${sha}`);
          const json = mergeRequestJson(project, mr);
          if (json['detailed_merge_status'] === 'conflict')
            throw message(406, 'Branch cannot be merged');
          if (json['detailed_merge_status'] !== 'mergeable')
            throw message(405, '405 Method Not Allowed');
          const commit = project.git.merge(
            sha,
            mr.targetBranch,
            body['squash'] === true ? 'squash' : 'merge',
            `Merge branch '${mr.sourceBranch}' into '${mr.targetBranch}'`,
          );
          mr.state = 'merged';
          mr.mergedSha = sha;
          if (mr.removeSourceBranch || body['should_remove_source_branch'] === true)
            project.git.branches.delete(mr.sourceBranch);
          return jsonResponse(200, {
            ...mergeRequestJson(project, mr),
            merge_commit_sha: commit.sha,
          });
        }),
      );

    const self: { fake?: FakeGitLab } = {};
    const control = new Router()
      .post('/__fake/projects', (request) => {
        const init = z
          .object({
            path: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/),
            defaultBranch: z.string().min(1).optional(),
            files: z.record(z.string(), z.string()).optional(),
            pipeline: z.enum(['success', 'failed', 'running', 'none']).optional(),
            onlyAllowMergeIfPipelineSucceeds: z.boolean().optional(),
          })
          .strict()
          .parse(request.body);
        addProject(init);
        return jsonResponse(201, { path: init.path });
      })
      .post('/__fake/projects/:id/pipelines/:pipeline', (request) => {
        const status = z
          .object({ status: z.enum(['success', 'failed', 'canceled']) })
          .strict()
          .parse(request.body).status;
        const project = projects.get(request.params['id']!.toLowerCase());
        const pipeline = project?.pipelines.find(
          (p) => p.id === Number(request.params['pipeline']),
        );
        if (!pipeline) throw new ControlError(404, 'no such pipeline');
        pipeline.status = status;
        return jsonResponse(200, { id: pipeline.id, status });
      });

    const service: FakeService = {
      name: 'gitlab',
      api,
      control,
      authenticate: (headers): AuthOutcome => {
        const header = headers['private-token'];
        const privateToken = typeof header === 'string' ? header : undefined;
        const presented = presentedCredentials(headers);
        const token = privateToken ?? (presented.scheme === 'bearer' ? presented.token : undefined);
        if (token === undefined)
          return presented.scheme === 'none'
            ? { kind: 'missing' }
            : { kind: 'rejected', scheme: presented.scheme };
        const match = tokens.find((t) => secretEquals(token, t.token));
        return match
          ? {
              kind: 'authenticated',
              principal: { user: match.username, scheme: privateToken ? 'other' : 'bearer' },
            }
          : { kind: 'rejected', scheme: privateToken ? 'other' : 'bearer' };
      },
      unauthorized: () => jsonResponse(401, { message: '401 Unauthorized' }),
      errorResponse: (status, text, retryAfterSeconds): FakeResponse =>
        // An injected 429 looks like the throttle's (quota: GitLab.com's 2000/min for the API).
        status === 429
          ? throttled(retryAfterSeconds ?? 60, 2000, clock.now())
          : jsonResponse(
              status,
              { message: status === 404 ? '404 Not Found' : text },
              retryAfterSeconds === undefined
                ? undefined
                : { 'retry-after': String(retryAfterSeconds) },
            ),
      rateLimited: (retryAfterSeconds, limitPerSecond, at) =>
        throttled(retryAfterSeconds, Math.max(1, Math.floor(limitPerSecond * 60)), at),
      ticketTable: () => ({
        title: 'Fake GitLab — merge requests',
        columns: ['Project', '!', 'Title', 'State', 'Source', 'Labels', 'Author'],
        rows: [...projects.values()].flatMap((project) =>
          project.mergeRequests.map((mr) => [
            project.path,
            String(mr.iid),
            mr.title,
            mr.state,
            mr.sourceBranch,
            mr.labels.join(', '),
            mr.author,
          ]),
        ),
      }),
      secrets: () => tokens.map((t) => t.token),
      reset: () => projects.clear(),
      snapshot: () => ({
        projects: [...projects.values()].map((p) => ({
          path: p.path,
          branches: Object.fromEntries(p.git.branches),
          mergeRequests: self.fake!.mergeRequests(p.path),
          pipelines: p.pipelines,
        })),
      }),
    };
    const server = await FakeHttpServer.start(service, baseUrl, { ...options, clock });
    const fake = new FakeGitLab(server, projects, addProject, runPipeline, tokens);
    self.fake = fake;
    return fake;
  }

  /** The API root to configure: `<url>/api/v4`. */
  get apiUrl(): string {
    return `${this.server.url}/api/v4`;
  }

  get botToken(): string {
    return this.tokens[0]!.token;
  }

  createProject(init: GitLabProjectInit): void {
    this.addProject(init);
  }

  private project(path: string): Project {
    const project = this.projects.get(path.toLowerCase());
    if (!project) throw new ControlError(404, `no project ${path}`);
    return project;
  }

  /** A person pushes to a branch (the default unless told). */
  pushCommit(
    path: string,
    files: Readonly<Record<string, string | null>>,
    branch?: string,
  ): string {
    const project = this.project(path);
    const target = branch ?? project.git.defaultBranch;
    const commit = project.git.commitOnBranch(target, files, 'Change by a person', {
      name: 'riley.human',
      email: 'riley@example.test',
    });
    this.runPipeline(project, commit.sha, target);
    return commit.sha;
  }

  setPipelineResult(path: string, result: 'success' | 'failed' | 'running' | 'none'): void {
    this.project(path).pipelineResult = result;
  }

  /** Finishes the latest pipeline of a branch head. */
  finishPipeline(path: string, branch: string, status: 'success' | 'failed' | 'canceled'): void {
    const project = this.project(path);
    const sha = project.git.branches.get(branch);
    const pipeline = [...project.pipelines].reverse().find((p) => p.sha === sha);
    if (!pipeline) throw new ControlError(404, `no pipeline for ${branch}`);
    pipeline.status = status;
  }

  mergeRequests(path: string): MergeRequestSnapshot[] {
    const project = this.project(path);
    return project.mergeRequests.map((mr) => ({
      iid: mr.iid,
      title: mr.title,
      description: mr.description,
      sourceBranch: mr.sourceBranch,
      targetBranch: mr.targetBranch,
      labels: [...mr.labels],
      state: mr.state,
      url: `${this.url}/${project.path}/-/merge_requests/${mr.iid}`,
      author: mr.author,
    }));
  }

  branches(path: string): Record<string, string> {
    return Object.fromEntries(this.project(path).git.branches);
  }

  file(path: string, ref: string, file: string): string | undefined {
    return this.project(path).git.filesAt(ref)?.get(file);
  }
}

/**
 * A local GitLab REST v4: projects addressed by id or URL-encoded path, raw files, branches,
 * multi-action commits (creating a branch from `start_branch`), merge requests with labels,
 * head pipelines, conflicts and merges; GitLab's error shapes (Grape's `{error}` for missing
 * parameters, `{message}` otherwise), PRIVATE-TOKEN or Bearer auth with token scopes (a
 * `read_api` token cannot write: 403 `insufficient_scope`), and Rack::Attack's 429
 * (`Retry later`, Retry-After and RateLimit-* headers).
 */
export function startFakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  return FakeGitLab.start(options);
}
