import { z } from 'zod';
import type { Clock } from '@hum/common';
import { presentedCredentials, randomSecret, secretEquals } from '../server/credentials';
import { FakeHandle } from '../server/fake-handle';
import { ControlError, FakeHttpServer, type FakeServerOptions } from '../server/fake-http-server';
import { BaseUrl, type AuthOutcome, type FakeService } from '../server/fake-service';
import { jsonResponse, type FakeRequest } from '../server/http-types';
import { Router, type RouteHandler } from '../server/router';

export type AwxJobStatus =
  'pending' | 'waiting' | 'running' | 'successful' | 'failed' | 'error' | 'canceled';
type FinalStatus = 'successful' | 'failed' | 'error';

export interface AwxJobTemplateInit {
  readonly id?: number;
  readonly name: string;
  /** "Prompt on launch" for variables; without it (and a survey) extra vars are ignored. */
  readonly askVariablesOnLaunch?: boolean;
  readonly askLimitOnLaunch?: boolean;
  readonly surveyEnabled?: boolean;
  /** How launched jobs end, and how long they queue and run (by the fake's clock). */
  readonly outcome?: FinalStatus;
  readonly queueMs?: number;
  readonly runMs?: number;
}

export interface AwxUserInit {
  readonly username: string;
  /** OAuth2 personal access token; random when omitted. */
  readonly token?: string;
  readonly password?: string;
  /**
   * The Execute role on the job templates (true when omitted). Without it the user may read
   * templates and jobs but launching or cancelling answers 403, as AWX's RBAC does.
   */
  readonly canExecute?: boolean;
}

export interface FakeAwxOptions extends FakeServerOptions {
  /** The first is hum's bot. */
  readonly users?: readonly AwxUserInit[];
  readonly jobTemplates?: readonly AwxJobTemplateInit[];
}

interface Template {
  readonly id: number;
  readonly name: string;
  readonly askVariablesOnLaunch: boolean;
  readonly askLimitOnLaunch: boolean;
  readonly surveyEnabled: boolean;
  outcome: FinalStatus;
  queueMs: number;
  runMs: number;
  /** Outcomes for the next launches, before `outcome` applies again. */
  readonly scripted: FinalStatus[];
}

interface Job {
  readonly id: number;
  readonly template: Template;
  readonly extraVars: Record<string, unknown>;
  readonly limit: string;
  readonly launchedBy: string;
  readonly created: number;
  readonly outcome: FinalStatus;
  readonly queueMs: number;
  readonly runMs: number;
  /** Set by cancel or the control API: wins over the timeline. */
  forced: AwxJobStatus | undefined;
  finishedAt: number | undefined;
}

export interface AwxJobSnapshot {
  readonly id: number;
  readonly jobTemplate: number;
  readonly status: AwxJobStatus;
  readonly extraVars: Readonly<Record<string, unknown>>;
  readonly limit: string;
  readonly launchedBy: string;
}

class AwxApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(JSON.stringify(body));
  }
}

function route(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof AwxApiError) return jsonResponse(error.status, error.body);
      throw error;
    }
  };
}

const notFound = (): AwxApiError => new AwxApiError(404, { detail: 'Not found.' });
const forbidden = (): AwxApiError =>
  new AwxApiError(403, { detail: 'You do not have permission to perform this action.' });
/** AWX's APIView appends the login hint to every 401, whatever the credentials were. */
const NOT_AUTHENTICATED =
  'Authentication credentials were not provided. To establish a login session, visit /api/login/.';
/** DRF's throttle answer (AWX uses Django REST framework's throttling). */
const throttled = (retryAfterSeconds: number) =>
  jsonResponse(
    429,
    { detail: `Request was throttled. Expected available in ${retryAfterSeconds} seconds.` },
    { 'retry-after': String(retryAfterSeconds) },
  );
const TERMINAL = new Set<AwxJobStatus>(['successful', 'failed', 'error', 'canceled']);

