import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RetryableError } from '@hum/common';
import { Secret } from '@hum/config';
import { type FakePatchExecutor, startFakePatchExecutor, waitFor } from '@hum/testing';
import { instantContext, patchRequest } from '../../../test-fixtures/patch-request';
import { parsePatchingConfig } from '../config/patching-config';
import { ExecutorResult, signWebhook, verifyWebhookSignature } from './webhook-signature';
import { WebhookPatcher } from './webhook.patcher';

describe('webhook signatures', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');
  const at = Math.floor(now.getTime() / 1000);
  const body = '{"attemptKey":"k","status":"succeeded"}';

  it('accepts its own signature and refuses tampering, staleness and absence', () => {
    const signature = signWebhook('s3cret', at, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({
        secret: 's3cret',
        signature,
        timestamp: String(at),
        body,
        now,
        ...overrides,
      });
    expect(check({})).toEqual({ ok: true });
    expect(check({ body: body.replace('succeeded', 'failed') })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(check({ secret: 'other' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(check({ now: new Date(now.getTime() + 301_000) })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(check({ timestamp: '12abc' })).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('webhook patcher (against the fake patch executor)', () => {
  let executor: FakePatchExecutor;
  let receiver: Server;
  let received: Array<{
    body: string;
    signature: string | undefined;
    timestamp: string | undefined;
  }>;
  let callbackUrl: string;

  beforeEach(async () => {
    executor = await startFakePatchExecutor({ behaviour: { delayMs: 20 } });
    received = [];
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({
          body,
          signature: request.headers['x-hum-signature'] as string | undefined,
          timestamp: request.headers['x-hum-timestamp'] as string | undefined,
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/patch-results/webhook/executor`;
  });

  afterEach(async () => {
    expect(executor.internalErrors).toEqual([]);
    await executor.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const patcher = (result: 'callback' | 'poll', secret = executor.secret): WebhookPatcher =>
    new WebhookPatcher({
      host: parsePatchingConfig(
        `version: 1\nwebhook:\n  - name: executor\n    url: ${executor.endpoint}\n    secret: PATCH_EXECUTOR_SECRET\n    result: ${result}\n    pollInterval: 1s\n    timeout: 1m\n`,
      ).webhook[0]!,
      secret: new Secret(secret),
      callbackUrl,
      client: { sleeper: () => Promise.resolve() },
    });

  it('sends a signed request and gets the signed result by callback', async () => {
    const request = patchRequest({ target: { strategy: 'webhook', host: 'executor' } });
    const outcome = await patcher('callback').apply(request, instantContext());
    expect(outcome).toEqual({
      status: 'pending',
      detail: 'executor: accepted',
      url: expect.stringContaining('/runs/1'),
    });
    expect(executor.patch(request.attemptKey)?.request).toMatchObject({
      attemptKey: request.attemptKey,
      fix: { component: 'lodash', toVersion: '4.17.21' },
      callbackUrl,
    });
    await waitFor(() => received.length > 0, { describe: 'the callback' });
    const [callback] = received;
    expect(
      verifyWebhookSignature({
        secret: executor.secret,
        signature: callback!.signature,
        timestamp: callback!.timestamp,
        body: callback!.body,
        now: new Date(),
      }),
    ).toEqual({ ok: true });
    expect(ExecutorResult.parse(JSON.parse(callback!.body))).toMatchObject({
      attemptKey: request.attemptKey,
      status: 'succeeded',
    });
    // A repeated request is idempotent on the executor's side.
    await patcher('callback').apply(request, instantContext());
    expect(executor.list()).toHaveLength(1);
    expect(executor.patch(request.attemptKey)?.received).toBe(2);
  });

  it('polls for the result when configured to, and reports a failure', async () => {
    executor.setBehaviour({ outcome: 'failed', callback: false, delayMs: 10 });
    const request = patchRequest({ target: { strategy: 'webhook', host: 'executor' } });
    const context = instantContext();
    const outcome = await patcher('poll').apply(request, {
      ...context,
      sleep: (ms) =>
        new Promise((resolve) => setTimeout(resolve, 25)).then(() => context.sleep(ms)),
    });
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'job-failed',
      detail: 'the executor could not apply the upgrade',
    });
    expect(await patcher('poll').lookup(request)).toMatchObject({ status: 'failed' });
  });

  it('hands a rate-limited or failing executor back as retryable, never sending twice', async () => {
    const request = patchRequest({ target: { strategy: 'webhook', host: 'executor' } });
    executor.inject({ kind: 'rateLimit', requestsPerSecond: 0.01, burst: 1 });
    executor.setBehaviour({ callback: false });
    // The one request of the bucket is spent; the patch is the next one.
    await patcher('callback').lookup(request);
    const limited = await patcher('callback')
      .apply(request, instantContext())
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryableError);
    expect((limited as RetryableError).retryAfterMs).toBe(100_000);
    executor.clearFaults();
    executor.inject({ kind: 'status', status: 503, match: { method: 'POST' } });
    await expect(patcher('callback').apply(request, instantContext())).rejects.toBeInstanceOf(
      RetryableError,
    );
    expect(executor.list()).toEqual([]);
    expect(await patcher('callback').apply(request, instantContext())).toMatchObject({
      status: 'pending',
    });
    expect(executor.patch(request.attemptKey)?.received).toBe(1);
  });

  it('is refused by the executor when the signature is wrong', async () => {
    const outcome = await patcher('callback', 'not-the-secret').apply(
      patchRequest({ target: { strategy: 'webhook', host: 'executor' } }),
      instantContext(),
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'executor-rejected',
      detail: expect.stringContaining('401'),
    });
    expect(executor.list()).toEqual([]);
  });
});
