import { defaultPolicySnapshot, type PolicySnapshot } from '../policy-snapshot';
import { applyChange, setTierPaused } from './apply-change';
import { assessChange, type ChangeAssessment } from './assess-change';
import { PolicyChange } from './policy-change';
import {
  checkApproval,
  checkPropose,
  checkRejection,
  expiryOf,
  rejectionState,
  ttlRefusal,
  type PendingRequest,
} from './proposal-rules';
import { acceptanceLapse, checkAcceptanceExpiry } from './risk-acceptance-rules';

const at = new Date('2026-03-01T10:00:00Z');

function snapshotWith(edit: (s: PolicySnapshot) => PolicySnapshot = (s) => s): PolicySnapshot {
  return edit({ ...defaultPolicySnapshot(), loaded: true });
}

function assess(snapshot: PolicySnapshot, change: unknown): ChangeAssessment {
  const result = assessChange(snapshot, PolicyChange.parse(change));
  if (!result.ok) throw new Error(`expected an assessment, got ${result.code}: ${result.reason}`);
  return result.assessment;
}

describe('the two-person rule', () => {
  const defaults = snapshotWith();
  const on = (tier: 'critical' | 'high' | 'medium' | 'low'): PolicySnapshot =>
    snapshotWith((s) => ({
      ...s,
      tiers: { ...s.tiers, [tier]: { ...s.tiers[tier], mode: 'on' } },
    }));

  it.each(['critical', 'high', 'medium'] as const)(
    'raising %s needs a second person, whether to dry-run or on',
    (tier) => {
      for (const mode of ['dry-run', 'on'] as const) {
        const assessment = assess(defaults, { kind: 'tier', tier, mode });
        expect(assessment.approval).toBe('second-person');
        expect(assessment.changes).toEqual([
          { field: 'mode', from: 'off', to: mode, direction: 'raises' },
        ]);
        expect(assessment.rationale).toMatch(/second person with the approver role/);
      }
    },
  );

  it('raising low needs one admin only', () => {
    const assessment = assess(defaults, { kind: 'tier', tier: 'low', mode: 'on' });
    expect(assessment.approval).toBe('immediate');
    expect(assessment.key).toBe('tier:low');
  });

  it.each(['critical', 'high', 'medium', 'low'] as const)(
    'lowering %s to off applies at once',
    (tier) => {
      const assessment = assess(on(tier), { kind: 'tier', tier, mode: 'off' });
      expect(assessment.approval).toBe('immediate');
      expect(assessment.changes[0]).toMatchObject({ from: 'on', to: 'off', direction: 'lowers' });
    },
  );

  it('treats a larger budget as raising and a smaller one as lowering', () => {
    expect(
      assess(defaults, { kind: 'tier', tier: 'high', budgets: { patchesPerHour: 5 } }).approval,
    ).toBe('immediate');
    const raised = assess(defaults, {
      kind: 'tier',
      tier: 'high',
      budgets: { maxInFlight: 50 },
    });
    expect(raised.approval).toBe('second-person');
    expect(raised.changes).toEqual([
      { field: 'budgets.maxInFlight', from: 3, to: 50, direction: 'raises' },
    ]);
  });

  it('judges a mixed change by what it raises', () => {
    const assessment = assess(on('high'), {
      kind: 'tier',
      tier: 'high',
      mode: 'dry-run',
      budgets: { patchesPerHour: 100 },
    });
    expect(assessment.approval).toBe('second-person');
    expect(assessment.changes.map((c) => c.direction)).toEqual(['lowers', 'raises']);
  });

  it('engaging the kill switch is immediate; releasing it needs a second person', () => {
    expect(assess(defaults, { kind: 'global', killSwitch: true }).approval).toBe('immediate');
    const engaged = snapshotWith((s) => ({ ...s, global: { ...s.global, killSwitch: true } }));
    const release = assess(engaged, { kind: 'global', killSwitch: false });
    expect(release.approval).toBe('second-person');
    expect(release.changes[0]).toMatchObject({ field: 'killSwitch', direction: 'raises' });
  });

  it('adding freeze windows or deny entries lowers; removing any raises', () => {
    const window = {
      start: '2026-03-02T00:00:00Z',
      end: '2026-03-03T00:00:00Z',
      reason: 'release freeze',
      assets: [],
    };
    expect(assess(defaults, { kind: 'global', freezeWindows: [window] }).approval).toBe(
      'immediate',
    );
    expect(assess(defaults, { kind: 'global', denyList: ['payments-*'] }).approval).toBe(
      'immediate',
    );
    const held = snapshotWith((s) => ({
      ...s,
      global: { ...s.global, freezeWindows: [window], denyList: ['payments-*', 'core'] },
    }));
    expect(assess(held, { kind: 'global', freezeWindows: [] }).approval).toBe('second-person');
    expect(assess(held, { kind: 'global', denyList: ['core'] }).approval).toBe('second-person');
    expect(
      assess(held, { kind: 'global', denyList: ['payments-*', 'core', 'ledger'] }).approval,
    ).toBe('immediate');
  });

  it('loosening the promotion gate needs a second person; tightening does not', () => {
    // Defaults: test tolerates high, prod tolerates medium.
    expect(assess(defaults, { kind: 'global', gate: { prod: 'high' } }).approval).toBe(
      'second-person',
    );
    expect(assess(defaults, { kind: 'global', gate: { prod: 'low' } }).approval).toBe('immediate');
    expect(assess(defaults, { kind: 'global', gate: { test: 'none' } }).approval).toBe('immediate');
  });

  it('refuses a change that changes nothing, and budgets that contradict each other', () => {
    expect(
      assessChange(defaults, PolicyChange.parse({ kind: 'tier', tier: 'low', mode: 'off' })),
    ).toMatchObject({ ok: false, code: 'no-change' });
    expect(
      assessChange(
        defaults,
        PolicyChange.parse({ kind: 'tier', tier: 'low', budgets: { perTeamPerHour: 11 } }),
      ),
    ).toMatchObject({ ok: false, code: 'invalid-result', reason: /perTeamPerHour \(11\)/ });
    expect(
      assessChange(
        defaults,
        PolicyChange.parse({ kind: 'tier', tier: 'low', budgets: { perTeamInFlight: 4 } }),
      ),
    ).toMatchObject({ ok: false, code: 'invalid-result', reason: /perTeamInFlight \(4\)/ });
  });

  it('compares a first per-team in-flight budget with the tier-wide one it replaces', () => {
    // Absent, a team may have the tier's whole maxInFlight (3 by default) in flight.
    expect(
      assess(defaults, { kind: 'tier', tier: 'high', budgets: { perTeamInFlight: 1 } }),
    ).toMatchObject({
      approval: 'immediate',
      changes: [{ field: 'budgets.perTeamInFlight', from: 3, to: 1, direction: 'lowers' }],
    });
  });
});

