import type { RiskAcceptanceV1, RiskTier } from '@hum/contracts';
import { acceptanceLapse } from '@hum/policy';
import {
  bold,
  type Block,
  code,
  documentOf,
  type Inline,
  paragraph,
  text,
  type TicketDocument,
} from '../content/document';
import { highestTier } from '../content/group-content';

/** The label a ticket carries while a risk acceptance holds for it (routing `acceptedLabel`). */
export const DEFAULT_ACCEPTED_LABEL = 'hum-risk-accepted';

/**
 * An acceptance as a ticket shows it: what the ledger remembers having said on the ticket,
 * so a later change (or its absence) can be told apart exactly once.
 */
export interface AcceptanceMark {
  readonly id: string;
  readonly version: number;
  readonly target: RiskAcceptanceV1['target'];
  readonly owner: string;
  readonly reason: string;
  readonly expiresAt: string;
  readonly acceptedTier: RiskTier;
  readonly proposedBy: string;
  readonly approvedBy: string;
}

/** What of a ticket group decides whether an acceptance holds for it. */
export interface AcceptanceGroupView {
  readonly groupKey: string;
  readonly members: readonly {
    readonly fingerprint: string;
    readonly state: 'open' | 'resolved';
    readonly tier: RiskTier;
  }[];
}

function markOf(acceptance: RiskAcceptanceV1): AcceptanceMark {
  return {
    id: acceptance.id,
    version: acceptance.version,
    target: acceptance.target,
    owner: acceptance.owner,
    reason: acceptance.reason,
    expiresAt: acceptance.expiresAt,
    acceptedTier: acceptance.acceptedTier,
    proposedBy: acceptance.proposedBy,
    approvedBy: acceptance.approvedBy,
  };
}

/**
 * The acceptances holding for a group now, by id: active, not past expiry, and covering a
 * risk no higher than the tier it was accepted at (a group's risk is its highest open tier;
 * a finding's its own). Expiry and tier are checked here rather than waiting for
 * policy-admin's lapse record, so a ticket never claims an acceptance the gate no longer counts.
 */
