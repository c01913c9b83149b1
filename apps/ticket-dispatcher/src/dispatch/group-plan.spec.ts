import { type ClassifiedFindingV1, EXAMPLE_CLASSIFIED } from '@hum/contracts';
import type { ResolvedRoute } from '@hum/ticketing';
import { GroupPlanner, GroupWork, type PendingComment } from './group-plan';
import { DEFAULT_SLA } from './sla';

const ROUTE: ResolvedRoute = {
  name: 'payments',
  provider: 'jira-cloud',
  grouping: 'asset-vulnerability',
  target: { project: 'SEC', issueType: 'Bug', labels: [], components: [] },
};
const GROUP_KEY = 'asset-vuln:payments-api:CVE-2021-44228';

function classified(
  fingerprint: string,
  detectedAt: string,
  overrides: Partial<ClassifiedFindingV1['lifecycle']> = {},
): ClassifiedFindingV1 {
  return {
    ...EXAMPLE_CLASSIFIED,
    finding: { ...EXAMPLE_CLASSIFIED.finding, fingerprint, title: `finding ${fingerprint}` },
    lifecycle: {
      ...EXAMPLE_CLASSIFIED.lifecycle,
      firstSeenAt: detectedAt,
      lastSeenAt: detectedAt,
      ...overrides,
    },
  };
}

/** A group whose ticket was raised at `createdAt` from finding `first`, as a later batch sees it. */
function existingGroup(planner: GroupPlanner, createdAt: string): GroupWork {
  const first = classified('first', '2026-11-20T10:00:00.000Z');
  const group = planner.newFindingsGroup(GROUP_KEY, ROUTE, first, new Date(createdAt));
  group.status = 'open';
  group.ticket_key = 'SEC-1';
  const member = {
    fingerprint: 'first',
    groupKey: GROUP_KEY,
    state: 'open' as const,
    tier: first.classification.tier,
    revision: 1,
    summary: null,
  };
  return new GroupWork(group, [member], false, '10');
}

const texts = (comments: readonly PendingComment[]): string[] =>
  comments.map((comment) => JSON.stringify(comment.body));

describe('GroupPlanner.applyClassified: a finding joining a group', () => {
  const planner = new GroupPlanner(DEFAULT_SLA);

  it('adds a finding of the scans that raised the ticket to the description, without a comment', () => {
    const work = existingGroup(planner, '2026-11-20T10:00:05.000Z');

    const applied = planner.applyClassified(
      work,
      classified('second', '2026-11-20T10:00:00.000Z'),
      '11',
    );

    expect(applied).toBe(true);
    expect([...work.members.keys()]).toEqual(['first', 'second']);
    expect(work.wantUpdate).toBe(true);
    expect(work.comments).toEqual([]);
  });

  it('comments once on a finding detected after the ticket was raised', () => {
    const work = existingGroup(planner, '2026-11-20T10:00:05.000Z');
    const later = classified('second', '2026-11-21T09:00:00.000Z');

    planner.applyClassified(work, later, '11');
    // A redelivery of the same revision changes nothing.
    expect(planner.applyClassified(work, later, '11')).toBe(false);

    expect(work.comments).toHaveLength(1);
    expect(work.comments[0]).toMatchObject({ key: 'rev:second:1', onlyIfExisting: true });
    expect(texts(work.comments)[0]).toContain('Another finding joined this ticket');
    expect(texts(work.comments)[0]).toContain('finding second');
  });

  it('does not comment on findings joining a group raised in the same batch', () => {
    const first = classified('first', '2026-11-21T09:00:00.000Z');
    const group = planner.newFindingsGroup(GROUP_KEY, ROUTE, first, new Date('2026-11-20'));
    const work = new GroupWork(group, [], true, '10');

    planner.applyClassified(work, first, '10');
    planner.applyClassified(work, classified('second', '2026-11-21T09:00:00.000Z'), '11');

    expect(work.members.size).toBe(2);
    expect(work.comments).toEqual([]);
  });

  it('still comments when a member is re-tiered, whenever it was detected', () => {
    const work = existingGroup(planner, '2026-11-20T10:00:05.000Z');

    planner.applyClassified(
      work,
      {
        ...classified('first', '2026-11-20T10:00:00.000Z', {
          revision: 2,
          change: 'tier-changed',
          previousTier: 'high',
        }),
        classification: { ...EXAMPLE_CLASSIFIED.classification, tier: 'medium' },
      },
      '12',
    );

    expect(texts(work.comments)).toEqual([
      expect.stringContaining('Risk tier changed from HIGH to MEDIUM'),
    ]);
  });
});
