import { createHmac, randomUUID } from 'node:crypto';
import type { Clock } from '@hum/common';
import type { JiraIssueEvent } from './jira-store';
import type { JiraDirectory } from './jira-directory';
import type { JiraView } from './jira-view';

export interface JiraWebhookConfig {
  readonly url: string;
  /** When set, each delivery carries `X-Hub-Signature: sha256=<hex HMAC of the body>`. */
  readonly secret?: string;
  /** `jira:issue_created`, `jira:issue_updated`, `jira:issue_deleted`; all when omitted. */
  readonly events?: readonly string[];
}

export interface WebhookDelivery {
  readonly webhookEvent: string;
  readonly issueKey: string;
  readonly at: string;
  readonly payload: Record<string, unknown>;
  /** The receiver's HTTP status; undefined when the request failed. */
  readonly status: number | undefined;
  /** Why delivery failed, when it did. */
  readonly error: string | undefined;
}

const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_KEPT_DELIVERIES = 10_000;

/**
 * Posts Jira webhooks for every issue change, as a site admin's webhook would: including
 * changes made through the REST API by the integration itself, which receivers must ignore.
 * Deliveries are attempted once and recorded, failed ones included.
 */
export class JiraWebhookSender {
  private config: JiraWebhookConfig | undefined;
  private readonly sent: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<WebhookDelivery>>();

  constructor(
    private readonly view: JiraView,
    private readonly directory: JiraDirectory,
    private readonly clock: Clock,
  ) {}

  configure(config: JiraWebhookConfig | undefined): void {
    this.config = config;
  }

  secret(): string | undefined {
    return this.config?.secret;
  }

  deliveries(): WebhookDelivery[] {
    return [...this.sent];
  }

  clearDeliveries(): void {
    this.sent.length = 0;
  }

  /** Resolves once every delivery started so far has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  handle(event: JiraIssueEvent): void {
    const config = this.config;
    if (!config) return;
    if (config.events && !config.events.includes(event.webhookEvent)) return;
    const delivery = this.deliver(config, event);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(
    config: JiraWebhookConfig,
    event: JiraIssueEvent,
  ): Promise<WebhookDelivery> {
    const at = this.clock.now();
    const payload = this.payload(event, at);
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Atlassian Webhook HTTP Client',
      'x-atlassian-webhook-identifier': randomUUID(),
    };
    if (config.secret) {
      headers['x-hub-signature'] =
        `sha256=${createHmac('sha256', config.secret).update(body).digest('hex')}`;
    }
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(config.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (failure) {
      // A receiver that is down is a fact to record, as Jira's "failed webhooks" list does.
      error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    }
    const delivery: WebhookDelivery = {
      webhookEvent: event.webhookEvent,
      issueKey: event.issue.key,
      at: at.toISOString(),
      payload,
      status,
      error,
    };
    this.sent.push(delivery);
    if (this.sent.length > MAX_KEPT_DELIVERIES)
      this.sent.splice(0, this.sent.length - MAX_KEPT_DELIVERIES);
    return delivery;
  }

  private payload(event: JiraIssueEvent, at: Date): Record<string, unknown> {
    const actor = this.directory.findUser(event.actorAccountId);
    const payload: Record<string, unknown> = {
      timestamp: at.getTime(),
      webhookEvent: event.webhookEvent,
      issue_event_type_name: event.eventTypeName,
      ...(actor ? { user: this.view.account(actor) } : {}),
      issue: this.view.webhookIssue(event.issue),
    };
    if (event.history) {
      payload['changelog'] = {
        id: event.history.id,
        items: event.history.items.map((item) => ({ ...item })),
      };
    }
    if (event.comment) payload['comment'] = this.view.comment(event.issue, event.comment);
    return payload;
  }
}
