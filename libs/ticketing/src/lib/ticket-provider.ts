import type { HumanDecision, RiskTier, TicketProviderName } from '@hum/contracts';
import type { TicketDocument } from './content/document';

/** Where a ticket goes, as routing decided: the parts each tracker understands. */
export interface TicketTarget {
  /** Jira project key. */
  readonly project?: string;
  /** Jira issue type name. */
  readonly issueType?: string;
  /** ServiceNow assignment group (name or sys_id). */
  readonly assignmentGroup?: string;
  readonly labels: readonly string[];
  /** Jira component names. */
  readonly components: readonly string[];
  /** Jira Cloud accountId, Jira DC user name, ServiceNow user name or sys_id. */
  readonly assignee?: string;
  /** A tracker priority name overriding the provider's tier mapping for this route. */
  readonly priority?: string;
}

/** Values a provider's custom-field mapping may draw on. */
export interface TicketFacts {
  readonly groupKey: string;
  readonly tier: RiskTier;
  readonly score?: number;
  readonly assetId?: string;
  readonly team?: string;
  readonly findingCount: number;
}

/** What a ticket should say now; providers fit it to their field limits. */
export interface TicketContent {
  readonly summary: string;
  readonly body: TicketDocument;
  readonly tier: RiskTier;
  /** yyyy-mm-dd, the SLA due date. */
  readonly dueDate?: string;
  readonly facts: TicketFacts;
  /** Where the full content can be read when a field had to be cut. */
  readonly moreLink?: string;
}

export interface TicketDraft extends TicketContent {
  /** The label / correlation id that finds this group's ticket again (see idempotencyKey). */
  readonly idempotencyKey: string;
  readonly target: TicketTarget;
  /**
   * Labels hum set earlier and no longer wants (the risk-accepted label after a lapse):
   * removed on update; other labels people put on the ticket stay. Trackers without labels
   * ignore them.
   */
  readonly removeLabels?: readonly string[];
}

/** Identifies a ticket: the tracker's stable id (Jira id, sys_id) and its human-facing key. */
export interface TicketRef {
  readonly id: string;
  readonly key: string;
}

export type TicketStatus = 'open' | 'done';

export interface RemoteTicket extends TicketRef {
  readonly url: string;
  readonly status: TicketStatus;
  /** Jira resolution name or ServiceNow close code, when done. */
  readonly resolution?: string;
  /** The idempotency key the ticket carries, if any. */
  readonly idempotencyKey?: string;
  /** ISO time the ticket was created, when the tracker says. */
  readonly created?: string;
}

export type ResolveReason = 'fixed' | 'duplicate';

export type ReopenOutcome = 'reopened' | 'already-open' | 'closed-for-good';

/**
 * One ticket tracker behind one interface: each vendor is a folder implementing it. Every
 * method is a real REST call (through the site's rate limiter and the provider's circuit
 * breaker) and fails with the errors of ./http/errors.
 */
export interface TicketProvider {
  readonly name: TicketProviderName;
  /** The tracker's base URL: the rate-limit site. */
  readonly site: string;
  /**
   * Tickets carrying `idempotencyKey` (Jira label, ServiceNow correlation_id), oldest first.
   * `knownIds` are tickets the caller created itself: read through any search-index lag.
   */
  find(idempotencyKey: string, knownIds?: readonly string[]): Promise<RemoteTicket[]>;
  /**
   * `find` for many keys in as few searches as the tracker allows (a batch of new groups
   * costs one lookup, not one per group): every key maps to its tickets, oldest first, an
   * empty list when there is none.
   */
  findEach(
    idempotencyKeys: readonly string[],
    knownIds?: readonly string[],
  ): Promise<Map<string, RemoteTicket[]>>;
  /** The ticket as it is now; undefined when it no longer exists. */
  get(ref: TicketRef): Promise<RemoteTicket | undefined>;
  create(draft: TicketDraft): Promise<RemoteTicket>;
  /** Brings summary, description, priority, due date, labels and mapped fields up to date. */
  update(ref: TicketRef, draft: TicketDraft): Promise<void>;
  comment(ref: TicketRef, body: TicketDocument): Promise<void>;
  /** Whether a comment containing `marker` exists (after a write whose outcome was unknown). */
  hasComment(ref: TicketRef, marker: string): Promise<boolean>;
  resolve(ref: TicketRef, note: TicketDocument, reason: ResolveReason): Promise<void>;
  reopen(ref: TicketRef, note: TicketDocument): Promise<ReopenOutcome>;
  /** Every ticket hum manages on this tracker, page by page (for reconciliation). */
  listManaged(): AsyncIterable<readonly RemoteTicket[]>;
  /** The integration account's identity as the tracker reports changes by it. */
  account(): Promise<string>;
}

/** A change a person made to a ticket, read from a webhook or a poll. */
export interface HumanTicketChange {
  readonly provider: TicketProviderName;
  readonly ticket: TicketRef;
  readonly idempotencyKey?: string;
  readonly kind: 'closed' | 'reopened' | 'deleted';
  /** Resolution name / close code, for 'closed'. */
  readonly resolution?: string;
  readonly decision?: HumanDecision;
  readonly actor: string;
  /** A stable id of the change (webhook delivery, changelog id, record version). */
  readonly changeId: string;
  readonly at: string;
}
