import axios, { type AxiosInstance } from 'axios';
import { type FakeAwx, startFakeAwx } from './awx-fake';

const LOGIN_HINT =
  'Authentication credentials were not provided. To establish a login session, visit /api/login/.';

describe('fake AWX', () => {
  let awx: FakeAwx;
  let api: AxiosInstance;
  let now: number;

  beforeEach(async () => {
    now = Date.parse('2026-11-20T12:00:00.000Z');
    awx = await startFakeAwx({
      clock: { now: () => new Date(now) },
      users: [
        { username: 'hum-bot' },
        { username: 'viewer', token: 'viewer-token-0123', canExecute: false },
      ],
      jobTemplates: [
        { id: 42, name: 'Patch OS packages', queueMs: 1_000, runMs: 5_000 },
        { id: 43, name: 'Fixed', askVariablesOnLaunch: false, askLimitOnLaunch: false },
      ],
    });
    api = axios.create({
      baseURL: `${awx.url}/api/v2`,
      headers: { authorization: `Bearer ${awx.botToken}` },
      validateStatus: () => true,
    });
  });

  afterEach(async () => {
    expect(awx.internalErrors).toEqual([]);
    await awx.close();
  });

  it('answers missing, unknown and wrong credentials alike with 401 and the login hint', async () => {
    const anonymous = await axios.get(`${awx.url}/api/v2/me/`, { validateStatus: () => true });
    const unknownToken = await axios.get(`${awx.url}/api/v2/me/`, {
      headers: { authorization: 'Bearer not-a-token' },
      validateStatus: () => true,
    });
    const wrongPassword = await axios.get(`${awx.url}/api/v2/me/`, {
      auth: { username: 'hum-bot', password: 'wrong' },
      validateStatus: () => true,
    });
    for (const answer of [anonymous, unknownToken, wrongPassword]) {
      expect([answer.status, answer.data]).toEqual([401, { detail: LOGIN_HINT }]);
      expect(answer.headers['www-authenticate']).toBe(
        'Bearer realm=api authorization_url=/api/o/authorize/',
      );
    }
    // The ping is public, as in AWX; the token and Basic both authenticate.
    expect((await axios.get(`${awx.url}/api/v2/ping/`)).data).toMatchObject({ version: '24.6.1' });
    expect((await api.get('/me/')).data.results).toEqual([{ id: 1, username: 'hum-bot' }]);
    expect(JSON.stringify(awx.requests())).not.toContain(awx.botToken);
  });

  it('refuses a launch or cancel without the Execute role (403), reading still allowed', async () => {
    const viewer = axios.create({
      baseURL: `${awx.url}/api/v2`,
      headers: { authorization: 'Bearer viewer-token-0123' },
      validateStatus: () => true,
    });
    expect((await viewer.get('/job_templates/42/')).status).toBe(200);
    const launch = await viewer.post('/job_templates/42/launch/', { limit: 'db-01' });
    expect([launch.status, launch.data]).toEqual([
      403,
      { detail: 'You do not have permission to perform this action.' },
    ]);
    expect(awx.jobsSnapshot()).toEqual([]);
    const job = (await api.post('/job_templates/42/launch/', {})).data.job as number;
    expect((await viewer.post(`/jobs/${job}/cancel/`)).status).toBe(403);
  });

  it('validates launches with DRF’s field errors and reports ignored prompts', async () => {
    const badVars = await api.post('/job_templates/42/launch/', { extra_vars: '{not json' });
    expect([badVars.status, badVars.data]).toEqual([
      400,
      { extra_vars: ['Cannot parse as JSON (error: Expecting value) or YAML.'] },
    ]);
    const badLimit = await api.post('/job_templates/42/launch/', { limit: 7 });
    expect(badLimit.data).toEqual({ limit: ['Not a valid string.'] });
    const list = await api.post('/job_templates/42/launch/', [1]);
    expect(list.data).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
    expect((await api.post('/job_templates/99/launch/', {})).data).toEqual({
      detail: 'Not found.',
    });
    expect(awx.jobsSnapshot()).toEqual([]);
    // Without "prompt on launch" AWX launches anyway, dropping what it would not take.
    const fixed = await api.post('/job_templates/43/launch/', {
      extra_vars: { hum_package: 'openssl' },
      limit: 'db-01',
    });
    expect(fixed.status).toBe(201);
    expect(fixed.data.ignored_fields).toEqual({
      extra_vars: { hum_package: 'openssl' },
      limit: 'db-01',
    });
    expect(awx.jobsSnapshot()[0]).toMatchObject({ extraVars: {}, limit: '' });
  });

  it('runs a job by its clock, finds it by extra vars, and refuses to cancel it once finished', async () => {
    const launched = await api.post('/job_templates/42/launch/', {
      extra_vars: JSON.stringify({ hum_attempt: 'hum-abc123' }),
      limit: 'db-01',
    });
    expect(launched.status).toBe(201);
    expect(launched.headers['location']).toBe(`/api/v2/jobs/${launched.data.job}/`);
    const job = `/jobs/${launched.data.job}/`;
    expect((await api.get(job)).data.status).toBe('pending');
    now += 2_000;
    expect((await api.get(job)).data).toMatchObject({ status: 'running', finished: null });
    now += 5_000;
    expect((await api.get(job)).data).toMatchObject({ status: 'successful', failed: false });
    const found = await api.get('/jobs/', {
      params: { job_template: 42, extra_vars__icontains: 'HUM-ABC123', order_by: '-id' },
    });
    expect(found.data.results.map((j: { id: number }) => j.id)).toEqual([launched.data.job]);
    const cancel = await api.post(`${job}cancel/`);
    expect([cancel.status, cancel.data]).toEqual([405, { detail: 'Method "POST" not allowed.' }]);
  });

  it('throttles like DRF (429, Retry-After) and injects faults in AWX’s error shape', async () => {
    awx.inject({ kind: 'rateLimit', requestsPerSecond: 1, burst: 1 });
    expect((await api.get('/job_templates/42/')).status).toBe(200);
    const limited = await api.get('/job_templates/42/');
    expect([limited.status, limited.data, limited.headers['retry-after']]).toEqual([
      429,
      { detail: 'Request was throttled. Expected available in 1 seconds.' },
      '1',
    ]);
    now += 1_000;
    expect((await api.get('/job_templates/42/')).status).toBe(200);
    awx.clearFaults();

    awx.inject({ kind: 'status', status: 429, retryAfterSeconds: 20 });
    expect((await api.get('/jobs/')).data).toEqual({
      detail: 'Request was throttled. Expected available in 20 seconds.',
    });
    awx.inject({ kind: 'status', status: 503, match: { method: 'GET', path: '/api/v2/jobs/' } });
    expect((await api.get('/jobs/')).data).toEqual({ detail: 'Service Unavailable' });
    // A launch whose answer is lost still created the job.
    awx.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: '/api/v2/job_templates/42/launch/' },
    });
    await expect(api.post('/job_templates/42/launch/', {})).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    expect(awx.jobsSnapshot()).toHaveLength(1);
  });
});
