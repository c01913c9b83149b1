import {
  buildWorkspace,
  createTestDatabase,
  uniqueTopicPrefix,
  waitFor,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { LocalIssuer } from './local-issuer';
import { type AdminUnderTest, Api, loginToken, OPS_TOKEN, startAdmin, TopicNames } from './support';

type Role = 'viewer' | 'operator' | 'admin' | 'approver';
const ROLES: readonly Role[] = ['viewer', 'operator', 'admin', 'approver'];
const ANY_ROLE = ROLES;
/** `person`: any authenticated person, with or without a role. */
type Allowed = readonly Role[] | 'person';

interface Endpoint {
  method: 'GET' | 'POST';
  /** As the OpenAPI document names it (`{id}` for parameters). */
  route: string;
  /** What the matrix sends: parameters and bodies that pass the guard but change nothing. */
  path: string;
  body?: unknown;
  allowed: Allowed;
}

const BOGUS_PROPOSAL = 'prp-00000000-0000-0000-0000-000000000000';
const BOGUS_ACCEPTANCE = 'ra-00000000-0000-0000-0000-000000000000';

/** The intended access policy of every endpoint: the spec that the running service must match. */
const MATRIX: readonly Endpoint[] = [
  { method: 'GET', route: '/v1/auth/session', path: '/v1/auth/session', allowed: 'person' },
  {
    method: 'POST',
    route: '/v1/auth/password',
    path: '/v1/auth/password',
    body: {},
    allowed: 'person',
  },
  { method: 'POST', route: '/v1/auth/logout', path: '/v1/auth/logout', allowed: 'person' },
  { method: 'GET', route: '/v1/policy', path: '/v1/policy', allowed: ANY_ROLE },
  {
    method: 'POST',
    route: '/v1/policy/tiers/{tier}/resume',
    path: '/v1/policy/tiers/urgent/resume',
    allowed: ['operator'],
  },
  { method: 'GET', route: '/v1/proposals', path: '/v1/proposals', allowed: ANY_ROLE },
  {
    method: 'GET',
    route: '/v1/proposals/{id}',
    path: `/v1/proposals/${BOGUS_PROPOSAL}`,
    allowed: ANY_ROLE,
  },
  { method: 'POST', route: '/v1/proposals', path: '/v1/proposals', body: {}, allowed: ['admin'] },
  {
    method: 'POST',
    route: '/v1/proposals/{id}/approve',
    path: `/v1/proposals/${BOGUS_PROPOSAL}/approve`,
    allowed: ['approver'],
  },
  {
    method: 'POST',
    route: '/v1/proposals/{id}/reject',
    path: `/v1/proposals/${BOGUS_PROPOSAL}/reject`,
    allowed: ['approver', 'admin'],
  },
  { method: 'GET', route: '/v1/api-keys', path: '/v1/api-keys', allowed: ANY_ROLE },
  { method: 'POST', route: '/v1/api-keys', path: '/v1/api-keys', body: {}, allowed: ['admin'] },
  {
    method: 'POST',
    route: '/v1/api-keys/{id}/revoke',
    path: '/v1/api-keys/NOT-AN-ID/revoke',
    allowed: ['admin'],
  },
  { method: 'GET', route: '/v1/risk-acceptances', path: '/v1/risk-acceptances', allowed: ANY_ROLE },
  {
    method: 'POST',
    route: '/v1/risk-acceptances',
    path: '/v1/risk-acceptances',
    body: {},
    allowed: ['admin'],
  },
  {
    method: 'POST',
    route: '/v1/risk-acceptances/{id}/approve',
    path: `/v1/risk-acceptances/${BOGUS_ACCEPTANCE}/approve`,
    allowed: ['approver'],
  },
  {
    method: 'POST',
    route: '/v1/risk-acceptances/{id}/reject',
    path: `/v1/risk-acceptances/${BOGUS_ACCEPTANCE}/reject`,
    allowed: ['approver', 'admin'],
  },
  {
    method: 'POST',
    route: '/v1/risk-acceptances/{id}/revoke',
    path: `/v1/risk-acceptances/${BOGUS_ACCEPTANCE}/revoke`,
    allowed: ['admin'],
  },
  { method: 'GET', route: '/v1/audit', path: '/v1/audit', allowed: ANY_ROLE },
  { method: 'GET', route: '/v1/audit/verify', path: '/v1/audit/verify', allowed: ANY_ROLE },
  { method: 'GET', route: '/v1/activity/summary', path: '/v1/activity/summary', allowed: ANY_ROLE },
  {
    method: 'GET',
    route: '/v1/activity/findings',
    path: '/v1/activity/findings',
    allowed: ANY_ROLE,
  },
  { method: 'GET', route: '/v1/activity/tickets', path: '/v1/activity/tickets', allowed: ANY_ROLE },
  { method: 'GET', route: '/v1/activity/patches', path: '/v1/activity/patches', allowed: ANY_ROLE },
  {
    method: 'GET',
    route: '/v1/activity/groups/{groupKey}',
    // Unknown here: a 404 for everyone allowed to ask.
    path: `/v1/activity/groups/${encodeURIComponent('asset-vuln:no-such-asset:CVE-0000-0000')}`,
    allowed: ANY_ROLE,
  },
  { method: 'GET', route: '/v1/dlq', path: '/v1/dlq', allowed: ANY_ROLE },
  {
    method: 'POST',
    route: '/v1/dlq/{topic}/replay',
    path: '/v1/dlq/no.such.topic/replay',
    allowed: ['operator'],
  },
  { method: 'POST', route: '/v1/what-if', path: '/v1/what-if', body: {}, allowed: ANY_ROLE },
  { method: 'GET', route: '/v1/users', path: '/v1/users', allowed: ['admin', 'approver'] },
];

interface Caller {
  name: string;
  roles: readonly Role[] | 'none' | 'api-key' | 'anonymous';
  /** Fresh per request where the request would end the credential (logout). */
  api(): Promise<Api>;
}

describe('every endpoint checks authentication and roles (the whole role x endpoint matrix)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let admin: AdminUnderTest;
  const issuer = new LocalIssuer();
  const callers: Caller[] = [];

  beforeAll(async () => {
    await issuer.start();
    build = buildWorkspace('policy-matrix');
    database = await createTestDatabase('policy_matrix');
    const topics = new TopicNames(uniqueTopicPrefix('policy-matrix'));
    admin = await startAdmin({
      build,
      database,
      topics,
      users: 'vera:viewer,oscar:operator,ada:admin,abe:approver',
      env: {
        OIDC_ISSUER: issuer.url,
        OIDC_AUDIENCE: 'hum-admin',
        OIDC_ROLES_CLAIM: 'groups',
        OIDC_ROLE_MAP: 'sec-admins=admin,sec-approvers=approver+viewer',
        // The matrix logs in many times; the limiter is tested elsewhere.
        ADMIN_LOGIN_RATE_PER_MINUTE: '1000',
      },
    });
    const local = (name: string, roles: readonly Role[]): Caller => ({
      name,
      roles,
      api: async () => new Api(admin.url).withToken(await loginToken(admin, name)),
    });
    callers.push(
      { name: 'anonymous', roles: 'anonymous', api: async () => new Api(admin.url) },
      local('vera', ['viewer']),
      local('oscar', ['operator']),
      local('ada', ['admin']),
      local('abe', ['approver']),
      {
        name: 'oidc person without a hum role',
        roles: 'none',
        api: async () => new Api(admin.url).withToken(await issuer.token('nora', ['staff'])),
      },
      {
        name: 'oidc approver (mapped group)',
        roles: ['approver', 'viewer'],
        api: async () =>
          new Api(admin.url).withToken(await issuer.token('olga', ['sec-approvers'])),
      },
    );
    const adminApi = await callers.find((c) => c.name === 'ada')!.api();
    const key = await adminApi.post<{ token: string }>('/v1/api-keys', {
      name: 'matrix pipeline',
      permissions: ['scans:publish', 'gate:read'],
      assets: ['*'],
    });
    expect(key.status).toBe(201);
    callers.push({
      name: 'pipeline API key',
      roles: 'api-key',
      api: async () => new Api(admin.url).withToken(key.body.token),
    });
  });

  afterAll(async () => {
    const exit = await admin?.process.stop();
    await database?.cleanup();
    build?.remove();
    await issuer.close();
    expect(exit?.code).toBe(0);
  });

  function expected(endpoint: Endpoint, caller: Caller): 'allowed' | 401 | 403 {
    if (caller.roles === 'anonymous') return 401;
    if (caller.roles === 'api-key') return 403;
    if (endpoint.allowed === 'person') return 'allowed';
    const roles = caller.roles === 'none' ? [] : caller.roles;
    return endpoint.allowed.some((role) => roles.includes(role)) ? 'allowed' : 403;
  }

  it('documents exactly the endpoints of the matrix (a new endpoint needs a row here)', async () => {
    const docs = await (
      await callers.find((c) => c.name === 'vera')!.api()
    ).get<{
      paths: Record<string, Record<string, unknown>>;
    }>('/docs-json');
    expect(docs.status).toBe(200);
    const documented = Object.entries(docs.body.paths)
      .flatMap(([route, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${route}`))
      .filter((r) => !/ \/(health|metrics)$/.test(r) && r !== 'POST /v1/auth/login')
      .sort();
    expect(documented).toEqual(MATRIX.map((e) => `${e.method} ${e.route}`).sort());
  });

  it('answers every caller on every endpoint as the matrix says', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    const clients = new Map<Caller, Api>();
    for (const caller of callers) clients.set(caller, await caller.api());
    for (const endpoint of MATRIX) {
      for (const caller of callers) {
        // Logging out ends the credential: that row gets a fresh one.
        const api =
          endpoint.route === '/v1/auth/logout' ? await caller.api() : clients.get(caller)!;
        const answer = await api.call(
          endpoint.method,
          endpoint.path,
          endpoint.method === 'POST' ? (endpoint.body ?? {}) : undefined,
        );
        const want = expected(endpoint, caller);
        const got = answer.status === 401 || answer.status === 403 ? answer.status : 'allowed';
        checked += 1;
        if (got !== want)
          mismatches.push(
            `${endpoint.method} ${endpoint.path} as ${caller.name}: expected ${want}, got ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        if (want !== 'allowed')
          expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(MATRIX.length * callers.length);
  });

  it('guards the API documentation, health and metrics too', async () => {
    const anonymous = new Api(admin.url);
    expect((await anonymous.get('/docs-json')).status).toBe(401);
    expect((await anonymous.get('/docs')).status).toBe(401);
    const nora = await callers.find((c) => c.roles === 'none')!.api();
    expect((await nora.get('/docs-json')).status).toBe(403);
    const vera = await callers.find((c) => c.name === 'vera')!.api();
    expect((await vera.get('/health')).status).toBe(401);
    expect((await vera.get('/metrics')).status).toBe(401);
    const ops = new Api(admin.url).withToken(OPS_TOKEN);
    const health = await ops.get<{ status: string; info: Record<string, unknown> }>('/health');
    expect(health.body.status).toBe('ok');
    expect(Object.keys(health.body.info)).toEqual(
      expect.arrayContaining(['database', 'kafka', 'outbox']),
    );
    // The console's static files are the only thing served without a session: they hold no data.
    const page = await anonymous.get<string>('/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect((await anonymous.get('/')).headers.get('location')).toBe('/console');
    // So is a ticket group's page: the page, not the group, which comes from the API.
    const groupPage = await anonymous.get<string>(
      `/console/groups/${encodeURIComponent('asset-vuln:git.example.com/bank/api:CVE-2021-44228')}`,
    );
    expect(groupPage.status).toBe(200);
    expect(groupPage.body).toBe(page.body);
    expect(groupPage.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  it('needs the CSRF token for changes made with a session cookie', async () => {
    const anonymous = new Api(admin.url);
    const form = await fetch(`${admin.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=ada&password=${encodeURIComponent(admin.passwords.get('ada')!)}`,
    });
    expect(form.status).toBe(415);
    const login = await anonymous.post<{ csrfToken: string; token?: string }>('/v1/auth/login', {
      username: 'ada',
      password: admin.passwords.get('ada'),
    });
    expect(login.body.token).toBeUndefined();
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^hum_session=hs1\.[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    );
    const session = anonymous.withHeaders({ cookie: cookie.split(';')[0]! });
    expect((await session.get('/v1/policy')).status).toBe(200);
    const without = await session.post<{ type: string }>('/v1/proposals', {
      change: { kind: 'global', killSwitch: true },
      reason: 'csrf test',
    });
    expect(without.status).toBe(403);
    expect(without.body.type).toBe('https://hum.dev/problems/csrf');
    const wrong = await session
      .withHeaders({ 'x-csrf-token': 'x'.repeat(43) })
      .post('/v1/proposals', {});
    expect(wrong.status).toBe(403);
    const withToken = await session
      .withHeaders({ 'x-csrf-token': login.body.csrfToken })
      .post<{ proposal: { state: string } }>('/v1/proposals', {
        change: { kind: 'global', killSwitch: true },
        reason: 'csrf test',
      });
    expect(withToken.status).toBe(201);
    expect(withToken.body.proposal.state).toBe('applied');
    // After logout the cookie is dead.
    await session.withHeaders({ 'x-csrf-token': login.body.csrfToken }).post('/v1/auth/logout');
    expect((await session.get('/v1/policy')).status).toBe(401);
  });

  it('accepts OIDC people for decisions, keeps them apart from local ones, and refuses bad tokens', async () => {
    const olga = new Api(admin.url).withToken(await issuer.token('olga', ['sec-admins']));
    const proposed = await olga.post<{ proposal: { id: string; proposedBy: string } }>(
      '/v1/proposals',
      {
        change: { kind: 'global', killSwitch: false },
        reason: 'release after the csrf test',
      },
    );
    expect(proposed.status).toBe(201);
    expect(proposed.body.proposal.proposedBy).toBe('olga');
    // The same person through the approver group is still olga: no self-approval via OIDC.
    const olgaApprover = new Api(admin.url).withToken(
      await issuer.token('olga', ['sec-approvers']),
    );
    expect(
      (await olgaApprover.post(`/v1/proposals/${proposed.body.proposal.id}/approve`)).status,
    ).toBe(403);
    const abe = new Api(admin.url).withToken(await loginToken(admin, 'abe'));
    const approved = await abe.post<{ applied: { decidedBy: string[] } }>(
      `/v1/proposals/${proposed.body.proposal.id}/approve`,
    );
    expect(approved.status).toBe(200);
    expect(approved.body.applied.decidedBy).toEqual(['olga', 'abe']);

    const otherAudience = new Api(admin.url).withToken(
      await issuer.token('olga', ['sec-admins'], { audience: 'someone-else' }),
    );
    const refused = await otherAudience.get<{ detail: string }>('/v1/policy');
    expect(refused.status).toBe(401);
    // The caller learns nothing about why; the reason is in the service log only.
    expect(refused.body.detail).not.toMatch(/aud/);
    // The log line travels through the child's stdout pipe: wait for it rather than race it.
    await waitFor(
      () =>
        /"credential":"an OIDC token \(ERR_JWT_CLAIM_VALIDATION_FAILED/.test(
          admin.process.output(),
        ),
      { describe: 'the refusal reason in the service log' },
    );
  });

  it('never writes a password, token or key into its log', async () => {
    const output = admin.process.output();
    const printedOnce = output.slice(output.indexOf('created these local users'));
    for (const password of admin.passwords.values()) {
      expect(output.split(password).length - 1).toBe(1);
      expect(printedOnce).toContain(password);
    }
    expect(output).not.toMatch(/hs1\.[A-Za-z0-9_-]{22}\./);
    expect(output).not.toMatch(/hum_[a-z0-9]{12}_[A-Za-z0-9_-]{20}/);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