/** A running fake AWX / Automation Platform controller (API v2) and its handle for specs. */
export class FakeAwx extends FakeHandle {
  private constructor(
    server: FakeHttpServer,
    private readonly templates: Map<number, Template>,
    private readonly jobs: Job[],
    private readonly statusOf: (job: Job) => AwxJobStatus,
    private readonly clock: Clock,
    readonly users: ReadonlyArray<{
      username: string;
      token: string;
      password: string;
      canExecute: boolean;
    }>,
  ) {
    super(server);
  }

  static async start(options: FakeAwxOptions = {}): Promise<FakeAwx> {
    const clock: Clock = options.clock ?? { now: () => new Date() };
    const users = (options.users ?? [{ username: 'hum-bot' }]).map((u) => ({
      username: u.username,
      token: u.token ?? randomSecret(20),
      password: u.password ?? randomSecret(12),
      canExecute: u.canExecute ?? true,
    }));
    const requireExecute = (request: FakeRequest): void => {
      if (!users.find((u) => u.username === request.principal?.user)?.canExecute) throw forbidden();
    };
    const templates = new Map<number, Template>();
    let nextTemplateId = 7;
    const addTemplate = (init: AwxJobTemplateInit): Template => {
      const id = init.id ?? nextTemplateId++;
      const template: Template = {
        id,
        name: init.name,
        askVariablesOnLaunch: init.askVariablesOnLaunch ?? true,
        askLimitOnLaunch: init.askLimitOnLaunch ?? true,
        surveyEnabled: init.surveyEnabled ?? false,
        outcome: init.outcome ?? 'successful',
        queueMs: init.queueMs ?? 0,
        runMs: init.runMs ?? 0,
        scripted: [],
      };
      templates.set(id, template);
      return template;
    };
    for (const init of options.jobTemplates ?? [{ name: 'Patch OS packages' }]) addTemplate(init);
    const jobs: Job[] = [];
    let nextJobId = 100;
    const baseUrl = new BaseUrl();
    const API = '/api/v2';
    const at = (ms: number): string => new Date(ms).toISOString();

    const statusOf = (job: Job): AwxJobStatus => {
      if (job.forced !== undefined) return job.forced;
      const elapsed = clock.now().getTime() - job.created;
      if (elapsed < job.queueMs) return 'pending';
      if (elapsed < job.queueMs + job.runMs) return 'running';
      return job.outcome;
    };
    const jobJson = (job: Job): Record<string, unknown> => {
      const status = statusOf(job);
      const finished = TERMINAL.has(status)
        ? (job.finishedAt ?? job.created + job.queueMs + job.runMs)
        : undefined;
      return {
        id: job.id,
        type: 'job',
        url: `${API}/jobs/${job.id}/`,
        name: job.template.name,
        job_template: job.template.id,
        status,
        failed: status === 'failed' || status === 'error',
        created: at(job.created),
        started: status === 'pending' ? null : at(job.created + job.queueMs),
        finished: finished === undefined ? null : at(finished),
        elapsed: finished === undefined ? 0 : (finished - job.created) / 1000,
        extra_vars: JSON.stringify(job.extraVars),
        limit: job.limit,
        launch_type: 'manual',
        job_explanation: status === 'canceled' ? 'Job was canceled' : '',
        result_traceback:
          status === 'error'
            ? 'Traceback (most recent call last):\n  ansible-runner exited unexpectedly'
            : '',
        summary_fields: {
          created_by: { username: job.launchedBy },
          job_template: { id: job.template.id, name: job.template.name },
        },
      };
    };
    const templateJson = (template: Template): Record<string, unknown> => ({
      id: template.id,
      type: 'job_template',
      url: `${API}/job_templates/${template.id}/`,
      name: template.name,
      job_type: 'run',
      ask_variables_on_launch: template.askVariablesOnLaunch,
      ask_limit_on_launch: template.askLimitOnLaunch,
      survey_enabled: template.surveyEnabled,
      related: { launch: `${API}/job_templates/${template.id}/launch/` },
    });
    const templateOf = (request: FakeRequest): Template => {
      const template = templates.get(Number(request.params['id']));
      if (!template) throw notFound();
      return template;
    };
    const jobOf = (request: FakeRequest): Job => {
      const job = jobs.find((j) => j.id === Number(request.params['id']));
      if (!job) throw notFound();
      return job;
    };
    const page = (results: unknown[]): Record<string, unknown> => ({
      count: results.length,
      next: null,
      previous: null,
      results,
    });

    const api = new Router()
      .add(
        'GET',
        `${API}/ping`,
        () => jsonResponse(200, { version: '24.6.1', active_node: 'awx-fake' }),
        { public: true },
      )
      .get(
        `${API}/me`,
        route((request) => jsonResponse(200, page([{ id: 1, username: request.principal?.user }]))),
      )
      .get(
        `${API}/job_templates`,
        route((request) => {
          const name = request.query.get('name');
          return jsonResponse(
            200,
            page(
              [...templates.values()]
                .filter((t) => name === null || t.name === name)
                .map(templateJson),
            ),
          );
        }),
      )
      .get(
        `${API}/job_templates/:id`,
        route((request) => jsonResponse(200, templateJson(templateOf(request)))),
      )
      .get(
        `${API}/job_templates/:id/launch`,
        route((request) => {
          const template = templateOf(request);
          return jsonResponse(200, {
            ask_variables_on_launch: template.askVariablesOnLaunch,
            ask_limit_on_launch: template.askLimitOnLaunch,
            survey_enabled: template.surveyEnabled,
            can_start_without_user_input: true,
            variables_needed_to_start: [],
            job_template_data: { id: template.id, name: template.name },
          });
        }),
      )
      .post(
        `${API}/job_templates/:id/launch`,
        route((request) => {
          const template = templateOf(request);
          requireExecute(request);
          const body = (request.body ?? {}) as Record<string, unknown>;
          if (typeof body !== 'object' || Array.isArray(body))
            throw new AwxApiError(400, {
              non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
            });
          if (body['limit'] !== undefined && typeof body['limit'] !== 'string')
            throw new AwxApiError(400, { limit: ['Not a valid string.'] });
          let extraVars: Record<string, unknown> = {};
          if (typeof body['extra_vars'] === 'string') {
            try {
              extraVars = JSON.parse(body['extra_vars']) as Record<string, unknown>;
            } catch {
              throw new AwxApiError(400, {
                extra_vars: ['Cannot parse as JSON (error: Expecting value) or YAML.'],
              });
            }
          } else if (typeof body['extra_vars'] === 'object' && body['extra_vars'] !== null) {
            extraVars = body['extra_vars'] as Record<string, unknown>;
          }
          const ignored: Record<string, unknown> = {};
          if (
            Object.keys(extraVars).length > 0 &&
            !template.askVariablesOnLaunch &&
            !template.surveyEnabled
          ) {
            ignored['extra_vars'] = extraVars;
            extraVars = {};
          }
          let limit = typeof body['limit'] === 'string' ? body['limit'] : '';
          if (limit !== '' && !template.askLimitOnLaunch) {
            ignored['limit'] = limit;
            limit = '';
          }
          const job: Job = {
            id: nextJobId++,
            template,
            extraVars,
            limit,
            launchedBy: request.principal?.user ?? 'unknown',
            created: clock.now().getTime(),
            outcome: template.scripted.shift() ?? template.outcome,
            queueMs: template.queueMs,
            runMs: template.runMs,
            forced: undefined,
            finishedAt: undefined,
          };
          jobs.push(job);
          return jsonResponse(
            201,
            { job: job.id, ignored_fields: ignored, ...jobJson(job) },
            { location: `${API}/jobs/${job.id}/` },
          );
        }),
      )
      .get(
        `${API}/jobs`,
        route((request) => {
          const template = request.query.get('job_template');
          const contains = request.query.get('extra_vars__icontains')?.toLowerCase();
          const status = request.query.get('status');
          const list = jobs
            .filter((j) => template === null || j.template.id === Number(template))
            .filter(
              (j) =>
                contains === undefined ||
                JSON.stringify(j.extraVars).toLowerCase().includes(contains),
            )
            .filter((j) => status === null || statusOf(j) === status)
            .sort((a, b) => (request.query.get('order_by') === '-id' ? b.id - a.id : a.id - b.id));
          return jsonResponse(200, page(list.map(jobJson)));
        }),
      )
      .get(
        `${API}/jobs/:id`,
        route((request) => jsonResponse(200, jobJson(jobOf(request)))),
      )
      .get(
        `${API}/jobs/:id/stdout`,
        route((request) => {
          const job = jobOf(request);
          const status = statusOf(job);
          const lines = [
            `PLAY [Patch ${String(job.extraVars['hum_package'] ?? 'packages')}] ******************************`,
            '',
            `TASK [Upgrade ${String(job.extraVars['hum_package'] ?? '')} to ${String(job.extraVars['hum_to_version'] ?? '')}] ****`,
            status === 'successful'
              ? `changed: [${job.limit || 'all'}]`
              : status === 'failed'
                ? `fatal: [${job.limit || 'all'}]: FAILED! => {"changed": false, "msg": "No package matching '${String(job.extraVars['hum_package'] ?? '')}=${String(job.extraVars['hum_to_version'] ?? '')}' is available"}`
                : '',
            '',
            `PLAY RECAP *********************************************************************`,
            `${job.limit || 'all'} : ok=${status === 'successful' ? 2 : 1} changed=${status === 'successful' ? 1 : 0} failed=${status === 'failed' ? 1 : 0}`,
          ];
          return request.query.get('format') === 'json'
            ? jsonResponse(200, { content: lines.join('\n') })
            : { status: 200, text: lines.join('\n') };
        }),
      )
      .post(
        `${API}/jobs/:id/cancel`,
        route((request) => {
          const job = jobOf(request);
          requireExecute(request);
          // AWX answers a finished job's cancel with DRF's method-not-allowed.
          if (TERMINAL.has(statusOf(job)))
            throw new AwxApiError(405, { detail: 'Method "POST" not allowed.' });
          job.forced = 'canceled';
          job.finishedAt = clock.now().getTime();
          return { status: 202 };
        }),
      );

    const self: { fake?: FakeAwx } = {};
    const control = new Router()
      .get('/__fake/jobs', () => jsonResponse(200, { jobs: self.fake!.jobsSnapshot() }))
      .post('/__fake/job_templates', (request) => {
        const init = z
          .object({
            id: z.number().int().positive().optional(),
            name: z.string().min(1),
            askVariablesOnLaunch: z.boolean().optional(),
            askLimitOnLaunch: z.boolean().optional(),
            surveyEnabled: z.boolean().optional(),
            outcome: z.enum(['successful', 'failed', 'error']).optional(),
            queueMs: z.number().int().nonnegative().optional(),
            runMs: z.number().int().nonnegative().optional(),
          })
          .strict()
          .parse(request.body);
        return jsonResponse(201, { id: addTemplate(init).id });
      })
      .put('/__fake/job_templates/:id/outcome', (request) => {
        const body = z
          .object({
            outcome: z.enum(['successful', 'failed', 'error']),
            next: z.number().int().positive().optional(),
            runMs: z.number().int().nonnegative().optional(),
          })
          .strict()
          .parse(request.body);
        self.fake!.setOutcome(Number(request.params['id']), body.outcome, body);
        return jsonResponse(200, { id: Number(request.params['id']) });
      })
      .post('/__fake/jobs/:id/finish', (request) => {
        const { status } = z
          .object({ status: z.enum(['successful', 'failed', 'error', 'canceled']) })
          .strict()
          .parse(request.body);
        self.fake!.finishJob(Number(request.params['id']), status);
        return jsonResponse(200, { id: Number(request.params['id']), status });
      });

    const service: FakeService = {
      name: 'awx',
      api,
      control,
      authenticate: (headers): AuthOutcome => {
        const presented = presentedCredentials(headers);
        switch (presented.scheme) {
          case 'none':
            return { kind: 'missing' };
          case 'bearer': {
            const user = users.find((u) => secretEquals(presented.token, u.token));
            return user
              ? { kind: 'authenticated', principal: { user: user.username, scheme: 'bearer' } }
              : { kind: 'rejected', scheme: 'bearer' };
          }
          case 'basic': {
            const user = users.find(
              (u) =>
                u.username === presented.username && secretEquals(presented.password, u.password),
            );
            return user
              ? { kind: 'authenticated', principal: { user: user.username, scheme: 'basic' } }
              : { kind: 'rejected', scheme: 'basic' };
          }
          case 'other':
            return { kind: 'rejected', scheme: 'other' };
        }
      },
      // An unknown token is not an authentication failure to AWX: the request is anonymous,
      // so a wrong token and no token get the same answer.
      unauthorized: () =>
        jsonResponse(
          401,
          { detail: NOT_AUTHENTICATED },
          { 'www-authenticate': 'Bearer realm=api authorization_url=/api/o/authorize/' },
        ),
      errorResponse: (status, message, retryAfterSeconds) =>
        status === 429
          ? throttled(retryAfterSeconds ?? 1)
          : jsonResponse(
              status,
              { detail: status === 404 ? 'Not found.' : message },
              retryAfterSeconds === undefined
                ? undefined
                : { 'retry-after': String(retryAfterSeconds) },
            ),
      rateLimited: (retryAfterSeconds) => throttled(retryAfterSeconds),
      ticketTable: () => ({
        title: 'Fake AWX — jobs',
        columns: ['Job', 'Template', 'Status', 'Limit', 'Package', 'To version', 'Launched by'],
        rows: jobs.map((job) => [
          String(job.id),
          job.template.name,
          statusOf(job),
          job.limit,
          String(job.extraVars['hum_package'] ?? ''),
          String(job.extraVars['hum_to_version'] ?? ''),
          job.launchedBy,
        ]),
      }),
      secrets: () => users.flatMap((u) => [u.token, u.password]),
      reset: () => {
        jobs.splice(0);
      },
      snapshot: () => ({
        jobs: self.fake!.jobsSnapshot(),
        jobTemplates: [...templates.values()].map(templateJson),
      }),
    };
    const server = await FakeHttpServer.start(service, baseUrl, { ...options, clock });
    const fake = new FakeAwx(server, templates, jobs, statusOf, clock, users);
    self.fake = fake;
    return fake;
  }

