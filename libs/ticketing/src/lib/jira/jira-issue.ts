import { isIdempotencyKey } from '../idempotency';
import type { RemoteTicket } from '../ticket-provider';

/** The parts of Jira's IssueBean hum reads. */
export interface JiraIssueBean {
  readonly id: string;
  readonly key: string;
  readonly fields?: {
    readonly labels?: readonly string[];
    readonly status?: { readonly statusCategory?: { readonly key?: string } };
    readonly resolution?: { readonly name?: string } | null;
    readonly created?: string;
  };
}

/** The fields a lookup asks for: enough to tell state and identity, nothing more. */
export const LOOKUP_FIELDS = ['labels', 'status', 'resolution', 'created'] as const;

/** Jira writes offsets as +0000; ISO 8601 wants +00:00. */
function isoTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = Date.parse(normalised);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

export function remoteTicketOf(issue: JiraIssueBean, baseUrl: string): RemoteTicket {
  const fields = issue.fields ?? {};
  const done = fields.status?.statusCategory?.key === 'done';
  const key = (fields.labels ?? []).find(isIdempotencyKey);
  const created = isoTime(fields.created);
  const resolution = fields.resolution?.name;
  return {
    id: String(issue.id),
    key: issue.key,
    url: `${baseUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(issue.key)}`,
    status: done ? 'done' : 'open',
    ...(done && resolution !== undefined ? { resolution } : {}),
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(created !== undefined ? { created } : {}),
  };
}

/** Oldest first, ties by numeric id: the order in which duplicates are judged. */
export function byCreation(left: RemoteTicket, right: RemoteTicket): number {
  const byTime = (left.created ?? '').localeCompare(right.created ?? '');
  return byTime !== 0 ? byTime : Number(left.id) - Number(right.id);
}
