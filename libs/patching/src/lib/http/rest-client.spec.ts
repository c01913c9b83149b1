import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentError, RetryableError } from '@hum/common';
import { ApiError, RestClient, retryAfterMs } from './rest-client';

describe('RestClient', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      if (request.url?.startsWith('/api/redirect')) {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      } else if (request.url?.startsWith('/api/flaky')) {
        const n = hits.filter((h) => h.includes('/api/flaky')).length;
        if (n < 3) response.writeHead(503, { 'retry-after': '0' }).end('{"message":"busy"}');
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (request.url?.startsWith('/api/down')) {
        response.writeHead(503).end('{"message":"maintenance"}');
      } else if (request.url?.startsWith('/api/refuse')) {
        response
          .writeHead(422, { 'content-type': 'application/json' })
          .end(
            '{"message":"Validation Failed","errors":[{"message":"A pull request already exists"}]}',
          );
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => hits.splice(0));

  const client = (): RestClient =>
    new RestClient({
      baseUrl: base,
      label: 'Test',
      headers: () => ({}),
      sleeper: () => Promise.resolve(),
    });

  it('keeps every request under the configured base path', () => {
    expect(client().url('/repos/a/b')).toBe(`${base}/repos/a/b`);
    expect(() => client().url('/../admin')).toThrow(PermanentError);
    expect(() => client().url('//evil.example.test/x')).toThrow(PermanentError);
    expect(() => client().url('repos')).toThrow(PermanentError);
  });

  it('never follows a redirect', async () => {
    await expect(client().get('/redirect')).rejects.toMatchObject({
      name: 'ApiError',
      status: 302,
    });
    expect(hits).toEqual(['GET /api/redirect']);
  });

  it('retries idempotent requests on 5xx, but never a POST', async () => {
    expect((await client().get('/flaky')).data).toEqual({ ok: true });
    expect(hits).toHaveLength(3);
    hits.splice(0);
    await expect(client().post('/flaky', {})).rejects.toBeInstanceOf(RetryableError);
    expect(hits).toHaveLength(1);
  });

  it('stays retryable when its own tries run out, so the caller can reschedule', async () => {
    const error = await client()
      .get('/down')
      .catch((e: unknown) => e);
    expect(hits).toHaveLength(3);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/answered 503: maintenance \(after 3 tries\)$/);
  });

  it('surfaces the API’s own message on a refusal, and accepts listed statuses', async () => {
    const error = await client()
      .post('/refuse', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).apiMessage).toBe(
      'Validation Failed — A pull request already exists',
    );
    expect((await client().post('/refuse', {}, { accept: [422] })).status).toBe(422);
  });

  it('reads Retry-After as seconds or a date, and GitHub’s rate-limit reset', () => {
    const now = Date.parse('2026-11-20T10:00:00.000Z');
    expect(retryAfterMs({ 'retry-after': '30' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Fri, 20 Nov 2026 10:01:00 GMT' }, now)).toBe(60_000);
    expect(
      retryAfterMs(
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) },
        now,
      ),
    ).toBe(90_000);
    expect(
      retryAfterMs({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '1' }, now),
    ).toBeUndefined();
  });
});
