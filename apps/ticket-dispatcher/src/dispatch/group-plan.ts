import type {
  ClassifiedFindingV1,
  FindingResolvedV1,
  RemediationEventV1,
  RiskAcceptanceV1,
} from '@hum/contracts';
import {
  acceptanceChange,
  acceptancesHolding,
  acceptedComment,
  bold,
  code,
  documentOf,
  highestTier,
  idempotencyKey,
  lapsedComment,
  link,
  memberSummary,
  paragraph,
  type ResolvedRoute,
  text,
  type TicketDocument,
} from '@hum/ticketing';
import type { GroupRecord, MemberRecord } from '../ledger/group-records';
import { dueDate, type SlaPolicy } from './sla';

/** One consumed event, whichever topic it came from. */
export type DispatchInput =
  | { readonly kind: 'classified'; readonly offset: string; readonly data: ClassifiedFindingV1 }
  | { readonly kind: 'resolved'; readonly offset: string; readonly data: FindingResolvedV1 }
  | { readonly kind: 'remediation'; readonly offset: string; readonly data: RemediationEventV1 };

export interface PendingComment {
  /** Deterministic per cause (finding revision, patch attempt): a redelivery finds it posted. */
  readonly key: string;
  readonly body: TicketDocument;
  /** Dropped when the ticket is created in the same sync: its description already says it. */
  readonly onlyIfExisting: boolean;
  readonly offset: string;
}

/** The risk acceptances in force, as followed from `risk.acceptances`. */
export interface AcceptanceSource {
  /** False until the topic has been read to its end: nothing is decided from half of it. */
  readonly loaded: boolean;
  candidates(groupKey: string, fingerprints: Iterable<string>): RiskAcceptanceV1[];
  get(id: string): RiskAcceptanceV1 | undefined;
}

/** A group being worked on in one batch: its ledger row, its members, and what is due. */
export class GroupWork {
  readonly members: Map<string, MemberRecord>;
  readonly changedMembers = new Set<string>();
  readonly comments: PendingComment[] = [];
  wantUpdate = false;
  resolveAt: string | undefined;
  reopenAt: { offset: string; note: TicketDocument } | undefined;
  /** The latest event applied to the group in this batch. */
  lastOffset: string;

  constructor(
    readonly group: GroupRecord,
    members: readonly MemberRecord[],
    readonly isNew: boolean,
    /** The event that first touched the group in this batch: creation is attributed to it. */
    readonly firstOffset: string,
  ) {
    this.members = new Map(members.map((member) => [member.fingerprint, member]));
    this.lastOffset = firstOffset;
  }

  /** Whether anything in this batch may need the tracker. */
  get touched(): boolean {
    return (
      this.isNew ||
      this.wantUpdate ||
      this.comments.length > 0 ||
      this.resolveAt !== undefined ||
      this.reopenAt !== undefined
    );
  }

  openMembers(): MemberRecord[] {
    return [...this.members.values()].filter((member) => member.state === 'open');
  }

  /** Members in a stable order (for rendering and events). */
  memberList(): MemberRecord[] {
    return [...this.members.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
  }
}

function tierLabel(tier: string): string {
  return tier.toUpperCase();
}

/**
 * Applies consumed events to groups in memory: membership, revisions (older events are
 * stale and change nothing), tier and SLA due date, and the comments and transitions the
 * ticket needs. Nothing here talks to a tracker.
 */
export class GroupPlanner {
  constructor(private readonly sla: SlaPolicy) {}

  newFindingsGroup(
    groupKey: string,
    route: ResolvedRoute,
    event: ClassifiedFindingV1,
    now: Date,
  ): GroupRecord {
    const since = new Date(event.lifecycle.firstSeenAt);
    const tier = event.classification.tier;
    const asset = event.finding.asset;
    return {
      group_key: groupKey,
      kind: 'findings',
      route: route.name,
      provider: route.provider,
      generation: 1,
      idempotency_key: idempotencyKey(route.provider, groupKey),
      target: route.target,
      ticket_id: null,
      ticket_key: null,
      ticket_url: null,
      status: 'pending',
      decision: null,
      tier,
      tier_since: since,
      due_date: dueDate(since, this.sla.slaDays(tier)) ?? null,
      asset: {
        id: asset.id,
        ...(asset.environment !== undefined ? { environment: asset.environment } : {}),
        ...(asset.team !== undefined ? { team: asset.team } : {}),
        ...(asset.repository !== undefined ? { repository: asset.repository } : {}),
      },
      remediation: null,
      synced_hash: null,
      acceptances: [],
      acceptance_seq: 0,
      created_at: now,
      updated_at: now,
    };
  }

