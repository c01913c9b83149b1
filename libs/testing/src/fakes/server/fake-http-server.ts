import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Clock } from '@hum/common';
import { presentedCredentials, randomSecret, secretEquals } from './credentials';
import { faultSpecSchema, FaultInjector, type FaultSpec, type ScriptedFault } from './faults';
import type { AuthOutcome, BaseUrl, FakeService } from './fake-service';
import { renderTicketPage } from './html-page';
import { jsonResponse, noContent, type FakeResponse } from './http-types';
import {
  RequestJournal,
  type RecordedRequest,
  type RequestFilter,
  type RequestOutcome,
} from './request-journal';
import { Router } from './router';

export interface FakeServerOptions {
  /** Interface to bind; loopback unless a spec or the quickstart needs otherwise. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Bearer token for `/__fake/...`; random when omitted. */
  readonly controlToken?: string;
  readonly clock?: Clock;
  /** Faults active from the first request, e.g. `{ kind: 'latency', ms: 50 }` for a benchmark. */
  readonly faults?: readonly FaultSpec[];
  /** How many requests the journal keeps (oldest dropped first); 50,000 by default. */
  readonly journalLimit?: number;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const CONTROL_PREFIX = '/__fake';
const systemClock: Clock = { now: () => new Date() };

/**
 * One fake on node:http. Each API request goes: latency, scripted faults, rate limit,
 * authentication, route, then (for `phase: 'after'` faults) the response is replaced. Every
 * API request lands in the journal. `/__fake/...` is the control API: never faulted, never
 * journaled, authenticated with the control token.
 */
export class FakeHttpServer {
  readonly journal: RequestJournal;
  readonly faults: FaultInjector;
  readonly clock: Clock;
  readonly controlToken: string;
  /** Bugs in the fake itself (a handler threw); specs may assert it stays empty. */
  readonly internalErrors: unknown[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly closing = new AbortController();
  private readonly sharedControl: Router;

  private constructor(
    private readonly service: FakeService,
    private readonly server: Server,
    readonly url: string,
    options: FakeServerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    // Every request held by the simulated latency listens for the close: a busy fake holds
    // far more than Node's warning threshold of 10.
    setMaxListeners(10_000, this.closing.signal);
    this.controlToken = options.controlToken ?? randomSecret();
    this.journal = new RequestJournal(
      () => [...service.secrets(), this.controlToken],
      options.journalLimit,
    );
    this.faults = new FaultInjector(this.clock);
    for (const fault of options.faults ?? []) this.faults.inject(fault);
    this.sharedControl = this.buildSharedControl();
  }

  static async start(
    service: FakeService,
    baseUrl: BaseUrl,
    options: FakeServerOptions = {},
  ): Promise<FakeHttpServer> {
    const server = createServer();
    // Real SaaS endpoints sit behind load balancers with long idle timeouts; node's 5 s
    // default would make keep-alive clients see spurious resets under a slow benchmark.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    baseUrl.set(url);
    const fake = new FakeHttpServer(service, server, url, options);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.once('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      fake.handle(request, response).catch((error: unknown) => {
        // Only reachable when writing the response itself failed; the client sees the
        // socket close, and the failure is kept where a spec can read it.
        fake.internalErrors.push(error);
        response.destroy();
      });
    });
    return fake;
  }

  requests(filter?: RequestFilter): RecordedRequest[] {
    return this.journal.list(filter);
  }

  inject(spec: FaultSpec): void {
    this.faults.inject(faultSpecSchema.parse(spec));
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Empties the service's state, the journal and the faults. */
  reset(): void {
    this.service.reset();
    this.journal.clear();
    this.faults.clear();
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawUrl = request.url ?? '/';
    const url = new URL(rawUrl, 'http://fake.invalid');
    const method = (request.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const rawBody = await readBody(request);
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      await this.handleControl(request, response, method, path, url.searchParams, rawBody);
      return;
    }

    let outcome: RequestOutcome = 'handled';
    let authScheme = presentedCredentials(request.headers).scheme;
    let authUser: string | undefined;
    let parsedBody: unknown =
      rawBody === TOO_LARGE || rawBody.length === 0 ? undefined : rawBody.toString('utf8');
    const record = (status: number | undefined): void => {
      this.journal.record({
        at: this.clock.now(),
        method,
        rawUrl,
        path,
        query: url.searchParams,
        headers: request.headers,
        body: parsedBody,
        authScheme,
        authUser,
        status,
        outcome,
      });
    };

    const line = { method, path };
    if (rawBody === TOO_LARGE) {
      record(413);
      send(response, this.service.errorResponse(413, 'Request entity too large'));
      return;
    }
    const parsed = parseBody(request.headers['content-type'], rawBody);
    if (parsed.ok) parsedBody = parsed.value;

    const latency = this.faults.latencyFor(line);
    if (latency > 0) {
      try {
        await sleep(latency, undefined, { signal: this.closing.signal });
      } catch {
        // The fake is closing: the connection goes with it.
        response.destroy();
        return;
      }
    }

    const before = this.faults.take(line, 'before');
    if (before) {
      outcome = before.kind === 'drop' ? 'dropped' : 'injected-status';
      record(before.kind === 'drop' ? undefined : before.status);
      this.applyFault(response, before);
      return;
    }

    const token = this.faults.takeToken();
    if (token && !token.allowed) {
      outcome = 'rate-limited';
      const answer = this.service.rateLimited(
        Math.max(1, Math.ceil(token.retryAfterMs / 1000)),
        token.limitPerSecond,
        this.clock.now(),
      );
      record(answer.status);
      send(response, answer);
      return;
    }

    const isPage = method === 'GET' && (path === '/' || path === '/index.html');
    const match = isPage ? undefined : this.service.api.match(method, path);
    let auth: AuthOutcome | undefined;
    if (isPage || (match?.kind === 'found' && !match.isPublic)) {
      auth = this.service.authenticate(request.headers);
      if (auth.kind !== 'authenticated') {
        outcome = 'unauthorized';
        const answer = isPage
          ? browserChallenge(this.service.name)
          : this.service.unauthorized(auth);
        record(answer.status);
        send(response, answer);
        return;
      }
      authScheme = auth.principal.scheme;
      authUser = auth.principal.user;
    }

    if (isPage) {
      record(200);
      send(response, { status: 200, html: renderTicketPage(this.service.ticketTable()) });
      return;
    }
    if (!match || match.kind !== 'found') {
      const status = match?.kind === 'method-not-allowed' ? 405 : 404;
      const answer = this.service.errorResponse(
        status,
        status === 405 ? 'Method Not Allowed' : `No resource found at ${path}`,
      );
      record(answer.status);
      send(response, answer);
      return;
    }
    if (!parsed.ok) {
      const answer = this.service.errorResponse(400, parsed.error);
      record(answer.status);
      send(response, answer);
      return;
    }

    let answer: FakeResponse;
    try {
      answer = await match.handler({
        method,
        path,
        query: url.searchParams,
        headers: request.headers,
        body: parsed.value,
        params: match.params,
        principal: auth?.kind === 'authenticated' ? auth.principal : undefined,
      });
    } catch (error) {
      // A bug in the fake must be loud: the client sees a 500, the spec sees internalErrors.
      this.internalErrors.push(error);
      outcome = 'server-error';
      answer = this.service.errorResponse(500, 'Internal server error');
    }

    const after = this.faults.take(line, 'after');
    if (after) {
      outcome = after.kind === 'drop' ? 'dropped' : 'injected-status';
      record(after.kind === 'drop' ? undefined : after.status);
      this.applyFault(response, after);
      return;
    }
    record(answer.status);
    send(response, answer);
  }

  private applyFault(response: ServerResponse, fault: ScriptedFault): void {
    switch (fault.kind) {
      case 'drop':
        dropConnection(response, fault.midResponse);
        return;
      case 'status':
        send(
          response,
          this.service.errorResponse(
            fault.status,
            statusMessage(fault.status),
            fault.retryAfterSeconds,
          ),
        );
        return;
    }
  }

  private async handleControl(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    rawBody: Buffer | typeof TOO_LARGE,
  ): Promise<void> {
    const credentials = presentedCredentials(request.headers);
    if (credentials.scheme !== 'bearer' || !secretEquals(credentials.token, this.controlToken)) {
      send(
        response,
        jsonResponse(401, { error: 'control API needs Authorization: Bearer <controlToken>' }),
      );
      return;
    }
    if (rawBody === TOO_LARGE) {
      send(response, jsonResponse(413, { error: 'body too large' }));
      return;
    }
    const parsed = parseBody(request.headers['content-type'], rawBody);
    if (!parsed.ok) {
      send(response, jsonResponse(400, { error: parsed.error }));
      return;
    }
    const shared = this.sharedControl.match(method, path);
    const match = shared.kind === 'found' ? shared : this.service.control.match(method, path);
    if (match.kind !== 'found') {
      send(
        response,
        jsonResponse(match.kind === 'method-not-allowed' ? 405 : 404, {
          error: `no control route ${method} ${path}`,
        }),
      );
      return;
    }
    try {
      send(
        response,
        await match.handler({
          method,
          path,
          query,
          headers: request.headers,
          body: parsed.value,
          params: match.params,
          principal: { user: 'control', scheme: 'bearer' },
        }),
      );
    } catch (error) {
      if (error instanceof z.ZodError) {
        send(response, jsonResponse(400, { error: z.prettifyError(error) }));
        return;
      }
      if (error instanceof ControlError) {
        send(response, jsonResponse(error.status, { error: error.message }));
        return;
      }
      this.internalErrors.push(error);
      send(
        response,
        jsonResponse(500, { error: error instanceof Error ? error.message : String(error) }),
      );
    }
  }

  private buildSharedControl(): Router {
    const since = (query: URLSearchParams): RequestFilter => {
      const filter: { since?: number; method?: string; path?: string } = {};
      const sinceValue = query.get('since');
      if (sinceValue !== null) filter.since = Number(sinceValue);
      const methodValue = query.get('method');
      if (methodValue !== null) filter.method = methodValue;
      const pathValue = query.get('path');
      if (pathValue !== null) filter.path = pathValue;
      return filter;
    };
    return new Router()
      .get(`${CONTROL_PREFIX}/requests`, (request) =>
        jsonResponse(200, { requests: this.journal.list(since(request.query)) }),
      )
      .delete(`${CONTROL_PREFIX}/requests`, () => {
        this.journal.clear();
        return noContent();
      })
      .get(`${CONTROL_PREFIX}/faults`, () => jsonResponse(200, { faults: this.faults.active() }))
      .post(`${CONTROL_PREFIX}/faults`, (request) => {
        this.faults.inject(faultSpecSchema.parse(request.body));
        return noContent();
      })
      .delete(`${CONTROL_PREFIX}/faults`, () => {
        this.faults.clear();
        return noContent();
      })
      .post(`${CONTROL_PREFIX}/reset`, () => {
        this.reset();
        return noContent();
      })
      .get(`${CONTROL_PREFIX}/state`, () => jsonResponse(200, this.service.snapshot()));
  }
}

