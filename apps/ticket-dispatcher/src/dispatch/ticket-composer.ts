import { createHash } from 'node:crypto';
import {
  acceptanceBlocks,
  documentOf,
  type GroupView,
  groupDocument,
  groupSummary,
  type MemberSummary,
  paragraph,
  remediationDocument,
  remediationSummary,
  text,
  type TicketDraft,
  type TicketRouting,
} from '@hum/ticketing';
import type { GroupRecord, MemberRecord } from '../ledger/group-records';
import { slaDaysOf } from './sla';

/** Turns a group of the ledger into what its ticket should say now. */
export class TicketComposer {
  constructor(private readonly routing: TicketRouting) {}

  /**
   * The days the group's due date was set with. An SLA change on policy.state dates the
   * tickets raised or re-tiered after it; one already due keeps its date, and its text must
   * not claim the new days for it.
   */
  slaDays(group: GroupRecord): number | undefined {
    return group.due_date === null ? undefined : slaDaysOf(group.tier_since, group.due_date);
  }

  draft(group: GroupRecord, members: readonly MemberRecord[]): TicketDraft {
    const moreLink = this.routing.detailUrl(group.group_key);
    const common = {
      idempotencyKey: group.idempotency_key,
      target: group.target,
      tier: group.tier,
      ...(group.due_date !== null ? { dueDate: group.due_date } : {}),
      ...(moreLink !== undefined ? { moreLink } : {}),
    };
    if (group.kind === 'remediation-failure' && group.remediation !== null) {
      const event = group.remediation;
      return {
        ...common,
        summary: remediationSummary(event),
        body: remediationDocument(event),
        facts: {
          groupKey: group.group_key,
          tier: group.tier,
          assetId: event.asset.id,
          ...((event.team ?? event.asset.team) ? { team: (event.team ?? event.asset.team)! } : {}),
          findingCount: 1,
        },
      };
    }
    const summaries: MemberSummary[] = members.flatMap((member) =>
      member.summary === null ? [] : [{ ...member.summary, state: member.state }],
    );
    const slaDays = this.slaDays(group);
    const view: GroupView = {
      groupKey: group.group_key,
      tier: group.tier,
      ...(group.due_date !== null ? { dueDate: group.due_date } : {}),
      ...(slaDays !== undefined ? { slaDays } : {}),
      asset: group.asset,
      members: summaries,
    };
    const content = groupDocument(view);
    const accepted = acceptanceBlocks(group.acceptances);
    const body = accepted.length > 0 ? documentOf(...accepted, ...content.blocks) : content;
    const acceptedLabel = this.routing.acceptedLabel();
    const target =
      accepted.length > 0
        ? { ...group.target, labels: [...group.target.labels, acceptedLabel] }
        : group.target;
    const open = summaries.filter((summary) => summary.state === 'open');
    const score = Math.max(0, ...open.map((summary) => summary.score));
    return {
      ...common,
      target,
      ...(accepted.length === 0 ? { removeLabels: [acceptedLabel] } : {}),
      summary: groupSummary(view),
      body:
        group.generation > 1
          ? documentOf(
              paragraph(
                text(
                  'This ticket replaces an earlier one for the same findings that can no longer be reopened.',
                ),
              ),
              ...body.blocks,
            )
          : body,
      facts: {
        groupKey: group.group_key,
        tier: group.tier,
        score,
        assetId: group.asset.id,
        ...(group.asset.team !== undefined ? { team: group.asset.team } : {}),
        findingCount: open.length,
      },
    };
  }

  /** Identifies content: a ticket whose last written content has this hash needs no update. */
  static hash(draft: TicketDraft): string {
    return createHash('sha256')
      .update(
        JSON.stringify({
          summary: draft.summary,
          body: draft.body,
          tier: draft.tier,
          dueDate: draft.dueDate ?? null,
          labels: draft.target.labels,
        }),
      )
      .digest('hex');
  }
}
