import { RetryableError } from '@hum/common';
import { Secret } from '@hum/config';
import { type FakeAwx, startFakeAwx } from '@hum/testing';
import { instantContext, patchRequest } from '../../../test-fixtures/patch-request';
import { parsePatchingConfig } from '../config/patching-config';
import { ApiError } from '../http/rest-client';
import { AwxJobPatcher } from './awx-job.patcher';

const VIEWER_TOKEN = 'awx-viewer-token-000';

describe('awx-job patcher (against the fake AWX)', () => {
  let awx: FakeAwx;

  beforeEach(async () => {
    awx = await startFakeAwx({
      users: [
        { username: 'hum-bot' },
        { username: 'viewer', token: VIEWER_TOKEN, canExecute: false },
      ],
      jobTemplates: [
        { id: 42, name: 'Patch OS packages' },
        { id: 43, name: 'Fixed inventory', askLimitOnLaunch: false },
        { id: 44, name: 'Slow patch', runMs: 60 * 60_000 },
      ],
    });
  });

  afterEach(async () => {
    expect(awx.internalErrors).toEqual([]);
    await awx.close();
  });

  const patcher = (
    jobTemplate: number | string = 42,
    extra = '',
    options: { token?: string; sleeper?: (ms: number) => Promise<void> } = {},
  ): AwxJobPatcher =>
    new AwxJobPatcher({
      host: parsePatchingConfig(
        `version: 1\nawx:\n  - name: awx\n    url: ${awx.url}\n    token: AWX_TOKEN\n    jobTemplate: ${typeof jobTemplate === 'number' ? jobTemplate : JSON.stringify(jobTemplate)}\n    pollInterval: 5s\n    timeout: 2m\n    extraVars: { change_ticket_required: false }\n${extra}`,
      ).awx[0]!,
      token: new Secret(options.token ?? awx.botToken),
      client: { sleeper: options.sleeper ?? (() => Promise.resolve()) },
    });

  const request = () => {
    const base = patchRequest({
      finding: {
        asset: { id: 'db-01.prod.example.test', type: 'host', environment: 'prod', team: 'dba' },
      },
      component: {
        name: 'openssl',
        version: '1.1.1n-0+deb11u3',
        ecosystem: 'deb',
        fixedVersions: ['1.1.1n-0+deb11u4'],
        path: 'var/lib/dpkg/status',
      },
      target: { strategy: 'awx-job', host: 'awx', limit: 'db-01.prod.example.test' },
    });
    return { ...base, fix: { ...base.fix, ecosystem: 'deb' as const } };
  };

  it('launches the template with the fix as extra vars, limited to the host, and reports success', async () => {
    const r = request();
    const outcome = await patcher('Patch OS packages').apply(r, instantContext());
    const [job] = awx.jobsSnapshot();
    expect(outcome).toEqual({
      status: 'applied',
      url: `${awx.url}/#/jobs/playbook/${job!.id}/output`,
      detail: `job ${job!.id} successful`,
    });
    expect(job).toMatchObject({
      jobTemplate: 42,
      limit: 'db-01.prod.example.test',
      launchedBy: 'hum-bot',
      extraVars: {
        change_ticket_required: false,
        hum_attempt_key: r.attemptKey,
        hum_package: 'openssl',
        hum_from_version: '1.1.1n-0+deb11u3',
        hum_to_version: '1.1.1n-0+deb11u4',
        hum_tier: 'low',
      },
    });
  });

  it('never launches twice for one attempt: a lost launch response is found again', async () => {
    const r = request();
    awx.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: '/api/v2/job_templates/42/launch/' },
    });
    await expect(patcher().apply(r, instantContext())).rejects.toBeInstanceOf(RetryableError);
    expect(awx.jobsSnapshot()).toHaveLength(1);
    expect((await patcher().apply(r, instantContext())).status).toBe('applied');
    expect(awx.jobsSnapshot()).toHaveLength(1);
    expect(await patcher().lookup(r)).toMatchObject({ status: 'applied' });
  });

  it('reports a failed job with its output', async () => {
    awx.setOutcome(42, 'failed', { next: 1 });
    const outcome = await patcher().apply(request(), instantContext());
    expect(outcome).toMatchObject({ status: 'failed', reason: 'job-failed' });
    expect(outcome.status === 'failed' && outcome.detail).toContain(
      "No package matching 'openssl=1.1.1n-0+deb11u4'",
    );
  });

  it('refuses a template that would ignore the limit, before launching anything', async () => {
    expect(await patcher(43).apply(request(), instantContext())).toMatchObject({
      status: 'failed',
      reason: 'api-error',
      detail: expect.stringContaining('would run on every host'),
    });
    expect(awx.jobsSnapshot()).toEqual([]);
  });

  it('times out a job that runs too long and cancels it', async () => {
    const context = instantContext();
    const outcome = await patcher(44).apply(request(), context);
    expect(outcome).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(context.elapsedMs()).toBeGreaterThanOrEqual(120_000);
    expect(awx.jobsSnapshot()[0]!.status).toBe('canceled');
  });

  it('launches nothing with a token AWX does not know (401) or a user without Execute (403)', async () => {
    const unknown = await patcher(42, '', { token: 'awx-revoked-token-00' })
      .apply(request(), instantContext())
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ApiError);
    expect(unknown).toMatchObject({
      status: 401,
      apiMessage: expect.stringContaining('Authentication credentials were not provided'),
    });
    expect(awx.requests().map((q) => q.status)).toEqual([401]);

    const viewer = await patcher(42, '', { token: VIEWER_TOKEN })
      .apply(request(), instantContext())
      .catch((e: unknown) => e);
    expect(viewer).toBeInstanceOf(ApiError);
    expect(viewer).toMatchObject({
      status: 403,
      apiMessage: 'You do not have permission to perform this action.',
    });
    expect(awx.requests({ method: 'POST' }).map((q) => q.status)).toEqual([403]);
    expect(awx.jobsSnapshot()).toEqual([]);
  });

  it('waits out a throttled read for its Retry-After, and never repeats a throttled launch', async () => {
    const waits: number[] = [];
    const sleeper = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    awx.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 3,
      times: 2,
      match: { method: 'GET', path: '/api/v2/jobs/' },
    });
    awx.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 45,
      match: { method: 'POST', path: '/api/v2/job_templates/42/launch/' },
    });
    const r = request();
    const throttled = await patcher(42, '', { sleeper })
      .apply(r, instantContext())
      .catch((e: unknown) => e);
    expect(waits).toEqual([3_000, 3_000]);
    expect(throttled).toBeInstanceOf(RetryableError);
    expect((throttled as RetryableError).retryAfterMs).toBe(45_000);
    expect(awx.jobsSnapshot()).toEqual([]);

    expect((await patcher(42, '', { sleeper }).apply(r, instantContext())).status).toBe('applied');
    expect(
      awx
        .requests({ method: 'POST', path: '/api/v2/job_templates/42/launch/' })
        .map((q) => q.status),
    ).toEqual([429, 201]);
    expect(awx.jobsSnapshot()).toHaveLength(1);
  });

  it('hands a long DRF throttle back as retryable, with its wait', async () => {
    awx.inject({ kind: 'rateLimit', requestsPerSecond: 0.01, burst: 1 });
    const error = await patcher()
      .apply(request(), instantContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(100_000);
    expect(awx.jobsSnapshot()).toEqual([]);
  });
});
