import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIdempotencyKey } from '../idempotency';
import type { RevealableSecret } from '../provider-runtime';
import type { HumanTicketChange } from '../ticket-provider';

/**
 * Checks `X-Hub-Signature: sha256=<hex>` — the HMAC-SHA256 of the raw body with the webhook's
 * shared secret, as Jira sends it for webhooks registered with a secret. Constant time.
 */
export function verifyJiraSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: RevealableSecret,
): boolean {
  if (header === undefined) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', secret.reveal()).update(rawBody).digest();
  const presented = Buffer.from(match[1]!.toLowerCase(), 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

interface WebhookPayload {
  webhookEvent?: string;
  timestamp?: number;
  user?: { accountId?: string; name?: string; displayName?: string };
  issue?: {
    id?: string;
    key?: string;
    fields?: {
      labels?: string[];
      status?: { statusCategory?: { key?: string } };
      resolution?: { name?: string } | null;
    };
  };
  changelog?: {
    id?: string;
    items?: Array<{ field?: string; from?: string | null; to?: string | null }>;
  };
}

export type JiraWebhookReading =
  | { readonly kind: 'change'; readonly change: Omit<HumanTicketChange, 'decision'> }
  | { readonly kind: 'ignored'; readonly reason: string };

/**
 * What a Jira webhook says a person did to a ticket: closed it (with which resolution),
 * reopened it, or deleted it. Changes made by hum's own account, comments, and field edits
 * that do not change the ticket's state are ignored.
 */
export function readJiraWebhook(
  provider: 'jira-cloud' | 'jira-dc',
  body: unknown,
  ownAccount: string,
): JiraWebhookReading {
  if (body === null || typeof body !== 'object')
    return { kind: 'ignored', reason: 'not a JSON object' };
  const payload = body as WebhookPayload;
  const issue = payload.issue;
  if (!issue?.id || !issue.key) return { kind: 'ignored', reason: 'no issue in the payload' };
  const actor =
    (provider === 'jira-cloud' ? payload.user?.accountId : payload.user?.name) ??
    payload.user?.accountId ??
    payload.user?.name;
  if (actor === undefined) return { kind: 'ignored', reason: 'no acting user' };
  if (actor === ownAccount) return { kind: 'ignored', reason: "hum's own change" };
  const idempotencyKey = (issue.fields?.labels ?? []).find(isIdempotencyKey);
  const at = new Date(
    typeof payload.timestamp === 'number' ? payload.timestamp : Date.now(),
  ).toISOString();
  const base = {
    provider,
    ticket: { id: String(issue.id), key: issue.key },
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    actor,
    at,
  };
  if (payload.webhookEvent === 'jira:issue_deleted') {
    return {
      kind: 'change',
      change: { ...base, kind: 'deleted', changeId: `${issue.id}:deleted` },
    };
  }
  if (payload.webhookEvent !== 'jira:issue_updated') {
    return { kind: 'ignored', reason: `event ${payload.webhookEvent ?? 'unknown'}` };
  }
  const items = payload.changelog?.items ?? [];
  if (!items.some((item) => item.field === 'status')) {
    return { kind: 'ignored', reason: 'no status change' };
  }
  const changeId = `${issue.id}:${payload.changelog?.id ?? at}`;
  if (issue.fields?.status?.statusCategory?.key === 'done') {
    const resolution = issue.fields.resolution?.name;
    return {
      kind: 'change',
      change: {
        ...base,
        kind: 'closed',
        changeId,
        ...(resolution !== undefined ? { resolution } : {}),
      },
    };
  }
  const resolutionCleared = items.some(
    (item) => item.field === 'resolution' && item.to == null && item.from != null,
  );
  return resolutionCleared
    ? { kind: 'change', change: { ...base, kind: 'reopened', changeId } }
    : { kind: 'ignored', reason: 'status change within open statuses' };
}