describe('proposal input', () => {
  it.each([
    [{ kind: 'tier', tier: 'info', mode: 'on' }, 'tier'],
    [{ kind: 'tier', tier: 'urgent', mode: 'on' }, 'tier'],
    [{ kind: 'tier', tier: 'low', mode: 'maybe' }, 'mode'],
    [{ kind: 'tier', tier: 'low', budgets: { patchesPerHour: -1 } }, 'budgets.patchesPerHour'],
    [{ kind: 'tier', tier: 'low', budgets: { patchesPerHour: 1.5 } }, 'budgets.patchesPerHour'],
    [{ kind: 'tier', tier: 'low', budgets: { perHour: 3 } }, 'budgets'],
    [{ kind: 'tier', tier: 'low', paused: false }, ''],
    [
      {
        kind: 'global',
        freezeWindows: [
          { start: '2026-03-02T00:00:00Z', end: '2026-03-01T00:00:00Z', reason: 'x', assets: [] },
        ],
      },
      'freezeWindows.0.end',
    ],
  ])('refuses %j naming %s', (input, where) => {
    const parsed = PolicyChange.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(where);
  });
});

describe('applying a decided change', () => {
  it('keeps the other fields, bumps the version and records who decided', () => {
    const before = snapshotWith();
    const next = applyChange(
      before,
      PolicyChange.parse({ kind: 'tier', tier: 'high', mode: 'on', budgets: { maxInFlight: 1 } }),
      { at, decidedBy: ['alice', 'bob'], proposalId: 'prp-1' },
    );
    expect(next).toEqual({
      ...before.tiers.high,
      mode: 'on',
      budgets: { ...before.tiers.high.budgets, maxInFlight: 1 },
      version: 1,
      updatedAt: at.toISOString(),
      decidedBy: ['alice', 'bob'],
      proposalId: 'prp-1',
    });
  });

  it('drops a previous proposal id and replaces global lists whole', () => {
    const before = snapshotWith((s) => ({
      ...s,
      global: { ...s.global, version: 4, proposalId: 'prp-old', denyList: ['a'] },
    }));
    const next = applyChange(before, PolicyChange.parse({ kind: 'global', denyList: ['b'] }), {
      at,
      decidedBy: ['alice'],
    });
    expect(next).toMatchObject({
      kind: 'global',
      version: 5,
      denyList: ['b'],
      decidedBy: ['alice'],
    });
    expect(next).not.toHaveProperty('proposalId');
  });

  it('pauses and resumes a tier without touching its mode', () => {
    const before = snapshotWith((s) => ({
      ...s,
      tiers: { ...s.tiers, low: { ...s.tiers.low, mode: 'on', version: 2 } },
    }));
    const paused = setTierPaused(before, 'low', true, { at, decidedBy: ['auto-patcher'] });
    expect(paused).toMatchObject({ mode: 'on', paused: true, version: 3 });
  });
});

