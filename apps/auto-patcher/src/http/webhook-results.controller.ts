import type { IncomingMessage } from 'node:http';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Clock } from '@hum/common';
import { ExecutorResult, verifyWebhookSignature, WEBHOOK_HEADERS } from '@hum/patching';
import { ProblemException } from '@hum/runtime';
import type { PatcherConfig } from '../config';
import { PatchExecutor } from '../execution/patch-executor';
import { PATCHER_CLOCK, PATCHER_CONFIG } from '../tokens';
import { parseJsonBody, readRawBody } from './raw-body';

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Where a patch executor reports a result (webhook strategy, `result: callback`). Authenticated
 * by the host's HMAC signature over the exact body and a fresh timestamp; an executor can only
 * report on attempts that were sent to it.
 */
@Controller('v1/patch-results/webhook')
export class WebhookResultsController {
  constructor(
    @Inject(PATCHER_CONFIG) private readonly config: PatcherConfig,
    @Inject(PATCHER_CLOCK) private readonly clock: Clock,
    private readonly executor: PatchExecutor,
  ) {}

  @Post(':host')
  @HttpCode(202)
  async receive(
    @Param('host') hostName: string,
    @Req() request: IncomingMessage,
  ): Promise<unknown> {
    const host = this.config.patching.webhook.find((h) => h.name === hostName);
    const body = await readRawBody(request);
    const secret = host === undefined ? undefined : this.config.credentials.get(host.secret);
    const check =
      secret === undefined
        ? ({ ok: false, reason: 'missing' } as const)
        : verifyWebhookSignature({
            secret: secret.reveal(),
            signature: header(request, WEBHOOK_HEADERS.signature),
            timestamp: header(request, WEBHOOK_HEADERS.timestamp),
            body,
            now: this.clock.now(),
          });
    if (!check.ok)
      // The same answer for an unknown host and a bad signature: nothing to learn by probing.
      throw new ProblemException({
        status: 401,
        code: 'signature-required',
        title: 'Unauthorized',
        detail: `a valid ${WEBHOOK_HEADERS.signature} over the body and a fresh ${WEBHOOK_HEADERS.timestamp} are required`,
      });
    const parsed = ExecutorResult.safeParse(parseJsonBody(body));
    if (!parsed.success)
      throw new ProblemException({
        status: 422,
        code: 'invalid-result',
        title: 'Unprocessable content',
        detail: 'the body is not an executor result',
        errors: parsed.error.issues.map((issue) => ({
          pointer: `/${issue.path.join('/')}`,
          detail: issue.message,
        })),
      });
    const attempt = await this.executor.store.attempt(parsed.data.attemptKey);
    if (
      attempt === undefined ||
      attempt.payload?.target.strategy !== 'webhook' ||
      attempt.payload.target.host !== hostName
    )
      throw new ProblemException({
        status: 404,
        code: 'unknown-attempt',
        title: 'Not found',
        detail: `no patch attempt ${parsed.data.attemptKey} was sent to ${hostName}`,
      });
    if (parsed.data.status === 'accepted' || parsed.data.status === 'running')
      return { attemptKey: parsed.data.attemptKey, recorded: false };
    const stored = await this.executor.store.storeWebhookResult(parsed.data, this.clock.now());
    this.executor.wake();
    return { attemptKey: parsed.data.attemptKey, recorded: stored === 'stored' };
  }
}
