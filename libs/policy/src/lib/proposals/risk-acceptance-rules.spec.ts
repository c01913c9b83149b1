import { EXAMPLE_CLASSIFIED } from '@hum/contracts';
import { acceptanceLapse, kevListed, riskRise } from './risk-acceptance-rules';

const now = new Date('2026-03-01T00:00:00Z');
const expiresAt = new Date('2026-04-01T00:00:00Z');

describe('when a risk acceptance lapses because the risk rose', () => {
  it('lapses an acceptance at critical when the finding enters KEV, with no tier to rise to', () => {
    const accepted = { expiresAt, acceptedTier: 'critical' as const, acceptedInKev: false };
    expect(riskRise(accepted, { tier: 'critical', kev: false })).toBeUndefined();
    expect(riskRise(accepted, { tier: 'critical', kev: true })).toBe('kev');
    expect(acceptanceLapse(accepted, now, { tier: 'critical', kev: true })).toBe('risk-rose');
    expect(acceptanceLapse(accepted, now, { tier: 'critical', kev: false })).toBeUndefined();
  });

  it('does not lapse one decided while the finding was already in KEV', () => {
    const accepted = { expiresAt, acceptedTier: 'high' as const, acceptedInKev: true };
    expect(acceptanceLapse(accepted, now, { tier: 'high', kev: true })).toBeUndefined();
    // A tier rise still counts, whatever KEV says.
    expect(riskRise(accepted, { tier: 'critical', kev: true })).toBe('tier');
  });

  it('checks KEV only when both sides know it', () => {
    const unknownBaseline = { expiresAt, acceptedTier: 'high' as const };
    expect(acceptanceLapse(unknownBaseline, now, { tier: 'high', kev: true })).toBeUndefined();
    const notListed = { ...unknownBaseline, acceptedInKev: false };
    expect(acceptanceLapse(notListed, now, { tier: 'high' })).toBeUndefined();
    // A bare tier (what the dispatcher and the classifier's gate pass) still lapses on a rise.
    expect(acceptanceLapse(notListed, now, 'critical')).toBe('risk-rose');
    expect(acceptanceLapse(notListed, now, 'medium')).toBeUndefined();
  });

  it('reports expiry before any rise', () => {
    const accepted = { expiresAt, acceptedTier: 'low' as const, acceptedInKev: false };
    expect(acceptanceLapse(accepted, expiresAt, { tier: 'critical', kev: true })).toBe('expired');
  });
});

describe('kevListed', () => {
  const withKev = (input: unknown) => ({
    factors: [
      { name: 'cvss', input: 'CVSS:3.1/AV:N' },
      { name: 'kev', input },
    ],
  });

  it("reads the classifier's kev factor: listed, not listed, or no CVE to list", () => {
    expect(kevListed(EXAMPLE_CLASSIFIED.classification)).toBe(true);
    expect(kevListed(withKev(true))).toBe(true);
    expect(kevListed(withKev(false))).toBe(false);
    expect(kevListed(withKev(null))).toBe(false);
  });

  it('says nothing when the classification has no kev factor', () => {
    expect(kevListed({ factors: [{ name: 'cvss', input: 9.8 }] })).toBeUndefined();
  });
});
