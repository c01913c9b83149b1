import { createHmac, timingSafeEqual } from 'node:crypto';
import axios from 'axios';
import { z } from 'zod';
import type { Clock } from '@hum/common';
import { randomSecret } from '../server/credentials';
import { FakeHandle } from '../server/fake-handle';
import { ControlError, FakeHttpServer, type FakeServerOptions } from '../server/fake-http-server';
import { BaseUrl, type FakeService } from '../server/fake-service';
import { jsonResponse, type FakeRequest, type FakeResponse } from '../server/http-types';
import { Router } from '../server/router';

export type ExecutorStatus = 'accepted' | 'running' | 'succeeded' | 'failed';

export interface ExecutorBehaviour {
  /** How patches end. */
  readonly outcome: 'succeeded' | 'failed';
  /** Time from acceptance to the result (real time: callbacks are sent by a timer). */
  readonly delayMs: number;
  /** Call the request's `callbackUrl` with the result (when it has one). */
  readonly callback: boolean;
}

export interface FakePatchExecutorOptions extends FakeServerOptions {
  /** The shared HMAC secret; random when absent. */
  readonly secret?: string;
  readonly behaviour?: Partial<ExecutorBehaviour>;
  /** Where requests are received; results are served at `<path>/<attemptKey>`. */
  readonly path?: string;
}

export interface ExecutorPatch {
  readonly attemptKey: string;
  readonly request: Record<string, unknown>;
  status: ExecutorStatus;
  detail: string;
  readonly url: string;
  readonly callbackUrl: string | undefined;
  /** Callback deliveries: HTTP status, or the error text. */
  readonly deliveries: Array<number | string>;
  /** How many signed POSTs carried this attempt key (idempotent repeats included). */
  received: number;
}

const SIGNATURE = 'x-hum-signature';
const TIMESTAMP = 'x-hum-timestamp';
const TOLERANCE_SECONDS = 300;

function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * A patch executor that receives hum's signed webhook. The shared server hands routes a parsed
 * body, so the signature is checked over its compact JSON serialisation — byte-identical to
 * what hum's client signs (JSON.stringify), though a client that pretty-prints would fail here.
 */