  newRemediationGroup(
    groupKey: string,
    route: ResolvedRoute,
    event: RemediationEventV1,
    now: Date,
  ): GroupRecord {
    const since = new Date(event.decidedAt);
    const team = event.team ?? event.asset.team;
    return {
      group_key: groupKey,
      kind: 'remediation-failure',
      route: route.name,
      provider: route.provider,
      generation: 1,
      idempotency_key: idempotencyKey(route.provider, groupKey),
      target: route.target,
      ticket_id: null,
      ticket_key: null,
      ticket_url: null,
      status: 'pending',
      decision: null,
      tier: event.tier,
      tier_since: since,
      due_date: dueDate(since, this.sla.slaDays(event.tier)) ?? null,
      asset: {
        id: event.asset.id,
        ...(event.asset.environment !== undefined ? { environment: event.asset.environment } : {}),
        ...(team !== undefined ? { team } : {}),
        ...(event.asset.repository !== undefined ? { repository: event.asset.repository } : {}),
      },
      remediation: event,
      synced_hash: null,
      acceptances: [],
      acceptance_seq: 0,
      created_at: now,
      updated_at: now,
    };
  }

  /** False when the event is older than what the ledger holds for the finding. */
  applyClassified(work: GroupWork, event: ClassifiedFindingV1, offset: string): boolean {
    const { finding, classification, lifecycle } = event;
    const existing = work.members.get(finding.fingerprint);
    if (existing && lifecycle.revision <= existing.revision) return false;
    const wasOpen = existing?.state === 'open';
    const previousGroupTier = work.group.tier;
    work.members.set(finding.fingerprint, {
      fingerprint: finding.fingerprint,
      groupKey: work.group.group_key,
      state: 'open',
      tier: classification.tier,
      revision: lifecycle.revision,
      summary: memberSummary(event),
    });
    work.changedMembers.add(finding.fingerprint);
    // The SLA clock of a finding new to the group starts when it was first seen.
    const since = new Date(!existing ? lifecycle.firstSeenAt : classification.classifiedAt);
    const retiered = this.retier(work, since);
    work.wantUpdate = true;
    work.resolveAt = undefined;
    const subject = [bold(`[${tierLabel(classification.tier)}] `), text(finding.title)];
    const key = `rev:${finding.fingerprint}:${lifecycle.revision}`;
    if (!existing) {
      // A finding detected before the ticket was raised came with the scans that raised it
      // and reached this group in a later batch: the description lists it, and a comment per
      // such finding is noise (ten for a ten-finding group). One detected later is news.
      if (!work.isNew && new Date(lifecycle.firstSeenAt) > work.group.created_at) {
        this.comment(work, key, offset, true, [
          text('Another finding joined this ticket: '),
          ...subject,
        ]);
      }
    } else if (!wasOpen || lifecycle.change === 'reopened') {
      const note = documentOf(paragraph(text('A finding came back in a later scan: '), ...subject));
      if (work.group.status === 'resolved') work.reopenAt = { offset, note };
      else
        this.comment(work, key, offset, true, [
          text('A finding came back in a later scan: '),
          ...subject,
        ]);
    } else if (lifecycle.change === 'tier-changed') {
      const from = lifecycle.previousTier ?? existing.tier;
      this.comment(work, key, offset, true, [
        text(`Risk tier changed from ${tierLabel(from)} to ${tierLabel(classification.tier)} for `),
        text(finding.title),
        text(
          retiered
            ? `. The ticket is now ${tierLabel(work.group.tier)} (was ${tierLabel(previousGroupTier)}); priority and due date (${work.group.due_date ?? 'none'}) follow.`
            : '.',
        ),
      ]);
    } else if (lifecycle.change === 'acceptance-lapsed') {
      this.comment(work, key, offset, true, [
        text('The risk acceptance for this finding lapsed: '),
        ...subject,
      ]);
    }
    return true;
  }