/** Thrown by control handlers for a request the control API refuses (unknown ticket...). */
export class ControlError extends Error {
  override readonly name = 'ControlError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOO_LARGE = Symbol('too-large');

async function readBody(request: IncomingMessage): Promise<Buffer | typeof TOO_LARGE> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return TOO_LARGE;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

function parseBody(contentType: string | undefined, raw: Buffer | typeof TOO_LARGE): ParsedBody {
  if (raw === TOO_LARGE || raw.length === 0) return { ok: true, value: undefined };
  const text = raw.toString('utf8');
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      return {
        ok: false,
        error: `Unexpected character in JSON body: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  return { ok: false, error: `Unsupported Content-Type '${type}'` };
}

function send(response: ServerResponse, answer: FakeResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let body: string | undefined;
  if (answer.json !== undefined) {
    body = JSON.stringify(answer.json);
    headers['content-type'] ??= 'application/json;charset=UTF-8';
  } else if (answer.html !== undefined) {
    body = answer.html;
    headers['content-type'] ??= 'text/html;charset=UTF-8';
  } else if (answer.text !== undefined) {
    body = answer.text;
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(answer.status, headers);
  response.end(body);
}

function dropConnection(response: ServerResponse, midResponse: boolean): void {
  if (!midResponse) {
    // Nothing reaches the client: it sees ECONNRESET / "socket hang up".
    response.socket?.destroy();
    return;
  }
  const partial = '{"partial":';
  response.writeHead(200, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': String(partial.length + 64),
  });
  response.write(partial, () => response.socket?.destroy());
}

function browserChallenge(name: string): FakeResponse {
  return {
    status: 401,
    headers: { 'www-authenticate': `Basic realm="${name} (fake)", charset="UTF-8"` },
    html: '<!doctype html><title>401</title><p>Sign in with the API credentials.</p>',
  };
}

function statusMessage(status: number): string {
  switch (status) {
    case 429:
      return 'Rate limit exceeded.';
    case 500:
      return 'Internal server error';
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return `HTTP ${status}`;
  }
}
