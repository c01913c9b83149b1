import {
  type ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
  type FindingResolvedV1,
} from '@hum/contracts';
import { defaultPolicySnapshot } from '@hum/policy';
import type { ResolvedRoute } from '@hum/ticketing';
import { GroupPlanner, GroupWork, type PendingComment } from './group-plan';
import { DEFAULT_SLA, slaFromPolicy } from './sla';

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

describe('GroupPlanner: SLA days from the policy, not the defaults', () => {
  // As an admin might set them on policy.state: far from the defaults (7/30/90/180).
  const days = { critical: 2, high: 10, medium: 45, low: 120 } as const;
  const policy = defaultPolicySnapshot();
  const custom = slaFromPolicy(() => ({
    ...policy,
    loaded: true,
    tiers: {
      critical: { ...policy.tiers.critical, slaDays: days.critical },
      high: { ...policy.tiers.high, slaDays: days.high },
      medium: { ...policy.tiers.medium, slaDays: days.medium },
      low: { ...policy.tiers.low, slaDays: days.low },
    },
  }));
  const planner = new GroupPlanner(custom);

  it("dates a new group's ticket by its tier's configured days from when the finding was first seen", () => {
    const event = classified('first', '2026-11-20T10:00:00.000Z');
    const group = planner.newFindingsGroup(GROUP_KEY, ROUTE, event, new Date('2026-11-21'));
    // EXAMPLE_CLASSIFIED is critical: 2 days, not the default 7.
    expect(group.tier).toBe('critical');
    expect(group.due_date).toBe('2026-11-22');
  });

  it('moves the due date by the new tier’s configured days on a re-tier', () => {
    const work = existingGroup(planner, '2026-11-20T10:00:05.000Z');
    planner.applyClassified(
      work,
      {
        ...classified('first', '2026-11-20T10:00:00.000Z', {
          revision: 2,
          change: 'tier-changed',
          previousTier: 'critical',
        }),
        classification: {
          ...EXAMPLE_CLASSIFIED.classification,
          tier: 'medium',
          classifiedAt: '2026-12-01T08:00:00.000Z',
        },
      },
      '12',
    );
    expect(work.group.tier).toBe('medium');
    // 45 days from the re-tier, not 90.
    expect(work.group.due_date).toBe('2027-01-15');
  });
});

describe('GroupPlanner.applyResolved: the ticket resolves only with its last open finding', () => {
  const planner = new GroupPlanner(DEFAULT_SLA);
  const resolvedEvent = (fingerprint: string, revision: number): FindingResolvedV1 => ({
    fingerprint,
    asset: EXAMPLE_CLASSIFIED.finding.asset,
    scope: { assetId: EXAMPLE_CLASSIFIED.finding.asset.id, tool: 'trivy' },
    lastTier: EXAMPLE_CLASSIFIED.classification.tier,
    title: `finding ${fingerprint}`,
    reason: 'absent-from-complete-scan',
    resolvedAt: '2026-11-25T10:00:00.000Z',
    revision,
  });

  it('keeps the ticket open while one of two findings is still open, then resolves it', () => {
    const work = existingGroup(planner, '2026-11-20T10:00:05.000Z');
    planner.applyClassified(work, classified('second', '2026-11-20T10:00:00.000Z'), '11');

    expect(planner.applyResolved(work, resolvedEvent('first', 2), '12')).toBe(true);
    expect(work.resolveAt).toBeUndefined();
    expect(work.openMembers().map((member) => member.fingerprint)).toEqual(['second']);
    expect(work.wantUpdate).toBe(true);

    expect(planner.applyResolved(work, resolvedEvent('second', 2), '13')).toBe(true);
    expect(work.resolveAt).toBe('13');
    expect(work.openMembers()).toEqual([]);
  });
});