  /** False when stale or for a finding this group does not hold. */
  applyResolved(work: GroupWork, event: FindingResolvedV1, offset: string): boolean {
    const member = work.members.get(event.fingerprint);
    if (!member || event.revision <= member.revision) return false;
    member.state = 'resolved';
    member.revision = event.revision;
    member.tier = event.lastTier;
    work.changedMembers.add(event.fingerprint);
    work.wantUpdate = true;
    if (work.openMembers().length === 0) {
      work.resolveAt = offset;
      work.reopenAt = undefined;
    } else {
      this.retier(work, new Date(event.resolvedAt));
    }
    return true;
  }

  applyPatchApplied(work: GroupWork, event: RemediationEventV1, offset: string): void {
    const change = event.fix
      ? [
          code(event.fix.component),
          text(` ${event.fix.fromVersion ?? '?'} → ${event.fix.toVersion}`),
        ]
      : [text(event.title)];
    const via = event.strategy ? [text(` via ${event.strategy}`)] : [];
    const url = event.url ? [text(': '), link(event.url, event.url)] : [];
    this.comment(work, `patch:${event.attemptKey}`, offset, false, [
      text('Auto-patch applied: '),
      ...change,
      ...via,
      ...url,
      text('. The ticket resolves once a scan confirms the finding is gone.'),
    ]);
  }

  /**
   * Brings the acceptances the ticket shows in line with those holding now: one comment per
   * acceptance that starts or stops holding (named by the group's acceptance sequence, so a
   * redelivery finds it posted), and the label and description follow through the update.
   * A new ticket says so in its content instead. Tickets hum no longer manages (resolved,
   * closed by a person) are left as they are; the next change that reopens them catches up.
   */
  applyAcceptances(work: GroupWork, source: AcceptanceSource, now: Date, offset: string): boolean {
    const { group } = work;
    if (!source.loaded || group.kind !== 'findings') return false;
    const manageable =
      work.isNew ||
      group.status === 'pending' ||
      group.status === 'open' ||
      (group.status === 'resolved' && work.reopenAt !== undefined);
    if (!manageable) return false;
    const members = work.memberList();
    const holding = acceptancesHolding(
      { groupKey: group.group_key, members },
      source.candidates(
        group.group_key,
        members.map((member) => member.fingerprint),
      ),
      now,
    );
    const change = acceptanceChange(group.acceptances, holding, (id) => source.get(id), now);
    // A version is immutable: the same ids at the same versions say the same thing.
    const versions = (marks: readonly { id: string; version: number }[]): string =>
      marks.map((mark) => `${mark.id}@${mark.version}`).join(',');
    if (versions(group.acceptances) === versions(holding)) return false;
    if (change.accepted.length > 0 || change.lapsed.length > 0) {
      group.acceptance_seq += 1;
      const seq = group.acceptance_seq;
      for (const mark of change.accepted) {
        work.comments.push({
          key: `acceptance:${seq}:accepted:${mark.id}:${mark.version}`,
          offset,
          onlyIfExisting: true,
          body: acceptedComment(mark),
        });
      }
      for (const { mark, why } of change.lapsed) {
        work.comments.push({
          key: `acceptance:${seq}:lapsed:${mark.id}:${mark.version}`,
          offset,
          onlyIfExisting: true,
          body: lapsedComment(mark, why),
        });
      }
    }
    group.acceptances = holding;
    work.wantUpdate = true;
    return true;
  }

  /** Tier of a group = the highest tier of its open findings; the due date follows it. */
  private retier(work: GroupWork, since: Date): boolean {
    const open = work.openMembers();
    if (open.length === 0) return false;
    const tier = highestTier(open.map((member) => member.tier));
    if (tier === work.group.tier) return false;
    work.group.tier = tier;
    work.group.tier_since = since;
    work.group.due_date = dueDate(since, this.sla.slaDays(tier)) ?? null;
    return true;
  }

  private comment(
    work: GroupWork,
    key: string,
    offset: string,
    onlyIfExisting: boolean,
    inlines: Parameters<typeof paragraph>,
  ): void {
    if (work.comments.some((comment) => comment.key === key)) return;
    work.comments.push({ key, offset, onlyIfExisting, body: documentOf(paragraph(...inlines)) });
  }
}