export class FakePatchExecutor extends FakeHandle {
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    server: FakeHttpServer,
    readonly secret: string,
    readonly path: string,
    private readonly patches: Map<string, ExecutorPatch>,
    private behaviourRef: { current: ExecutorBehaviour },
  ) {
    super(server);
  }

  static async start(options: FakePatchExecutorOptions = {}): Promise<FakePatchExecutor> {
    const clock: Clock = options.clock ?? { now: () => new Date() };
    const secret = options.secret ?? randomSecret();
    const path = (options.path ?? '/v1/patches').replace(/\/+$/, '');
    const patches = new Map<string, ExecutorPatch>();
    const behaviour = {
      current: {
        outcome: 'succeeded',
        delayMs: 50,
        callback: true,
        ...options.behaviour,
      } as ExecutorBehaviour,
    };
    const baseUrl = new BaseUrl();
    const self: { fake?: FakePatchExecutor } = {};

    const verify = (request: FakeRequest, body: string): FakeResponse | undefined => {
      const signature = request.headers[SIGNATURE];
      const timestamp = request.headers[TIMESTAMP];
      if (
        typeof signature !== 'string' ||
        typeof timestamp !== 'string' ||
        !/^\d+$/.test(timestamp)
      )
        return jsonResponse(401, {
          error: 'signature required',
          detail: `send ${SIGNATURE} and ${TIMESTAMP}`,
        });
      if (Math.abs(clock.now().getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS)
        return jsonResponse(401, {
          error: 'stale signature',
          detail: 'timestamp outside the tolerance',
        });
      const expected = Buffer.from(sign(secret, Number(timestamp), body));
      const presented = Buffer.from(signature);
      if (expected.length !== presented.length || !timingSafeEqual(expected, presented))
        return jsonResponse(401, { error: 'bad signature' });
      return undefined;
    };
    const resultOf = (patch: ExecutorPatch): Record<string, unknown> => ({
      attemptKey: patch.attemptKey,
      status: patch.status,
      url: patch.url,
      ...(patch.detail ? { detail: patch.detail } : {}),
    });

    const payloadSchema = z
      .object({
        attemptKey: z.string().min(1).max(300),
        fix: z.object({ component: z.string(), toVersion: z.string() }).passthrough(),
        callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
      })
      .passthrough();

    const api = new Router()
      .add(
        'POST',
        path,
        (request) => {
          const body = request.body === undefined ? '' : JSON.stringify(request.body);
          const refused = verify(request, body);
          if (refused) return refused;
          const parsed = payloadSchema.safeParse(request.body);
          if (!parsed.success)
            return jsonResponse(422, {
              error: 'invalid patch request',
              detail: z.prettifyError(parsed.error),
            });
          const key = request.headers['idempotency-key'];
          if (typeof key === 'string' && key !== parsed.data.attemptKey)
            return jsonResponse(400, { error: 'Idempotency-Key does not match attemptKey' });
          const existing = patches.get(parsed.data.attemptKey);
          if (existing) {
            existing.received += 1;
            return jsonResponse(200, resultOf(existing));
          }
          const patch: ExecutorPatch = {
            attemptKey: parsed.data.attemptKey,
            request: parsed.data as Record<string, unknown>,
            status: 'accepted',
            detail: '',
            url: `${baseUrl.value}/runs/${patches.size + 1}`,
            callbackUrl: parsed.data.callbackUrl,
            deliveries: [],
            received: 1,
          };
          patches.set(patch.attemptKey, patch);
          // The answer says what was true on receipt; the run starts after it.
          const answer = jsonResponse(202, resultOf(patch));
          self.fake!.schedule(patch);
          return answer;
        },
        { public: true },
      )
      .add(
        'GET',
        `${path}/:attemptKey`,
        (request) => {
          const refused = verify(request, '');
          if (refused) return refused;
          const patch = patches.get(request.params['attemptKey']!);
          return patch
            ? jsonResponse(200, resultOf(patch))
            : jsonResponse(404, { error: 'unknown attempt' });
        },
        { public: true },
      );

    const control = new Router()
      .get('/__fake/patches', () => jsonResponse(200, { patches: self.fake!.list() }))
      .put('/__fake/behaviour', (request) => {
        const next = z
          .object({
            outcome: z.enum(['succeeded', 'failed']).optional(),
            delayMs: z.number().int().nonnegative().optional(),
            callback: z.boolean().optional(),
          })
          .strict()
          .parse(request.body);
        self.fake!.setBehaviour(next);
        return jsonResponse(200, self.fake!.behaviour);
      })
      .post('/__fake/patches/:attemptKey/complete', (request) => {
        const body = z
          .object({
            status: z.enum(['succeeded', 'failed']),
            detail: z.string().max(3000).optional(),
          })
          .strict()
          .parse(request.body);
        self.fake!.complete(request.params['attemptKey']!, body.status, body.detail);
        return jsonResponse(200, { attemptKey: request.params['attemptKey'] });
      });

    const service: FakeService = {
      name: 'patch-executor',
      api,
      control,
      // Requests are authenticated by their HMAC signature, checked in the routes.
      authenticate: () => ({ kind: 'missing' }),
      unauthorized: () => jsonResponse(401, { error: 'signature required' }),
      errorResponse: (status, message, retryAfterSeconds) =>
        jsonResponse(
          status,
          { error: message },
          retryAfterSeconds === undefined
            ? undefined
            : { 'retry-after': String(retryAfterSeconds) },
        ),
      rateLimited: (retryAfterSeconds) =>
        jsonResponse(
          429,
          { error: 'too many requests' },
          { 'retry-after': String(retryAfterSeconds) },
        ),
      ticketTable: () => ({
        title: 'Fake patch executor',
        columns: ['Attempt', 'Package', 'To version', 'Status', 'Callbacks'],
        rows: [...patches.values()].map((p) => [
          p.attemptKey,
          String((p.request['fix'] as Record<string, unknown>)['component']),
          String((p.request['fix'] as Record<string, unknown>)['toVersion']),
          p.status,
          p.deliveries.join(', '),
        ]),
      }),
      secrets: () => [secret],
      reset: () => {
        self.fake!.cancelTimers();
        patches.clear();
      },
      snapshot: () => ({ patches: self.fake!.list() }),
    };
    const server = await FakeHttpServer.start(service, baseUrl, { ...options, clock });
    const fake = new FakePatchExecutor(server, secret, path, patches, behaviour);
    self.fake = fake;
    return fake;
  }

  /** The endpoint to configure in hum: `<url><path>`. */
  get endpoint(): string {
    return `${this.server.url}${this.path}`;
  }

  get behaviour(): ExecutorBehaviour {
    return this.behaviourRef.current;
  }

  setBehaviour(next: Partial<ExecutorBehaviour>): void {
    this.behaviourRef = { current: { ...this.behaviourRef.current, ...next } };
  }

  list(): ExecutorPatch[] {
    return [...this.patches.values()].map((p) => ({ ...p, deliveries: [...p.deliveries] }));
  }

  patch(attemptKey: string): ExecutorPatch | undefined {
    return this.patches.get(attemptKey);
  }

  /** Runs a patch by the current behaviour: running at once, the result after the delay. */
  private schedule(patch: ExecutorPatch): void {
    const { outcome, delayMs, callback } = this.behaviour;
    patch.status = 'running';
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.finish(
        patch,
        outcome,
        outcome === 'failed' ? 'the executor could not apply the upgrade' : 'upgrade deployed',
        callback,
      );
    }, delayMs);
    this.timers.add(timer);
  }

  /** Ends a patch now, as the executor's operator would; calls back when configured. */
  complete(attemptKey: string, status: 'succeeded' | 'failed', detail?: string): void {
    const patch = this.patches.get(attemptKey);
    if (!patch) throw new ControlError(404, `no patch ${attemptKey}`);
    this.finish(patch, status, detail ?? status, this.behaviour.callback);
  }

  private finish(
    patch: ExecutorPatch,
    status: 'succeeded' | 'failed',
    detail: string,
    callback: boolean,
  ): void {
    if (patch.status === 'succeeded' || patch.status === 'failed') return;
    patch.status = status;
    patch.detail = detail;
    if (callback && patch.callbackUrl) void this.deliver(patch, 1);
  }

  private async deliver(patch: ExecutorPatch, attempt: number): Promise<void> {
    const body = JSON.stringify({
      attemptKey: patch.attemptKey,
      status: patch.status,
      url: patch.url,
      detail: patch.detail,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await axios.post(patch.callbackUrl!, body, {
        headers: {
          'content-type': 'application/json',
          [SIGNATURE]: sign(this.secret, timestamp, body),
          [TIMESTAMP]: String(timestamp),
        },
        validateStatus: () => true,
        timeout: 5_000,
        maxRedirects: 0,
      });
      patch.deliveries.push(response.status);
      if (response.status >= 500 && attempt < 5) this.retry(patch, attempt);
    } catch (error) {
      patch.deliveries.push(error instanceof Error ? error.message : String(error));
      if (attempt < 5) this.retry(patch, attempt);
    }
  }

  private retry(patch: ExecutorPatch, attempt: number): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.deliver(patch, attempt + 1);
      },
      200 * 2 ** attempt,
    );
    this.timers.add(timer);
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  override async close(): Promise<void> {
    this.cancelTimers();
    await super.close();
  }
}

/**
 * A local patch executor for the webhook strategy: verifies hum's HMAC signature and
 * timestamp, is idempotent by attempt key, runs each patch for a configurable time to a
 * configurable end, serves results at `<path>/<attemptKey>` (signed GET) and calls back
 * (signed, retried on 5xx) when the request carries a callback URL.
 */
export function startFakePatchExecutor(
  options: FakePatchExecutorOptions = {},
): Promise<FakePatchExecutor> {
  return FakePatchExecutor.start(options);
}
