import axios, { type AxiosInstance } from 'axios';
import { type FakeGitLab, startFakeGitLab } from './gitlab-fake';

const PROJECT = 'platform/payments/ledger';
const ID = encodeURIComponent(PROJECT);

describe('fake GitLab', () => {
  let gitlab: FakeGitLab;
  let api: AxiosInstance;
  let now: number;

  beforeEach(async () => {
    now = Date.parse('2026-11-20T12:00:00.000Z');
    gitlab = await startFakeGitLab({
      clock: { now: () => new Date(now) },
      tokens: [
        { username: 'hum-bot' },
        { username: 'auditor', token: 'glpat-read-only-token', scopes: ['read_api'] },
      ],
      projects: [{ path: PROJECT, files: { 'pom.xml': '<project/>\n' }, pipeline: 'success' }],
    });
    api = axios.create({
      baseURL: gitlab.apiUrl,
      headers: { 'private-token': gitlab.botToken },
      validateStatus: () => true,
    });
  });

  afterEach(async () => {
    expect(gitlab.internalErrors).toEqual([]);
    await gitlab.close();
  });

  it('refuses missing and unknown tokens with 401, and never journals a token', async () => {
    const anonymous = await axios.get(`${gitlab.apiUrl}/projects/${ID}`, {
      validateStatus: () => true,
    });
    expect([anonymous.status, anonymous.data]).toEqual([401, { message: '401 Unauthorized' }]);
    const unknown = await axios.get(`${gitlab.apiUrl}/projects/${ID}`, {
      headers: { 'private-token': 'glpat-not-a-token' },
      validateStatus: () => true,
    });
    expect([unknown.status, unknown.data]).toEqual([401, { message: '401 Unauthorized' }]);
    // PRIVATE-TOKEN and OAuth-style Bearer are both accepted.
    const bearer = await axios.get(`${gitlab.apiUrl}/projects/${ID}`, {
      headers: { authorization: `Bearer ${gitlab.botToken}` },
    });
    expect(bearer.data).toMatchObject({ path_with_namespace: PROJECT, default_branch: 'main' });
    expect(gitlab.requests().map((r) => [r.status, r.authUser])).toEqual([
      [401, undefined],
      [401, undefined],
      [200, 'hum-bot'],
    ]);
    expect(JSON.stringify(gitlab.requests())).not.toContain(gitlab.botToken);
  });

  it('lets a read_api token read but not write (403 insufficient_scope)', async () => {
    const reader = axios.create({
      baseURL: gitlab.apiUrl,
      headers: { 'private-token': 'glpat-read-only-token' },
      validateStatus: () => true,
    });
    expect((await reader.get(`/projects/${ID}/repository/branches/main`)).status).toBe(200);
    const write = await reader.post(`/projects/${ID}/repository/branches`, {
      branch: 'x',
      ref: 'main',
    });
    expect([write.status, write.data]).toEqual([
      403,
      {
        error: 'insufficient_scope',
        error_description:
          'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      },
    ]);
    expect(gitlab.branches(PROJECT)).not.toHaveProperty('x');
  });

  it('validates like Grape: every missing parameter at once, then GitLab’s own messages', async () => {
    const missing = await api.post(`/projects/${ID}/merge_requests`, { title: 'Bump' });
    expect([missing.status, missing.data]).toEqual([
      400,
      { error: 'source_branch is missing, target_branch is missing' },
    ]);
    const commit = await api.post(`/projects/${ID}/repository/commits`, {});
    expect(commit.data).toEqual({
      error: 'branch is missing, commit_message is missing, actions is missing',
    });
    const noStart = await api.post(`/projects/${ID}/repository/commits`, {
      branch: 'fix',
      commit_message: 'Bump',
      actions: [{ action: 'update', file_path: 'pom.xml', content: 'x' }],
    });
    expect(noStart.data).toEqual({
      message: 'You can only create or edit files when you are on a branch',
    });
    const created = await api.post(`/projects/${ID}/repository/commits`, {
      branch: 'fix',
      start_branch: 'main',
      commit_message: 'Bump',
      actions: [{ action: 'update', file_path: 'pom.xml', content: '<project v="2"/>\n' }],
    });
    expect(created.status).toBe(201);
    // The branch exists now: committing to it "from" main again is refused, as GitLab does.
    const again = await api.post(`/projects/${ID}/repository/commits`, {
      branch: 'fix',
      start_branch: 'main',
      commit_message: 'Bump',
      actions: [{ action: 'update', file_path: 'pom.xml', content: 'y' }],
    });
    expect([again.status, again.data.message]).toEqual([
      400,
      "A branch called 'fix' already exists. Switch to that branch in order to make changes",
    ]);
    const mr = { source_branch: 'fix', target_branch: 'main', title: 'Bump', labels: 'a,b' };
    expect((await api.post(`/projects/${ID}/merge_requests`, mr)).data).toMatchObject({
      iid: 1,
      labels: ['a', 'b'],
      detailed_merge_status: 'mergeable',
    });
    const duplicate = await api.post(`/projects/${ID}/merge_requests`, mr);
    expect([duplicate.status, duplicate.data]).toEqual([
      409,
      { message: ['Another open merge request already exists for this source branch: !1'] },
    ]);
    expect((await api.get(`/projects/${encodeURIComponent('platform/absent')}`)).data).toEqual({
      message: '404 Project Not Found',
    });
  });

  it('throttles like Rack::Attack: text body, Retry-After and the RateLimit-* headers', async () => {
    gitlab.inject({ kind: 'rateLimit', requestsPerSecond: 1, burst: 1 });
    expect((await api.get(`/projects/${ID}`)).status).toBe(200);
    const limited = await api.get(`/projects/${ID}`);
    expect(limited.status).toBe(429);
    expect(limited.data).toBe('Retry later\n');
    expect(limited.headers).toMatchObject({
      'retry-after': '1',
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': '60',
      'ratelimit-observed': '60',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(now / 1000 + 1),
      'ratelimit-resettime': new Date(now + 1000).toUTCString(),
    });
    expect(gitlab.requests().map((r) => r.outcome)).toEqual(['handled', 'rate-limited']);
    // The bucket refills with the fake's clock.
    now += 1_000;
    expect((await api.get(`/projects/${ID}`)).status).toBe(200);
  });

  it('injects faults: a scripted 429 in the throttle’s shape, a 5xx, and a lost response', async () => {
    gitlab.inject({ kind: 'status', status: 429, retryAfterSeconds: 30, times: 1 });
    const throttled = await api.get(`/projects/${ID}`);
    expect([throttled.status, throttled.data, throttled.headers['retry-after']]).toEqual([
      429,
      'Retry later\n',
      '30',
    ]);
    gitlab.inject({ kind: 'status', status: 502, match: { method: 'GET', path: '/api/v4/*' } });
    expect((await api.get(`/projects/${ID}`)).data).toEqual({ message: 'Bad Gateway' });
    // After the change is made, the answer is lost: the branch exists though the client saw
    // only a dropped connection (what the patcher's lookup must cope with).
    gitlab.inject({
      kind: 'drop',
      phase: 'after',
      match: { method: 'POST', path: `/api/v4/projects/${ID}/repository/branches` },
    });
    await expect(
      api.post(`/projects/${ID}/repository/branches`, { branch: 'lost', ref: 'main' }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(gitlab.branches(PROJECT)).toHaveProperty('lost');
    expect(gitlab.requests({ method: 'POST' }).map((r) => r.outcome)).toEqual(['dropped']);
  });
});