  get botToken(): string {
    return this.users[0]!.token;
  }

  /** How the template's jobs end from now on; with `next`, only the next n launches. */
  setOutcome(
    templateId: number,
    outcome: FinalStatus,
    options: { next?: number; runMs?: number } = {},
  ): void {
    const template = this.templates.get(templateId);
    if (!template) throw new ControlError(404, `no job template ${templateId}`);
    if (options.runMs !== undefined) template.runMs = options.runMs;
    if (options.next === undefined) template.outcome = outcome;
    else for (let i = 0; i < options.next; i += 1) template.scripted.push(outcome);
  }

  finishJob(id: number, status: AwxJobStatus): void {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) throw new ControlError(404, `no job ${id}`);
    job.forced = status;
    job.finishedAt = this.clock.now().getTime();
  }

  jobsSnapshot(): AwxJobSnapshot[] {
    return this.jobs.map((job) => ({
      id: job.id,
      jobTemplate: job.template.id,
      status: this.statusOf(job),
      extraVars: { ...job.extraVars },
      limit: job.limit,
      launchedBy: job.launchedBy,
    }));
  }
}

/**
 * A local AWX / Automation Platform controller: job templates with prompt-on-launch rules
 * (ignored_fields as AWX reports them), launch with extra vars and limit, jobs that queue, run
 * and end by the fake's clock (or as scripted: failed, error), stdout, cancel, Django-style
 * list filters (`extra_vars__icontains`), DRF error shapes (`{detail}`, `{field: [..]}`);
 * Bearer token or Basic auth (401 with AWX's login hint), the Execute role (403), DRF
 * throttling (429 + Retry-After).
 */
export function startFakeAwx(options: FakeAwxOptions = {}): Promise<FakeAwx> {
  return FakeAwx.start(options);
}
