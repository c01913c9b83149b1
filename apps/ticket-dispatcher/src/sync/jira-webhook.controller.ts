import type { IncomingMessage } from 'node:http';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { LOGGER, type Logger } from '@hum/observability';
import { ProblemException } from '@hum/runtime';
import { readJiraWebhook, type RevealableSecret, verifyJiraSignature } from '@hum/ticketing';
import { TicketProviders } from '../providers/ticket-providers';
import { WEBHOOK_SECRETS } from '../tokens';
import { HumanChangeRecorder } from './human-changes';
import { readRawBody } from './raw-body';

export type WebhookSecrets = Partial<Record<'jira-cloud' | 'jira-dc', RevealableSecret>>;

const MAX_WEBHOOK_BYTES = 2 * 1024 * 1024;

/**
 * Jira webhooks (Cloud and Data Center): authenticated by the HMAC signature of the shared
 * secret over the raw body. Changes made by hum's own account are ignored; a person's
 * close, reopen or delete is recorded once.
 */
@Controller('v1/webhooks')
export class JiraWebhookController {
  private readonly logger: Logger;

  constructor(
    @Inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
    private readonly providers: TicketProviders,
    private readonly recorder: HumanChangeRecorder,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ context: JiraWebhookController.name });
  }

  @Post(':provider')
  @HttpCode(202)
  async receive(
    @Param('provider') provider: string,
    @Req() request: IncomingMessage,
  ): Promise<{ outcome: string; reason?: string }> {
    if (provider !== 'jira-cloud' && provider !== 'jira-dc') {
      throw new ProblemException({
        status: 404,
        code: 'unknown-webhook',
        title: 'Unknown webhook',
        detail: `no webhook for "${provider}"; use jira-cloud or jira-dc`,
      });
    }
    const secret = this.secrets[provider];
    if (!secret || !this.providers.enabled().includes(provider)) {
      throw new ProblemException({
        status: 404,
        code: 'webhook-disabled',
        title: 'Webhook not configured',
        detail: `the ${provider} webhook is off: enable the provider and set its webhook secret`,
      });
    }
    const body = await readRawBody(request, MAX_WEBHOOK_BYTES);
    const signature = request.headers['x-hub-signature'];
    if (!verifyJiraSignature(body, Array.isArray(signature) ? signature[0] : signature, secret)) {
      throw new ProblemException({
        status: 401,
        code: 'bad-signature',
        title: 'Invalid webhook signature',
        detail: 'X-Hub-Signature must be sha256=<HMAC-SHA256 of the body with the shared secret>',
      });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new ProblemException({
        status: 400,
        code: 'invalid-json',
        title: 'Invalid JSON',
        detail: error instanceof Error ? error.message : 'the body is not JSON',
      });
    }
    const own = await this.providers.get(provider).account();
    const reading = readJiraWebhook(provider, payload, own);
    if (reading.kind === 'ignored') {
      this.logger.debug({ provider, reason: reading.reason }, 'webhook ignored');
      return { outcome: 'ignored', reason: reading.reason };
    }
    const outcome = await this.recorder.record(reading.change);
    this.logger.info(
      {
        provider,
        ticket: reading.change.ticket.key,
        kind: reading.change.kind,
        actor: reading.change.actor,
        outcome,
      },
      'human change from webhook',
    );
    return { outcome };
  }
}
