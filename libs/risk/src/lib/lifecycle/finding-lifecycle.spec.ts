import {
  decideReclassification,
  decideResolution,
  decideSighting,
  type InventoryState,
} from './finding-lifecycle';

const open: InventoryState = { state: 'open', tier: 'high', kev: false, revision: 3 };

describe('decideSighting', () => {
  it('creates a new finding at revision 1', () => {
    expect(decideSighting(undefined, 'low')).toEqual({
      kind: 'create',
      emit: { state: 'new', change: 'new', revision: 1 },
    });
  });

  it('emits nothing for a repeat sighting with the same tier', () => {
    expect(decideSighting(open, 'high')).toEqual({ kind: 'touch' });
  });

  it('announces a tier change with the previous tier and the next revision', () => {
    expect(decideSighting(open, 'critical')).toEqual({
      kind: 'update',
      emit: { state: 'open', change: 'tier-changed', previousTier: 'high', revision: 4 },
    });
  });

  it('reopens a resolved finding, whatever its tier', () => {
    expect(decideSighting({ ...open, state: 'resolved' }, 'high')).toEqual({
      kind: 'update',
      emit: { state: 'reopened', change: 'reopened', revision: 4 },
    });
    expect(decideSighting({ ...open, state: 'resolved' }, 'low')).toMatchObject({
      emit: { change: 'reopened', previousTier: 'high' },
    });
  });
});

describe('decideReclassification', () => {
  it('announces when the tier moves or KEV membership changes, not otherwise', () => {
    expect(decideReclassification(open, { tier: 'high', kev: false })).toEqual({ kind: 'touch' });
    expect(decideReclassification(open, { tier: 'critical', kev: true })).toMatchObject({
      emit: { change: 'intel-changed', previousTier: 'high', revision: 4 },
    });
    expect(decideReclassification(open, { tier: 'high', kev: true })).toEqual({
      kind: 'update',
      emit: { state: 'open', change: 'intel-changed', revision: 4 },
    });
  });

  it('leaves resolved findings alone', () => {
    expect(
      decideReclassification({ ...open, state: 'resolved' }, { tier: 'critical', kev: true }),
    ).toEqual({ kind: 'touch' });
  });
});

describe('decideResolution (mass-closure breaker)', () => {
  const breaker = { maxShare: 0.5, minOpen: 10 };

  it('resolves what a complete scan no longer shows', () => {
    expect(decideResolution(20, ['a', 'b'], breaker)).toEqual({
      kind: 'resolve',
      fingerprints: ['a', 'b'],
    });
  });

  it('resolves nothing when the share is above the limit', () => {
    const absent = Array.from({ length: 11 }, (_, i) => `f${i}`);
    expect(decideResolution(20, absent, breaker)).toEqual({
      kind: 'blocked',
      wouldResolve: 11,
      open: 20,
      share: 0.55,
    });
  });

  it('allows exactly the limit, and small scopes below minOpen', () => {
    expect(
      decideResolution(
        20,
        Array.from({ length: 10 }, (_, i) => `f${i}`),
        breaker,
      ).kind,
    ).toBe('resolve');
    expect(decideResolution(3, ['a', 'b', 'c'], breaker).kind).toBe('resolve');
  });
});