describe('approvals', () => {
  const roles = (...r: string[]): ReadonlySet<string> => new Set(r);
  const pending: PendingRequest & { baseVersion: number } = {
    state: 'pending',
    proposedBy: 'alice',
    expiresAt: expiryOf(at),
    approval: 'second-person',
    baseVersion: 0,
  };
  const later = new Date(at.getTime() + 3_600_000);

  it('lets a different approver approve', () => {
    expect(
      checkApproval(pending, { id: 'bob', roles: roles('approver') }, later, 0),
    ).toBeUndefined();
  });

  it('never lets the proposer approve, whatever roles they hold', () => {
    expect(
      checkApproval(pending, { id: 'alice', roles: roles('admin', 'approver') }, later, 0),
    ).toMatchObject({ code: 'self-approval' });
  });

  it('refuses someone without the approver role', () => {
    expect(checkApproval(pending, { id: 'carol', roles: roles('admin') }, later, 0)).toMatchObject({
      code: 'not-approver',
    });
  });

  it('refuses an expired, a decided, a stale and an immediate proposal', () => {
    const bob = { id: 'bob', roles: roles('approver') };
    expect(checkApproval(pending, bob, expiryOf(at), 0)).toMatchObject({ code: 'expired' });
    // Once the expiry timer has recorded it, the answer is the same.
    expect(checkApproval({ ...pending, state: 'expired' }, bob, later, 0)).toMatchObject({
      code: 'expired',
    });
    expect(checkApproval({ ...pending, state: 'rejected' }, bob, later, 0)).toMatchObject({
      code: 'not-pending',
    });
    expect(checkApproval(pending, bob, later, 1)).toMatchObject({ code: 'stale' });
    expect(checkApproval({ ...pending, approval: 'immediate' }, bob, later, 0)).toMatchObject({
      code: 'no-approval-needed',
    });
  });

  it('expires a day after proposing by default and bounds other lifetimes', () => {
    expect(expiryOf(at).toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(ttlRefusal(60_000)).toMatch(/between/);
    expect(ttlRefusal(8 * 24 * 3_600_000)).toMatch(/between/);
    expect(ttlRefusal(3_600_000)).toBeUndefined();
  });

  it('lets an approver reject and the proposer withdraw, nobody else', () => {
    expect(checkRejection(pending, { id: 'bob', roles: roles('approver') }, later)).toBeUndefined();
    expect(rejectionState(pending, { id: 'bob', roles: roles('approver') })).toBe('rejected');
    expect(checkRejection(pending, { id: 'alice', roles: roles('admin') }, later)).toBeUndefined();
    expect(rejectionState(pending, { id: 'alice', roles: roles('admin') })).toBe('withdrawn');
    expect(checkRejection(pending, { id: 'carol', roles: roles('admin') }, later)).toMatchObject({
      code: 'not-yours',
    });
  });

  it('lets only admins propose', () => {
    expect(checkPropose({ id: 'a', roles: roles('admin') })).toBeUndefined();
    expect(checkPropose({ id: 'o', roles: roles('operator', 'approver') })).toMatchObject({
      code: 'not-admin',
    });
  });
});

describe('risk acceptances', () => {
  it('needs an expiry ahead and within a year', () => {
    expect(checkAcceptanceExpiry(new Date('2026-02-01T00:00:00Z'), at)).toMatchObject({
      reason: /future/,
    });
    expect(checkAcceptanceExpiry(new Date('2027-06-01T00:00:00Z'), at)).toMatchObject({
      reason: /365 days/,
    });
    expect(checkAcceptanceExpiry(new Date('2026-06-01T00:00:00Z'), at)).toBeUndefined();
  });

  it('lapses on expiry or when the risk rises above the accepted tier', () => {
    const acceptance = {
      expiresAt: new Date('2026-04-01T00:00:00Z'),
      acceptedTier: 'medium' as const,
    };
    expect(acceptanceLapse(acceptance, at)).toBeUndefined();
    expect(acceptanceLapse(acceptance, at, 'medium')).toBeUndefined();
    expect(acceptanceLapse(acceptance, at, 'low')).toBeUndefined();
    expect(acceptanceLapse(acceptance, at, 'high')).toBe('risk-rose');
    expect(acceptanceLapse(acceptance, new Date('2026-04-01T00:00:00Z'))).toBe('expired');
  });
});
