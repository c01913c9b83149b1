import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { waitFor } from '../../kafka/wait-for';
import { type FakePatchExecutor, startFakePatchExecutor } from './patch-executor-fake';

const SECRET = 'executor-shared-secret-0123';

/** hum's webhook signature: sha256=HMAC(secret, "<timestamp>.<body>"). */
function signed(body: string, at = Math.floor(Date.now() / 1000), secret = SECRET) {
  return {
    'content-type': 'application/json',
    'x-hum-timestamp': String(at),
    'x-hum-signature': `sha256=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`,
  };
}

const patch = (attemptKey: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    attemptKey,
    fix: { component: 'openssl', toVersion: '3.0.14' },
    ...extra,
  });

/** Where hum would receive callbacks: records each delivery and answers a scripted status. */
class CallbackReceiver {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  statuses: number[] = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(this.statuses.shift() ?? 202).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('fake patch executor', () => {
  let executor: FakePatchExecutor;

  beforeEach(async () => {
    executor = await startFakePatchExecutor({
      secret: SECRET,
      behaviour: { delayMs: 20, callback: false },
    });
  });

  afterEach(async () => {
    expect(executor.internalErrors).toEqual([]);
    await executor.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    axios.post(executor.endpoint, body, { headers, validateStatus: () => true });

  it('refuses unsigned, stale and wrongly signed requests with 401 and accepts nothing', async () => {
    const body = patch('fp:1');
    const unsigned = await post(body, { 'content-type': 'application/json' });
    expect([unsigned.status, unsigned.data]).toEqual([
      401,
      { error: 'signature required', detail: 'send x-hum-signature and x-hum-timestamp' },
    ]);
    const stale = await post(body, signed(body, Math.floor(Date.now() / 1000) - 301));
    expect([stale.status, stale.data.error]).toEqual([401, 'stale signature']);
    const wrongSecret = await post(body, signed(body, undefined, 'another-secret-012345'));
    expect([wrongSecret.status, wrongSecret.data]).toEqual([401, { error: 'bad signature' }]);
    // The signature covers the body: the same headers over another body do not verify.
    const tampered = await post(patch('fp:2'), signed(body));
    expect(tampered.data).toEqual({ error: 'bad signature' });
    expect(executor.list()).toEqual([]);
    // Reading a result needs a signature too (over the empty body).
    const read = await axios.get(`${executor.endpoint}/fp%3A1`, { validateStatus: () => true });
    expect(read.status).toBe(401);
    expect(JSON.stringify(executor.requests())).not.toContain(SECRET);
  });

  it('validates the patch request and its Idempotency-Key', async () => {
    const noFix = JSON.stringify({ attemptKey: 'fp:1' });
    const invalid = await post(noFix, signed(noFix));
    expect(invalid.status).toBe(422);
    expect(invalid.data).toEqual({ error: 'invalid patch request', detail: expect.any(String) });
    expect(invalid.data.detail).toContain('fix');
    const body = patch('fp:1');
    const mismatch = await post(body, { ...signed(body), 'idempotency-key': 'fp:other' });
    expect([mismatch.status, mismatch.data]).toEqual([
      400,
      { error: 'Idempotency-Key does not match attemptKey' },
    ]);
    expect(executor.list()).toEqual([]);
  });

  it('accepts once per attempt key, runs the patch and serves the result to a signed GET', async () => {
    const body = patch('fp:1');
    const first = await post(body, { ...signed(body), 'idempotency-key': 'fp:1' });
    expect([first.status, first.data.status]).toEqual([202, 'accepted']);
    const repeat = await post(body, { ...signed(body), 'idempotency-key': 'fp:1' });
    expect([repeat.status, repeat.data.attemptKey]).toEqual([200, 'fp:1']);
    expect(executor.patch('fp:1')).toMatchObject({ received: 2 });
    expect(executor.list()).toHaveLength(1);
    const result = async (): Promise<{ status: string; detail?: string }> =>
      (await axios.get(`${executor.endpoint}/fp%3A1`, { headers: signed('') })).data;
    await waitFor(async () => (await result()).status === 'succeeded', {
      describe: 'the patch finished',
    });
    expect(await result()).toMatchObject({ status: 'succeeded', detail: 'upgrade deployed' });
    const unknown = await axios.get(`${executor.endpoint}/fp%3A9`, {
      headers: signed(''),
      validateStatus: () => true,
    });
    expect([unknown.status, unknown.data]).toEqual([404, { error: 'unknown attempt' }]);
  });

  it('calls back signed with the result, retrying a callback that answered 5xx', async () => {
    const receiver = new CallbackReceiver();
    const callbackUrl = await receiver.listen();
    try {
      receiver.statuses = [503];
      executor.setBehaviour({ callback: true, outcome: 'failed', delayMs: 0 });
      const body = patch('fp:cb', { callbackUrl });
      expect((await post(body, signed(body))).status).toBe(202);
      // The executor records a delivery once it has the receiver's answer.
      await waitFor(() => executor.patch('fp:cb')!.deliveries.length === 2, {
        describe: 'two deliveries',
      });
      expect(executor.patch('fp:cb')!.deliveries).toEqual([503, 202]);
      expect(receiver.received).toHaveLength(2);
      for (const delivery of receiver.received) {
        expect(delivery.headers['x-hum-signature']).toBe(
          signed(delivery.body, Number(delivery.headers['x-hum-timestamp']))['x-hum-signature'],
        );
        expect(JSON.parse(delivery.body)).toEqual({
          attemptKey: 'fp:cb',
          status: 'failed',
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/runs\/1$/),
          detail: 'the executor could not apply the upgrade',
        });
      }
    } finally {
      await receiver.close();
    }
  });

  it('rate-limits with 429 + Retry-After and injects faults, a lost answer included', async () => {
    executor.inject({ kind: 'rateLimit', requestsPerSecond: 1, burst: 1 });
    const body = patch('fp:1');
    expect((await post(body, signed(body))).status).toBe(202);
    const limited = await post(body, signed(body));
    expect([limited.status, limited.data, limited.headers['retry-after']]).toEqual([
      429,
      { error: 'too many requests' },
      '1',
    ]);
    executor.clearFaults();
    executor.inject({ kind: 'status', status: 503, match: { method: 'POST' } });
    const unavailable = await post(body, signed(body));
    expect([unavailable.status, unavailable.data]).toEqual([503, { error: 'Service Unavailable' }]);
    // Accepted, then the connection drops: the executor has the patch the client never heard of.
    executor.inject({ kind: 'drop', phase: 'after', match: { method: 'POST' } });
    const lost = patch('fp:lost');
    await expect(post(lost, signed(lost))).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(executor.patch('fp:lost')).toMatchObject({ received: 1 });
    expect((await post(lost, signed(lost))).status).toBe(200);
  });
});
