import { z } from 'zod';
import type { Clock } from '@hum/common';
import { TokenBucket, type TakeResult } from './token-bucket';

const requestMatchSchema = z
  .object({
    method: z.string().min(1).optional(),
    /** Exact path, or a prefix when it ends with `*`. */
    path: z.string().min(1).optional(),
  })
  .strict();

const windowFields = {
  /** How many matching requests the fault hits; defaults to 1 unless `forMs` is given. */
  times: z.number().int().positive().optional(),
  /** Or: every matching request for this long, from the moment of injection. */
  forMs: z.number().int().positive().optional(),
  match: requestMatchSchema.optional(),
  /**
   * `before`: the request never reaches the fake's logic. `after`: the fake applies it (an
   * issue is created, a record updated) and only then fails the response, like a gateway
   * timing out after the backend committed.
   */
  phase: z.enum(['before', 'after']).optional(),
};

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('status'),
      status: z.number().int().min(400).max(599),
      retryAfterSeconds: z.number().int().nonnegative().optional(),
      ...windowFields,
    })
    .strict(),
  z
    .object({
      kind: z.literal('drop'),
      /** Send the status line and part of the body, then cut the socket. */
      midResponse: z.boolean().optional(),
      ...windowFields,
    })
    .strict(),
  z
    .object({
      kind: z.literal('latency'),
      ms: z.number().int().nonnegative(),
      match: requestMatchSchema.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('rateLimit'),
      requestsPerSecond: z.number().positive(),
      /** Bucket size; defaults to one second's worth of requests. */
      burst: z.number().int().positive().optional(),
    })
    .strict(),
]);

export type FaultSpec = z.infer<typeof faultSpecSchema>;
export type RequestMatch = z.infer<typeof requestMatchSchema>;

export type ScriptedFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'drop'; readonly midResponse: boolean };

interface ScriptedEntry {
  readonly spec: Extract<FaultSpec, { kind: 'status' | 'drop' }>;
  remaining: number | undefined;
  readonly until: number | undefined;
}

interface RequestLine {
  readonly method: string;
  readonly path: string;
}

/**
 * What goes wrong with the next requests: scripted failures, added latency and a rate limit.
 * Control calls change it at runtime; the server asks it once per API request.
 */
export class FaultInjector {
  private scripted: ScriptedEntry[] = [];
  private latencies: Array<Extract<FaultSpec, { kind: 'latency' }>> = [];
  private bucket: TokenBucket | undefined;

  constructor(private readonly clock: Clock) {}

  inject(spec: FaultSpec): void {
    switch (spec.kind) {
      case 'status':
      case 'drop': {
        const now = this.clock.now().getTime();
        this.scripted.push({
          spec,
          remaining: spec.times ?? (spec.forMs === undefined ? 1 : undefined),
          until: spec.forMs === undefined ? undefined : now + spec.forMs,
        });
        return;
      }
      case 'latency':
        // A new latency for the same match replaces the old one: tests set, then change, it.
        this.latencies = this.latencies.filter(
          (existing) => JSON.stringify(existing.match) !== JSON.stringify(spec.match),
        );
        if (spec.ms > 0) this.latencies.push(spec);
        return;
      case 'rateLimit':
        this.bucket = new TokenBucket(
          spec.requestsPerSecond,
          spec.burst ?? Math.max(1, Math.ceil(spec.requestsPerSecond)),
          () => this.clock.now().getTime(),
        );
        return;
    }
  }

  clear(): void {
    this.scripted = [];
    this.latencies = [];
    this.bucket = undefined;
  }

  /** The faults still pending, for the control API. */
  active(): FaultSpec[] {
    this.expire();
    const faults: FaultSpec[] = this.scripted.map((entry) => ({
      ...entry.spec,
      ...(entry.remaining === undefined ? {} : { times: entry.remaining }),
    }));
    faults.push(...this.latencies);
    if (this.bucket) {
      faults.push({
        kind: 'rateLimit',
        requestsPerSecond: this.bucket.ratePerSecond,
        burst: this.bucket.capacity,
      });
    }
    return faults;
  }

  latencyFor(request: RequestLine): number {
    return this.latencies
      .filter((latency) => matches(latency.match, request))
      .reduce((total, latency) => total + latency.ms, 0);
  }

  /** Consumes and returns the first scripted fault that applies to this request and phase. */
  take(request: RequestLine, phase: 'before' | 'after'): ScriptedFault | undefined {
    this.expire();
    const entry = this.scripted.find(
      (candidate) =>
        (candidate.spec.phase ?? 'before') === phase && matches(candidate.spec.match, request),
    );
    if (!entry) return undefined;
    if (entry.remaining !== undefined) {
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.scripted = this.scripted.filter((other) => other !== entry);
    }
    const spec = entry.spec;
    if (spec.kind === 'drop') return { kind: 'drop', midResponse: spec.midResponse ?? false };
    const retryAfterSeconds = spec.retryAfterSeconds ?? (spec.status === 429 ? 1 : undefined);
    return retryAfterSeconds === undefined
      ? { kind: 'status', status: spec.status }
      : { kind: 'status', status: spec.status, retryAfterSeconds };
  }

  /** Takes a token when a rate limit is set; undefined when there is none. */
  takeToken(): (TakeResult & { readonly limitPerSecond: number }) | undefined {
    if (!this.bucket) return undefined;
    return { ...this.bucket.tryTake(), limitPerSecond: this.bucket.ratePerSecond };
  }

  private expire(): void {
    const now = this.clock.now().getTime();
    this.scripted = this.scripted.filter((entry) => entry.until === undefined || entry.until > now);
  }
}

function matches(match: RequestMatch | undefined, request: RequestLine): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) {
    return false;
  }
  if (match.path === undefined) return true;
  return match.path.endsWith('*')
    ? request.path.startsWith(match.path.slice(0, -1))
    : request.path === match.path;
}
