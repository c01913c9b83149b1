import type { RemediationMode, TierPolicyV1 } from '@hum/contracts';
import { defaultPolicySnapshot, type PolicySnapshot } from '../policy-snapshot';
import { backlogDisposition, backlogTransition, gateLevel } from './backlog';

function snapshot(
  mode: RemediationMode,
  options: { killSwitch?: boolean; paused?: boolean; loaded?: boolean } = {},
): PolicySnapshot {
  const base = defaultPolicySnapshot();
  const low: TierPolicyV1 = { ...base.tiers.low, mode, paused: options.paused ?? false };
  return {
    ...base,
    loaded: options.loaded ?? true,
    global: { ...base.global, killSwitch: options.killSwitch ?? false },
    tiers: { ...base.tiers, low },
  };
}

describe('gateLevel (how far a tier is open)', () => {
  it('follows the mode when nothing else closes the tier', () => {
    expect(gateLevel(snapshot('off'), 'low', false)).toBe(0);
    expect(gateLevel(snapshot('dry-run'), 'low', false)).toBe(1);
    expect(gateLevel(snapshot('on'), 'low', false)).toBe(2);
  });

  it('is closed under the kill switch, a pause of either kind, or a policy not read yet', () => {
    expect(gateLevel(snapshot('on', { killSwitch: true }), 'low', false)).toBe(0);
    expect(gateLevel(snapshot('on', { paused: true }), 'low', false)).toBe(0);
    expect(gateLevel(snapshot('on'), 'low', true)).toBe(0);
    expect(gateLevel(snapshot('on', { loaded: false }), 'low', false)).toBe(0);
    // Other tiers keep their own mode.
    expect(gateLevel(snapshot('on'), 'medium', false)).toBe(0);
  });
});

describe('backlogTransition', () => {
  it('starts a sweep on every raise: mode raised, kill switch released, tier resumed', () => {
    expect(backlogTransition(0, 1)).toBe('start');
    expect(backlogTransition(0, 2)).toBe('start');
    expect(backlogTransition(1, 2)).toBe('start');
    expect(backlogTransition(undefined, 2)).toBe('start');
  });

  it('stops on a drop and does nothing when the level holds', () => {
    expect(backlogTransition(2, 1)).toBe('stop');
    expect(backlogTransition(2, 0)).toBe('stop');
    expect(backlogTransition(1, 0)).toBe('stop');
    expect(backlogTransition(2, 2)).toBe('none');
    expect(backlogTransition(undefined, 0)).toBe('none');
  });
});

describe('backlogDisposition (a sweep decision: report it or keep it for later)', () => {
  it('reports applies, plans and skips for reasons that do not pass by themselves', () => {
    expect(backlogDisposition([])).toEqual({ disposition: 'decided', tierExhausted: false });
    expect(backlogDisposition(['no-fix-version'])).toEqual({
      disposition: 'decided',
      tierExhausted: false,
    });
    // A real obstacle next to a budget: the skip stands, reported once.
    expect(backlogDisposition(['asset-denied', 'budget-tier-hourly'])).toEqual({
      disposition: 'decided',
      tierExhausted: false,
    });
    expect(backlogDisposition(['asset-frozen', 'no-fix-version'])).toEqual({
      disposition: 'decided',
      tierExhausted: false,
    });
  });

  it('defers findings an open freeze window holds back, without ending the pass for others', () => {
    expect(backlogDisposition(['asset-frozen'])).toEqual({
      disposition: 'deferred',
      tierExhausted: false,
    });
    expect(backlogDisposition(['asset-frozen', 'budget-team-hourly'])).toEqual({
      disposition: 'deferred',
      tierExhausted: false,
    });
  });

  it('defers findings held back only by budgets; a tier-wide budget ends the pass', () => {
    expect(backlogDisposition(['budget-team-hourly'])).toEqual({
      disposition: 'deferred',
      tierExhausted: false,
    });
    // A team with a patch in flight waits; other teams' findings are still decided.
    expect(backlogDisposition(['budget-team-in-flight'])).toEqual({
      disposition: 'deferred',
      tierExhausted: false,
    });
    expect(backlogDisposition(['budget-tier-hourly', 'budget-team-hourly'])).toEqual({
      disposition: 'deferred',
      tierExhausted: true,
    });
    expect(backlogDisposition(['budget-tier-in-flight'])).toEqual({
      disposition: 'deferred',
      tierExhausted: true,
    });
  });

  it('defers when the gate closed under the sweep, which is then stopped', () => {
    expect(backlogDisposition(['kill-switch'])).toEqual({
      disposition: 'deferred',
      tierExhausted: true,
    });
    expect(backlogDisposition(['tier-off', 'budget-tier-hourly'])).toEqual({
      disposition: 'deferred',
      tierExhausted: true,
    });
  });
});