export function acceptancesHolding(
  group: AcceptanceGroupView,
  candidates: Iterable<RiskAcceptanceV1>,
  now: Date,
): AcceptanceMark[] {
  const members = new Map(group.members.map((member) => [member.fingerprint, member]));
  const open = group.members.filter((member) => member.state === 'open');
  const holding = new Map<string, AcceptanceMark>();
  for (const acceptance of candidates) {
    if (acceptance.state !== 'active') continue;
    let tier: RiskTier | undefined;
    if (acceptance.target.kind === 'group') {
      if (acceptance.target.groupKey !== group.groupKey || open.length === 0) continue;
      tier = highestTier(open.map((member) => member.tier));
    } else {
      const member = members.get(acceptance.target.fingerprint);
      if (member === undefined) continue;
      tier = member.tier;
    }
    const lapse = acceptanceLapse(
      { expiresAt: new Date(acceptance.expiresAt), acceptedTier: acceptance.acceptedTier },
      now,
      tier,
    );
    if (lapse === undefined) holding.set(acceptance.id, markOf(acceptance));
  }
  return [...holding.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export interface AcceptanceChange {
  /** Acceptances that hold now and did not when the ticket last said. */
  readonly accepted: readonly AcceptanceMark[];
  /** Acceptances the ticket said held that no longer do, with why in words. */
  readonly lapsed: readonly { readonly mark: AcceptanceMark; readonly why: string }[];
}

/**
 * Why an acceptance the ticket shows no longer holds, from its latest record (undefined when
 * the record is gone from the topic).
 */
export function lapseReason(
  mark: AcceptanceMark,
  latest: RiskAcceptanceV1 | undefined,
  now: Date,
): string {
  if (latest === undefined) return 'it was withdrawn';
  switch (latest.state) {
    case 'revoked':
      return 'it was revoked';
    case 'expired':
      return `it expired on ${latest.expiresAt}`;
    case 'lapsed':
      // policy-admin says which finding's risk rose and how (a higher tier, or KEV).
      return latest.endedReason !== undefined
        ? `it lapsed: ${latest.endedReason}`
        : `the risk rose above the accepted tier ${latest.acceptedTier.toUpperCase()}`;
    case 'active':
      break;
  }
  if (now.getTime() >= new Date(latest.expiresAt).getTime())
    return `it expired on ${latest.expiresAt}`;
  return `the risk rose above the accepted tier ${mark.acceptedTier.toUpperCase()}`;
}

/** What changed between what the ticket shows and what holds now (by acceptance id). */
export function acceptanceChange(
  shown: readonly AcceptanceMark[],
  holding: readonly AcceptanceMark[],
  latest: (id: string) => RiskAcceptanceV1 | undefined,
  now: Date,
): AcceptanceChange {
  const shownIds = new Set(shown.map((mark) => mark.id));
  const holdingIds = new Set(holding.map((mark) => mark.id));
  return {
    accepted: holding.filter((mark) => !shownIds.has(mark.id)),
    lapsed: shown
      .filter((mark) => !holdingIds.has(mark.id))
      .map((mark) => ({ mark, why: lapseReason(mark, latest(mark.id), now) })),
  };
}

function subjectOf(mark: AcceptanceMark): Inline[] {
  return mark.target.kind === 'group'
    ? [text('every finding of this ticket')]
    : [text('the finding '), code(mark.target.fingerprint.slice(0, 12))];
}

function detailsOf(mark: AcceptanceMark): Inline[] {
  return [
    text(` Owner: ${mark.owner}. Proposed by ${mark.proposedBy}, approved by ${mark.approvedBy}.`),
    text(` Accepted at tier ${mark.acceptedTier.toUpperCase()} until ${mark.expiresAt}.`),
    text(` Reason: ${mark.reason}`),
  ];
}

/** The comment left when an acceptance starts to hold for a ticket. */
export function acceptedComment(mark: AcceptanceMark): TicketDocument {
  return documentOf(
    paragraph(
      bold('Risk accepted'),
      text(` (acceptance ${mark.id}) for `),
      ...subjectOf(mark),
      text('.'),
      ...detailsOf(mark),
    ),
    paragraph(
      text(
        'The ticket stays open: an accepted risk is not fixed. Accepted findings do not block the promotion gate while the acceptance holds.',
      ),
    ),
  );
}

/** The comment left when an acceptance the ticket showed no longer holds. */
export function lapsedComment(mark: AcceptanceMark, why: string): TicketDocument {
  return documentOf(
    paragraph(
      bold('Risk acceptance lapsed'),
      text(` (acceptance ${mark.id}) for `),
      ...subjectOf(mark),
      text(`: ${why}. The findings are open again and count for the promotion gate.`),
    ),
  );
}

/** The description's section on acceptances holding for the ticket (empty when none). */
export function acceptanceBlocks(marks: readonly AcceptanceMark[]): Block[] {
  return marks.map((mark) =>
    paragraph(
      bold('Risk accepted'),
      text(` (acceptance ${mark.id}) for `),
      ...subjectOf(mark),
      text('.'),
      ...detailsOf(mark),
    ),
  );
}

/**
 * The latest version of each acceptance, indexed by what it targets, as followed from
 * `risk.acceptances` (a tombstone removes one; an older version arriving late is ignored).
 */
export class AcceptanceIndex {
  private readonly byId = new Map<string, RiskAcceptanceV1>();
  private readonly byTarget = new Map<string, Set<string>>();

  /** Applies one record; returns the target key (see targetKeyOf) of the records touched. */
  apply(id: string, record: RiskAcceptanceV1 | null): string[] {
    const held = this.byId.get(id);
    if (record !== null && held !== undefined && held.version > record.version) return [];
    const touched: string[] = [];
    if (held !== undefined) {
      const key = targetKeyOf(held.target);
      this.byTarget.get(key)?.delete(id);
      touched.push(key);
    }
    if (record === null) {
      this.byId.delete(id);
      return touched;
    }
    this.byId.set(id, record);
    const key = targetKeyOf(record.target);
    const ids = this.byTarget.get(key) ?? new Set<string>();
    ids.add(id);
    this.byTarget.set(key, ids);
    if (!touched.includes(key)) touched.push(key);
    return touched;
  }

  get(id: string): RiskAcceptanceV1 | undefined {
    return this.byId.get(id);
  }

  /** Every acceptance aimed at the group or at one of the fingerprints. */
  candidates(groupKey: string, fingerprints: Iterable<string>): RiskAcceptanceV1[] {
    const keys = [
      targetKeyOf({ kind: 'group', groupKey }),
      ...[...fingerprints].map((fingerprint) => targetKeyOf({ kind: 'finding', fingerprint })),
    ];
    const found: RiskAcceptanceV1[] = [];
    for (const key of keys) {
      for (const id of this.byTarget.get(key) ?? []) found.push(this.byId.get(id)!);
    }
    return found;
  }

  /** Every target some acceptance is aimed at (see targetKeyOf). */
  targets(): string[] {
    return [...this.byTarget].flatMap(([key, ids]) => (ids.size > 0 ? [key] : []));
  }

  size(): number {
    return this.byId.size;
  }
}

/** `finding:<fingerprint>` or `group:<group key>`: what an acceptance is aimed at. */
export function targetKeyOf(target: RiskAcceptanceV1['target']): string {
  return target.kind === 'finding' ? `finding:${target.fingerprint}` : `group:${target.groupKey}`;
}
