import { EXAMPLE_RISK_ACCEPTANCE, type RiskAcceptanceV1 } from '@hum/contracts';
import type { TicketDocument } from '../content/document';
import { plainTextRenderer } from '../content/render';
import {
  AcceptanceIndex,
  acceptanceBlocks,
  acceptanceChange,
  acceptancesHolding,
  acceptedComment,
  lapsedComment,
  lapseReason,
  targetKeyOf,
} from './risk-acceptance-marks';

const renderPlain = (document: TicketDocument): string => plainTextRenderer.render(document);
const now = new Date('2026-12-01T00:00:00.000Z');
const fp = (c: string): string => c.repeat(64);
const group = {
  groupKey: 'asset-vuln:payments-api:CVE-2021-44228',
  members: [
    { fingerprint: fp('a'), state: 'open' as const, tier: 'high' as const },
    { fingerprint: fp('b'), state: 'open' as const, tier: 'medium' as const },
  ],
};

function acceptance(overrides: Partial<RiskAcceptanceV1> = {}): RiskAcceptanceV1 {
  return {
    ...EXAMPLE_RISK_ACCEPTANCE,
    target: { kind: 'finding', fingerprint: fp('a') },
    ...overrides,
  };
}

describe('acceptancesHolding', () => {
  it('holds an active acceptance of a member finding or of the group itself', () => {
    const onFinding = acceptance({ id: 'acc-f' });
    const onGroup = acceptance({
      id: 'acc-g',
      target: { kind: 'group', groupKey: group.groupKey },
    });
    expect(acceptancesHolding(group, [onGroup, onFinding], now).map((m) => m.id)).toEqual([
      'acc-f',
      'acc-g',
    ]);
  });

  it('ignores acceptances of other findings and groups, and ones not active', () => {
    const candidates = [
      acceptance({ id: 'other', target: { kind: 'finding', fingerprint: fp('c') } }),
      acceptance({ id: 'other-group', target: { kind: 'group', groupKey: 'finding:x' } }),
      acceptance({ id: 'revoked', state: 'revoked' }),
      acceptance({ id: 'lapsed', state: 'lapsed' }),
    ];
    expect(acceptancesHolding(group, candidates, now)).toEqual([]);
  });

  it('stops holding at expiry and when the covered risk is above the accepted tier', () => {
    const expiring = acceptance({ expiresAt: '2026-12-01T00:00:00.000Z' });
    expect(acceptancesHolding(group, [expiring], now)).toEqual([]);
    const atMedium = acceptance({ acceptedTier: 'medium' });
    expect(acceptancesHolding(group, [atMedium], now)).toEqual([]);
    // A group is as risky as its highest open finding (high here).
    const groupAtMedium = acceptance({
      target: { kind: 'group', groupKey: group.groupKey },
      acceptedTier: 'medium',
    });
    expect(acceptancesHolding(group, [groupAtMedium], now)).toEqual([]);
    const resolvedHigh = {
      ...group,
      members: [{ ...group.members[0]!, state: 'resolved' as const }, group.members[1]!],
    };
    expect(acceptancesHolding(resolvedHigh, [groupAtMedium], now)).toHaveLength(1);
  });
});

describe('acceptanceChange', () => {
  const mark = acceptancesHolding(group, [acceptance()], now)[0]!;

  it('reports an acceptance newly holding and one no longer holding, with why', () => {
    expect(acceptanceChange([], [mark], () => undefined, now)).toEqual({
      accepted: [mark],
      lapsed: [],
    });
    const revoked = acceptance({ state: 'revoked', version: 2 });
    const change = acceptanceChange([mark], [], () => revoked, now);
    expect(change.accepted).toEqual([]);
    expect(change.lapsed).toEqual([{ mark, why: 'it was revoked' }]);
    expect(acceptanceChange([mark], [mark], () => acceptance(), now)).toEqual({
      accepted: [],
      lapsed: [],
    });
  });

  it('says why from the latest record, or from the clock and tier when it is still active', () => {
    expect(lapseReason(mark, acceptance({ state: 'expired' }), now)).toMatch(
      /expired on 2026-12-31/,
    );
    expect(lapseReason(mark, acceptance({ state: 'lapsed' }), now)).toMatch(/risk rose above/);
    // A lapse for KEV entry at the same tier: the record's own words, not a tier rise.
    expect(
      lapseReason(
        mark,
        acceptance({ state: 'lapsed', endedReason: 'risk rose: abc entered CISA KEV (tier high)' }),
        now,
      ),
    ).toBe('it lapsed: risk rose: abc entered CISA KEV (tier high)');
    expect(lapseReason(mark, undefined, now)).toBe('it was withdrawn');
    expect(lapseReason(mark, acceptance(), new Date('2027-01-01T00:00:00.000Z'))).toMatch(
      /expired on/,
    );
    expect(lapseReason(mark, acceptance(), now)).toMatch(/risk rose above the accepted tier HIGH/);
  });
});

describe('acceptance content', () => {
  const mark = acceptancesHolding(group, [acceptance()], now)[0]!;

  it('names who accepted, who approved, the owner, the reason and the expiry', () => {
    const textOf = renderPlain(acceptedComment(mark));
    expect(textOf).toContain('Risk accepted');
    expect(textOf).toContain('acc-12');
    expect(textOf).toContain('Proposed by alice, approved by bob');
    expect(textOf).toContain('Owner: payments');
    expect(textOf).toContain('until 2026-12-31T00:00:00.000Z');
    expect(textOf).toContain(EXAMPLE_RISK_ACCEPTANCE.reason);
    expect(textOf).toContain('stays open');
    expect(renderPlain({ blocks: acceptanceBlocks([mark]) })).toContain('approved by bob');
    expect(acceptanceBlocks([])).toEqual([]);
  });

  it('says a lapse and why', () => {
    const textOf = renderPlain(lapsedComment(mark, 'it was revoked'));
    expect(textOf).toContain('Risk acceptance lapsed');
    expect(textOf).toContain('it was revoked');
  });
});

describe('AcceptanceIndex', () => {
  it('keeps the latest version per id, finds it by target, and drops it on a tombstone', () => {
    const index = new AcceptanceIndex();
    expect(index.apply('acc-12', acceptance({ version: 2 }))).toEqual([
      targetKeyOf({ kind: 'finding', fingerprint: fp('a') }),
    ]);
    expect(index.apply('acc-12', acceptance({ version: 1, state: 'revoked' }))).toEqual([]);
    expect(index.candidates(group.groupKey, [fp('a')]).map((a) => a.state)).toEqual(['active']);
    expect(index.candidates(group.groupKey, [fp('b')])).toEqual([]);
    // Retargeted: both the old and the new target are touched.
    const moved = index.apply(
      'acc-12',
      acceptance({ version: 3, target: { kind: 'group', groupKey: group.groupKey } }),
    );
    expect(moved).toEqual([`finding:${fp('a')}`, `group:${group.groupKey}`]);
    expect(index.candidates(group.groupKey, [])).toHaveLength(1);
    expect(index.targets()).toEqual([`group:${group.groupKey}`]);
    expect(index.apply('acc-12', null)).toEqual([`group:${group.groupKey}`]);
    expect(index.size()).toBe(0);
    expect(index.get('acc-12')).toBeUndefined();
  });
});
