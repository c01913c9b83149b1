import { createHash } from 'node:crypto';
import { EXAMPLE_FINDING, type FindingV1 } from '@hum/contracts';
import { defaultPolicySnapshot, type PolicySnapshot } from '../policy-snapshot';
import { replayDecisions, type ReplayItem } from './replay';

const START = Date.parse('2026-11-20T08:00:00.000Z');
const MINUTE = 60_000;

function item(
  n: number,
  team: string,
  minute: number,
  tier: ReplayItem['tier'] = 'low',
): ReplayItem {
  const finding: FindingV1 = {
    ...EXAMPLE_FINDING,
    fingerprint: createHash('sha256').update(`f${n}`).digest('hex'),
    asset: { ...EXAMPLE_FINDING.asset, id: `svc-${n}`, team },
    component: {
      name: `pkg-${n}`,
      version: '1.0.0',
      ecosystem: 'npm',
      fixedVersions: ['1.0.1'],
    },
  };
  return { finding, tier, at: new Date(START + minute * MINUTE) };
}

function lowOn(budgets: {
  patchesPerHour: number;
  maxInFlight: number;
  perTeamPerHour: number;
  perTeamInFlight?: number;
}): PolicySnapshot {
  const base = defaultPolicySnapshot();
  return {
    loaded: true,
    global: base.global,
    tiers: { ...base.tiers, low: { ...base.tiers.low, mode: 'on', budgets } },
  };
}

describe('replayDecisions (what-if)', () => {
  it('counts what a policy would have patched, per team, and which budgets bound', () => {
    // Ten findings a minute apart: five for payments, five for search.
    const items = Array.from({ length: 10 }, (_, n) =>
      item(n, n % 2 === 0 ? 'payments' : 'search', n),
    );
    const result = replayDecisions(items, {
      policy: lowOn({ patchesPerHour: 6, maxInFlight: 10, perTeamPerHour: 2 }),
    });
    expect(result.byTeam).toEqual({
      payments: { apply: 2, plan: 0, skip: 3 },
      search: { apply: 2, plan: 0, skip: 3 },
    });
    expect(result.total).toEqual({ apply: 4, plan: 0, skip: 6 });
    expect(result.budgetsBound).toEqual({ 'budget-team-hourly': 6 });
  });

  it('frees the hourly budget after an hour and the in-flight budget after the assumed duration', () => {
    const items = [item(1, 't', 0), item(2, 't', 5), item(3, 't', 11), item(4, 't', 61)];
    const result = replayDecisions(items, {
      policy: lowOn({ patchesPerHour: 2, maxInFlight: 1, perTeamPerHour: 10 }),
      assumedPatchDurationMs: 10 * MINUTE,
    });
    expect(result.decisions.map((d) => d.decision.outcome)).toEqual([
      'apply', // first
      'skip', // the first still in flight (5 < 10 minutes)
      'apply', // first done; one of two hourly used
      'apply', // minute 61: the first left the hour
    ]);
    expect(result.budgetsBound).toEqual({ 'budget-tier-in-flight': 1 });
  });

  it("holds a team's next patch while its last one is assumed in flight", () => {
    const items = [item(1, 'a', 0), item(2, 'a', 5), item(3, 'b', 6), item(4, 'a', 11)];
    const result = replayDecisions(items, {
      policy: lowOn({
        patchesPerHour: 10,
        maxInFlight: 10,
        perTeamPerHour: 10,
        perTeamInFlight: 1,
      }),
      assumedPatchDurationMs: 10 * MINUTE,
    });
    expect(result.decisions.map((d) => d.decision.outcome)).toEqual([
      'apply',
      'skip', // team a's first is still in flight
      'apply', // team b has its own slot
      'apply', // team a's first is done
    ]);
    expect(result.budgetsBound).toEqual({ 'budget-team-in-flight': 1 });
  });

  it('replays a proposed dry-run as plans, and never counts a finding twice', () => {
    const base = lowOn({ patchesPerHour: 100, maxInFlight: 100, perTeamPerHour: 100 });
    const policy: PolicySnapshot = {
      ...base,
      tiers: { ...base.tiers, low: { ...base.tiers.low, mode: 'dry-run' } },
    };
    const again = item(1, 't', 30);
    const result = replayDecisions([item(1, 't', 0), again, item(2, 't', 1, 'info')], { policy });
    expect(result.decisions.map((d) => d.decision.outcome)).toEqual(['plan', 'ignore', 'skip']);
    expect(result.reasons).toEqual({ 'already-applied': 1 });
  });
});
