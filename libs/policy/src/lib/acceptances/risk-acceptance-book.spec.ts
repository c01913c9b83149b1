import { EXAMPLE_FINDING, type RiskAcceptanceV1, ticketGroupKeys } from '@hum/contracts';
import { RiskAcceptanceBook } from './risk-acceptance-book';

const now = new Date('2026-12-01T00:00:00.000Z');
const finding = EXAMPLE_FINDING;
const subject = {
  fingerprint: finding.fingerprint,
  tier: 'high' as const,
  groupKeys: ticketGroupKeys(finding),
};

function acceptance(overrides: Partial<RiskAcceptanceV1> = {}): RiskAcceptanceV1 {
  return {
    id: 'acc-1',
    target: { kind: 'finding', fingerprint: finding.fingerprint },
    reason: 'not reachable',
    owner: 'payments',
    expiresAt: '2026-12-31T00:00:00.000Z',
    state: 'active',
    acceptedTier: 'high',
    proposedBy: 'alice',
    approvedBy: 'bob',
    decidedAt: '2026-11-21T12:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

describe('RiskAcceptanceBook', () => {
  it('covers a finding by an active acceptance of it, and nothing else', () => {
    const book = new RiskAcceptanceBook();
    expect(book.coverFor(subject, now)).toBeUndefined();
    book.apply('acc-1', acceptance());
    expect(book.coverFor(subject, now)?.id).toBe('acc-1');
    expect(
      book.coverFor({ ...subject, fingerprint: 'f'.repeat(64), groupKeys: [] }, now),
    ).toBeUndefined();
  });

  it('covers every finding of an accepted ticket group', () => {
    const book = new RiskAcceptanceBook();
    const groupKey = ticketGroupKeys(finding)[1]!;
    expect(groupKey).toMatch(/^asset-vuln:/);
    book.apply('acc-2', acceptance({ id: 'acc-2', target: { kind: 'group', groupKey } }));
    expect(book.coverFor(subject, now)?.id).toBe('acc-2');
    const other = { ...subject, fingerprint: 'e'.repeat(64), groupKeys: ['asset-vuln:x:CVE-1'] };
    expect(book.coverFor(other, now)).toBeUndefined();
  });

  it('lapses at expiry and when the risk rises above the accepted tier', () => {
    const book = new RiskAcceptanceBook();
    book.apply('acc-1', acceptance());
    expect(book.coverFor(subject, new Date('2026-12-31T00:00:00.000Z'))).toBeUndefined();
    expect(book.coverFor({ ...subject, tier: 'critical' }, now)).toBeUndefined();
    expect(book.coverFor({ ...subject, tier: 'medium' }, now)?.id).toBe('acc-1');
  });

  it('follows revocation, lapse records and tombstones; ignores an older version arriving late', () => {
    const book = new RiskAcceptanceBook();
    book.apply('acc-1', acceptance({ version: 2 }));
    book.apply('acc-1', acceptance({ version: 1, state: 'revoked' }));
    expect(book.coverFor(subject, now)?.id).toBe('acc-1');
    book.apply('acc-1', acceptance({ version: 3, state: 'lapsed' }));
    expect(book.coverFor(subject, now)).toBeUndefined();
    book.apply('acc-1', acceptance({ version: 4 }));
    expect(book.coverFor(subject, now)?.id).toBe('acc-1');
    book.apply('acc-1', null);
    expect(book.coverFor(subject, now)).toBeUndefined();
    expect(book.size()).toBe(0);
  });
});
