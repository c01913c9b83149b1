import type { Secret } from '@hum/config';
import type { WebhookHostConfig } from '../config/patching-config';
import { patchExplanation, patchTitle } from '../explanation';
import { ApiError, RestClient, type RestClientOptions, segment } from '../http/rest-client';
import {
  failed,
  type PatchContext,
  type PatchOutcome,
  type Patcher,
  type PatchRequest,
} from '../patcher';
import { ExecutorResult, signWebhook, WEBHOOK_HEADERS } from './webhook-signature';

export interface WebhookPatcherOptions {
  readonly host: WebhookHostConfig;
  readonly secret: Secret;
  /** Where the executor reports back in `callback` mode (hum's authenticated endpoint). */
  readonly callbackUrl?: string;
  readonly now?: () => Date;
  readonly client?: Partial<RestClientOptions>;
}

/** Maps an executor's report to an outcome; accepted/running stay pending. */
export function outcomeOfExecutorResult(result: ExecutorResult, host: string): PatchOutcome {
  switch (result.status) {
    case 'succeeded':
      return {
        status: 'applied',
        url: result.url ?? `webhook:${host}`,
        detail: result.detail ?? 'executor reports success',
      };
    case 'failed':
      return failed('job-failed', result.detail ?? 'executor reports failure', result.url);
    case 'accepted':
    case 'running':
      return {
        status: 'pending',
        detail: `executor: ${result.status}`,
        ...(result.url ? { url: result.url } : {}),
      };
  }
}

/**
 * webhook: an HMAC-signed POST of the fix to a configured executor, with the attempt key as
 * idempotency key. The result comes back signed to hum's callback endpoint (`pending` until
 * then) or is polled at `<url>/<attemptKey>`.
 */
export class WebhookPatcher implements Patcher {
  readonly strategy = 'webhook' as const;
  private readonly client: RestClient;
  private readonly now: () => Date;

  constructor(private readonly options: WebhookPatcherOptions) {
    this.now = options.now ?? (() => new Date());
    this.client = new RestClient({
      baseUrl: options.host.url,
      label: `patch executor (${options.host.name})`,
      headers: () => ({}),
      ...options.client,
    });
  }

  private signed(body: string): Record<string, string> {
    const timestamp = Math.floor(this.now().getTime() / 1000);
    return {
      'content-type': 'application/json',
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook(this.options.secret.reveal(), timestamp, body),
    };
  }

  private async status(request: PatchRequest): Promise<ExecutorResult | undefined> {
    const response = await this.client.get<unknown>(`/${segment(request.attemptKey)}`, {
      headers: this.signed(''),
      accept: [404],
    });
    if (response.status === 404) return undefined;
    const parsed = ExecutorResult.safeParse(response.data);
    if (!parsed.success)
      throw new ApiError(
        `${this.client.label}: unreadable status: ${parsed.error.message}`,
        response.status,
        'bad status',
      );
    return parsed.data;
  }

  async lookup(request: PatchRequest): Promise<PatchOutcome | undefined> {
    const result = await this.status(request);
    return result === undefined
      ? undefined
      : outcomeOfExecutorResult(result, this.options.host.name);
  }

  async apply(request: PatchRequest, context: PatchContext): Promise<PatchOutcome> {
    const { host } = this.options;
    const payload = JSON.stringify({
      attemptKey: request.attemptKey,
      fingerprint: request.finding.fingerprint,
      title: patchTitle(request),
      tier: request.tier,
      asset: request.finding.asset,
      vulnerability: request.finding.vulnerability?.id ?? null,
      fix: request.fix,
      explanation: patchExplanation(request, { summary: [], notes: [] }),
      ...(host.result === 'callback' && this.options.callbackUrl
        ? { callbackUrl: this.options.callbackUrl }
        : {}),
    });
    const response = await this.client.post<unknown>('', payload, {
      headers: { ...this.signed(payload), [WEBHOOK_HEADERS.idempotencyKey]: request.attemptKey },
      accept: [400, 401, 403, 409, 422],
    });
    if (response.status >= 400)
      return failed(
        'executor-rejected',
        `executor answered ${response.status}: ${JSON.stringify(response.data).slice(0, 500)}`,
      );
    const accepted = ExecutorResult.safeParse(response.data);
    const first = accepted.success
      ? outcomeOfExecutorResult(accepted.data, host.name)
      : ({ status: 'pending', detail: 'executor accepted the patch' } as const);
    if (first.status !== 'pending' || host.result === 'callback') return first;
    const deadline = context.now().getTime() + host.timeout;
    for (;;) {
      if (context.now().getTime() >= deadline)
        return failed(
          'timeout',
          `executor gave no result within ${Math.round(host.timeout / 1000)} s`,
        );
      await context.heartbeat();
      await context.sleep(host.pollInterval, context.signal);
      const result = await this.status(request);
      if (result === undefined) continue;
      const outcome = outcomeOfExecutorResult(result, host.name);
      if (outcome.status !== 'pending') return outcome;
    }
  }
}
