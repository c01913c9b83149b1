// The transport against a real HTTP server (the fake Jira Cloud) with injected faults.
import { inspect } from 'node:util';
import { describeError, isRetryable, PermanentError } from '@hum/common';
import { Secret } from '@hum/config';
import { startFakeJiraCloud, type FakeJiraCloud } from '@hum/testing';
import { parseJiraError } from '../jira/jira-errors';
import { CircuitBreaker } from './circuit-breaker';
import {
  AmbiguousWriteError,
  CircuitOpenError,
  TicketAuthError,
  TicketProviderUnavailableError,
  TicketRequestRejectedError,
} from './errors';
import { HttpTransport } from './http-transport';
import { RateLimiter } from './rate-limiter';

describe('HttpTransport (against a fake tracker with injected faults)', () => {
  let jira: FakeJiraCloud;
  let token: Secret;
  let breaker: CircuitBreaker;
  let limiter: RateLimiter;

  const transport = (overrides: { baseUrl?: string; token?: Secret } = {}): HttpTransport =>
    new HttpTransport({
      provider: 'jira-cloud',
      baseUrl: overrides.baseUrl ?? jira.url,
      authenticate: () =>
        Promise.resolve({
          authorization: `Basic ${Buffer.from(`${jira.botUser.emailAddress}:${(overrides.token ?? token).reveal()}`).toString('base64')}`,
        }),
      parseError: parseJiraError,
      limiter,
      breaker,
      timeoutMs: 2_000,
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    });

  beforeEach(async () => {
    jira = await startFakeJiraCloud();
    token = new Secret(jira.botUser.apiToken!);
    breaker = new CircuitBreaker('jira-cloud', { failureThreshold: 3, openMs: 60_000 });
    limiter = new RateLimiter({ requestsPerSecond: 1_000, burst: 1_000 });
  });

  afterEach(async () => {
    await jira.close();
  });

  const myself = { method: 'GET', path: '/rest/api/3/myself', idempotent: true } as const;
  const create = {
    method: 'POST',
    path: '/rest/api/3/issue',
    idempotent: false,
    body: { fields: { project: { key: 'SEC' }, issuetype: { name: 'Task' }, summary: 'x' } },
  } as const;

  it('retries a 429 after the Retry-After it was given, for reads and writes alike', async () => {
    jira.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, times: 1 });
    const paused = jest.spyOn(limiter, 'pauseFor');
    await expect(transport().request(create)).resolves.toMatchObject({ status: 201 });
    expect(paused).toHaveBeenCalledWith(1_000);
    expect(jira.requests().map((r) => r.status)).toEqual([429, 201]);
    expect(jira.issues()).toHaveLength(1);
  });

  it('retries reads on 5xx and dropped connections, then gives up with a retryable error', async () => {
    jira.inject({ kind: 'status', status: 503, times: 1 });
    jira.inject({ kind: 'drop', times: 1 });
    await expect(transport().request(myself)).resolves.toMatchObject({ status: 200 });
    jira.inject({ kind: 'status', status: 502, times: 3 });
    const error = await transport()
      .request(myself)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketProviderUnavailableError);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^jira-cloud GET \/rest\/api\/3\/myself: server error: /,
    );
    expect(jira.requests().filter((r) => r.status === 502)).toHaveLength(3);
    expect((error as TicketProviderUnavailableError).status).toBe(502);
  });

  it('never resends a write whose outcome is unknown', async () => {
    jira.inject({ kind: 'status', status: 500, phase: 'after', times: 1 });
    const error = await transport()
      .request(create)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousWriteError);
    expect(isRetryable(error)).toBe(true);
    expect(jira.issues()).toHaveLength(1);
    expect(jira.requests({ method: 'POST' })).toHaveLength(1);
  });

  it('resends a write that never reached the server (connection refused)', async () => {
    const closed = await startFakeJiraCloud();
    const url = closed.url;
    await closed.close();
    const error = await transport({ baseUrl: url })
      .request(create)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketProviderUnavailableError);
    expect(error).not.toBeInstanceOf(AmbiguousWriteError);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('reports 400 with the tracker field messages as permanent, 401 as an auth error', async () => {
    const rejected = await transport()
      .request({ ...create, body: { fields: { project: { key: 'NOPE' } } } })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(TicketRequestRejectedError);
    expect(rejected).toBeInstanceOf(PermanentError);
    expect((rejected as TicketRequestRejectedError).fieldErrors).toEqual({
      project: 'Specify a valid project ID or key',
    });
    const denied = await transport({ token: new Secret('wrong-token') })
      .request(myself)
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(TicketAuthError);
    expect((denied as TicketAuthError).status).toBe(401);
  });

  it('opens the circuit after repeated failures and then sends nothing', async () => {
    jira.inject({ kind: 'status', status: 503, forMs: 60_000 });
    await expect(transport().request(myself)).rejects.toBeInstanceOf(
      TicketProviderUnavailableError,
    );
    const sent = jira.requests().length;
    expect(breaker.state).toBe('open');
    await expect(transport().request(myself)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(jira.requests()).toHaveLength(sent);
  });

  it('keeps credentials out of every error, however it is printed', async () => {
    jira.inject({ kind: 'drop', times: 5 });
    const errors = [
      await transport()
        .request(myself)
        .catch((e: unknown) => e),
      await transport()
        .request(create)
        .catch((e: unknown) => e),
      await transport({ token: new Secret('wrong-token-value') })
        .request(myself)
        .catch((e: unknown) => e),
    ];
    for (const error of errors) {
      for (const shown of [
        describeError(error),
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
        String(error),
      ]) {
        expect(shown).not.toContain(token.reveal());
        expect(shown).not.toContain('wrong-token-value');
        expect(shown).not.toContain(
          Buffer.from(`${jira.botUser.emailAddress}:${token.reveal()}`).toString('base64'),
        );
        expect(shown.toLowerCase()).not.toContain('authorization');
      }
    }
  });
});
