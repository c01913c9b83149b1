import type { ApprovalNeed } from './assess-change';

export const PROPOSAL_STATES = ['pending', 'applied', 'rejected', 'expired', 'withdrawn'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

const HOUR_MS = 3_600_000;
/** A proposal nobody approves within a day lapses: stale intentions should not linger. */
export const DEFAULT_PROPOSAL_TTL_MS = 24 * HOUR_MS;
export const MIN_PROPOSAL_TTL_MS = 5 * 60_000;
export const MAX_PROPOSAL_TTL_MS = 7 * 24 * HOUR_MS;

/** The roles these rules look at; libs/auth's Role is a superset. */
export type DecisionRole = 'admin' | 'approver';

export interface Decider {
  id: string;
  roles: ReadonlySet<string>;
}

/** What the rules need to know about a pending request (a policy proposal or an acceptance). */
export interface PendingRequest {
  state: ProposalState;
  proposedBy: string;
  expiresAt: Date;
  approval: ApprovalNeed;
}

export const REFUSAL_CODES = [
  'not-admin',
  'not-approver',
  'self-approval',
  'not-pending',
  'expired',
  'stale',
  'no-approval-needed',
  'not-yours',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  reason: string;
}

export function isExpired(request: Pick<PendingRequest, 'expiresAt'>, now: Date): boolean {
  return now.getTime() >= request.expiresAt.getTime();
}

export function expiryOf(proposedAt: Date, ttlMs: number = DEFAULT_PROPOSAL_TTL_MS): Date {
  return new Date(proposedAt.getTime() + ttlMs);
}

export function ttlRefusal(ttlMs: number): string | undefined {
  if (ttlMs < MIN_PROPOSAL_TTL_MS || ttlMs > MAX_PROPOSAL_TTL_MS)
    return `a proposal lives between ${MIN_PROPOSAL_TTL_MS / 60_000} minutes and ${MAX_PROPOSAL_TTL_MS / HOUR_MS} hours`;
  return undefined;
}

function pendingRefusal(request: PendingRequest, now: Date): Refusal | undefined {
  // Expired is expired, whether or not the expiry timer has recorded it yet.
  if (request.state !== 'pending' && request.state !== 'expired')
    return { code: 'not-pending', reason: `it is ${request.state}, not pending` };
  if (request.state === 'expired' || isExpired(request, now))
    return {
      code: 'expired',
      reason: `it expired at ${request.expiresAt.toISOString()}; propose it again`,
    };
  return undefined;
}

/** Only admins propose. */
export function checkPropose(decider: Decider): Refusal | undefined {
  if (!decider.roles.has('admin'))
    return { code: 'not-admin', reason: `${decider.id} lacks the admin role needed to propose` };
  return undefined;
}

/**
 * Approval: a pending, unexpired request that needs a second person, by someone with the
 * approver role who is not the proposer — whatever other roles either of them holds.
 * `heldVersion`/`baseVersion` refuse an approval of a proposal written against a policy that
 * has changed since: the approver must judge the change against what is in force.
 */
export function checkApproval(
  request: PendingRequest & { baseVersion?: number },
  decider: Decider,
  now: Date,
  heldVersion?: number,
): Refusal | undefined {
  if (decider.id === request.proposedBy)
    return {
      code: 'self-approval',
      reason: `${decider.id} proposed it and may not approve it: a second, different person must`,
    };
  if (!decider.roles.has('approver'))
    return { code: 'not-approver', reason: `${decider.id} lacks the approver role` };
  const pending = pendingRefusal(request, now);
  if (pending) return pending;
  if (request.approval !== 'second-person')
    return { code: 'no-approval-needed', reason: 'it applied at once and needs no approval' };
  if (
    request.baseVersion !== undefined &&
    heldVersion !== undefined &&
    request.baseVersion !== heldVersion
  ) {
    return {
      code: 'stale',
      reason: `the policy changed since it was proposed (version ${request.baseVersion}, now ${heldVersion}); propose it again`,
    };
  }
  return undefined;
}

/** Rejection by an approver, or withdrawal by the proposer; either ends a pending request. */
export function checkRejection(
  request: PendingRequest,
  decider: Decider,
  now: Date,
): Refusal | undefined {
  const own = decider.id === request.proposedBy;
  if (!own && !decider.roles.has('approver'))
    return {
      code: 'not-yours',
      reason: `only an approver, or the proposer withdrawing it, may reject it`,
    };
  return pendingRefusal(request, now);
}

/** The state a pending request moves to when it is turned down. */
export function rejectionState(request: PendingRequest, decider: Decider): ProposalState {
  return decider.id === request.proposedBy ? 'withdrawn' : 'rejected';
}
