import type { FindingV1, RiskFactor } from '@hum/contracts';
import { parseRiskPolicy, type RiskPolicy } from '../policy/risk-policy';
import { classifyFinding, type Classification } from './classify-finding';
import {
  aFinding,
  bundledPolicy,
  intelWith,
  kevEntry,
  NOW,
  readBundledPolicyText,
} from './testing/fixtures';

/** The bundled policy with its overrides replaced by `overrides` (YAML list items). */
function policyWithOverrides(overrides: string): RiskPolicy {
  const text = readBundledPolicyText();
  return parseRiskPolicy(
    `${text.slice(0, text.indexOf('\noverrides:'))}\noverrides:\n${overrides}`,
  );
}

const classify = (finding: FindingV1, policy: RiskPolicy, now = NOW): Classification =>
  classifyFinding(finding, { policy, intel: intelWith(), now });

const overrideFactors = (result: Classification): RiskFactor[] =>
  result.factors.filter((f) => f.name.startsWith('override:'));

const sum = (result: Classification): number =>
  result.factors.reduce((total, f) => total + Math.round(f.contribution * 10), 0) / 10;

// MEDIUM scores 53 (CVSS 5.3), HIGH 75 (CVSS 7.5) in the neutral context.
const MEDIUM = aFinding({
  cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' }],
});
const HIGH = aFinding();
const SECRET = aFinding({
  kind: 'secret',
  cvss: [],
  vulnerability: undefined,
  component: undefined,
  severity: { normalized: 'unknown' },
  rule: { id: 'generic.secrets.security.detected-aws-access-key' },
});

describe('overrides', () => {
  it('secrets-never-below-high raises a medium secret to high, at the high threshold', () => {
    const result = classify(SECRET, bundledPolicy());
    // 55 (unknown severity) + 10 (secret) = 65, medium; the floor moves it to 70.
    expect(result).toMatchObject({ tier: 'high', score: 70 });
    expect(overrideFactors(result)).toEqual([
      {
        name: 'override:secrets-never-below-high',
        input: 'minTier high',
        contribution: 5,
        note:
          'override secrets-never-below-high raised the tier from medium to high (score 65.0 to 70.0). ' +
          'A leaked secret is usable at once by anyone who reads it; rotate it.',
      },
    ]);
    expect(sum(result)).toBe(70);
  });

  it('records a matching override that changes nothing', () => {
    const critical = { ...SECRET, severity: { normalized: 'critical' as const } };
    const result = classify(critical, bundledPolicy());
    expect(result).toMatchObject({ tier: 'critical', score: 100 });
    expect(overrideFactors(result)).toEqual([
      expect.objectContaining({
        contribution: 0,
        note: expect.stringContaining(
          'override secrets-never-below-high matched, no effect: the tier critical is already at or above high',
        ) as string,
      }),
    ]);
  });

  it('lowers with a ceiling to the top score of the tier', () => {
    const policy = policyWithOverrides(`
  - id: sandbox-at-most-low
    match: { assets: ["ledger-*"] }
    maxTier: low
`);
    const result = classify(HIGH, policy);
    expect(result).toMatchObject({ tier: 'low', score: 39.9 });
    expect(overrideFactors(result)).toEqual([
      {
        name: 'override:sandbox-at-most-low',
        input: 'maxTier low',
        contribution: -35.1,
        note: 'override sandbox-at-most-low lowered the tier from high to low (score 75.0 to 39.9)',
      },
    ]);
    expect(sum(result)).toBe(39.9);
  });

  describe('precedence: ceilings, then floors, then the first pin', () => {
    const ceiling = `
  - id: ledger-at-most-low
    match: { teams: [ledger] }
    maxTier: low
`;
    const floor = `
  - id: prod-at-least-medium
    match: { environments: [prod] }
    minTier: medium
`;

    it('a floor wins over a ceiling, whichever comes first in the file', () => {
      for (const policy of [
        policyWithOverrides(ceiling + floor),
        policyWithOverrides(floor + ceiling),
      ]) {
        const result = classify(HIGH, policy);
        expect(result).toMatchObject({ tier: 'medium', score: 40 });
        expect(overrideFactors(result).map((f) => [f.name, f.contribution])).toEqual([
          ['override:ledger-at-most-low', -35.1],
          ['override:prod-at-least-medium', 0.1],
        ]);
        expect(sum(result)).toBe(40);
      }
    });

    it('of two ceilings, the lower holds', () => {
      const policy = policyWithOverrides(`
  - id: at-most-medium
    match: { kinds: [vulnerability] }
    maxTier: medium
  - id: at-most-info
    match: { kinds: [vulnerability] }
    maxTier: info
`);
      const result = classify(HIGH, policy);
      expect(result).toMatchObject({ tier: 'info', score: 9.9 });
      expect(overrideFactors(result).map((f) => f.contribution)).toEqual([-5.1, -60]);
    });

    it('of two floors, the higher holds', () => {
      const policy = policyWithOverrides(`
  - id: at-least-critical
    match: { kinds: [vulnerability] }
    minTier: critical
  - id: at-least-high
    match: { kinds: [vulnerability] }
    minTier: high
`);
      const result = classify(MEDIUM, policy);
      expect(result).toMatchObject({ tier: 'critical', score: 90 });
      expect(overrideFactors(result).map((f) => f.contribution)).toEqual([37, 0]);
    });

    it('a pin decides over floors and ceilings, and the first pin in the file wins', () => {
      const policy = policyWithOverrides(`
  - id: known-false-positive
    description: Test key committed on purpose (ticket SEC-1234).
    match: { rules: ["generic.secrets.*"], assets: [ledger-service] }
    tier: info
  - id: secrets-never-below-high
    match: { kinds: [secret] }
    minTier: high
  - id: all-secrets-low
    match: { kinds: [secret] }
    tier: low
`);
      const result = classify(SECRET, policy);
      expect(result).toMatchObject({ tier: 'info', score: 9.9 });
      expect(overrideFactors(result)).toEqual([
        expect.objectContaining({ name: 'override:secrets-never-below-high', contribution: 5 }),
        {
          name: 'override:known-false-positive',
          input: 'tier info',
          contribution: -60.1,
          note:
            'override known-false-positive lowered the tier from high to info (score 70.0 to 9.9). ' +
            'Test key committed on purpose (ticket SEC-1234).',
        },
        {
          name: 'override:all-secrets-low',
          input: 'tier low',
          contribution: 0,
          note: 'override all-secrets-low matched, no effect: override known-false-positive pinned the tier first',
        },
      ]);
      expect(sum(result)).toBe(9.9);
    });

    it('a pin raises into its tier at the lowest score of it', () => {
      const policy = policyWithOverrides(`
  - id: pinned-critical
    match: { vulnerabilities: [CVE-2099-0001] }
    tier: critical
`);
      expect(classify(MEDIUM, policy)).toMatchObject({ tier: 'critical', score: 90 });
    });
  });

  it('an expired override is recorded and not applied', () => {
    const policy = policyWithOverrides(`
  - id: accepted-until-november
    match: { assets: [ledger-service] }
    maxTier: low
    expires: 2026-11-19
`);
    const result = classify(HIGH, policy);
    expect(result).toMatchObject({ tier: 'high', score: 75 });
    expect(overrideFactors(result)).toEqual([
      {
        name: 'override:accepted-until-november',
        input: 'maxTier low',
        contribution: 0,
        note: 'override accepted-until-november matched, no effect: expired on 2026-11-19; not applied',
      },
    ]);
    expect(classify(HIGH, policy, new Date('2026-11-19T23:00:00Z')).tier).toBe('low');
  });

  it('the KEV floor covers unknown environment and exposure', () => {
    const intel = intelWith([kevEntry('CVE-2099-0001')]);
    const low = aFinding({
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' }],
      asset: { id: 'unlabelled', type: 'host' },
    });
    const result = classifyFinding(low, { policy: bundledPolicy(), intel, now: NOW });
    // 31 + 25 (KEV) = 56: medium by score, critical by the floor.
    expect(result).toMatchObject({ tier: 'critical', score: 90 });
    expect(overrideFactors(result).map((f) => [f.name, f.contribution])).toEqual([
      ['override:kev-on-exposed-prod-is-critical', 34],
    ]);
  });

  it('folds overrides with no effect into one factor when there are too many to list', () => {
    const many = Array.from(
      { length: 45 },
      (_, i) => `  - id: noop-${i}\n    match: { kinds: [vulnerability] }\n    maxTier: critical\n`,
    ).join('');
    const result = classify(HIGH, policyWithOverrides(many));
    expect(result.factors.length).toBeLessThanOrEqual(50);
    const folded = result.factors.find((f) => f.name === 'overrides.idle');
    expect(folded).toMatchObject({ input: 45, contribution: 0 });
    expect(folded?.note).toMatch(/^45 more overrides matched with no effect: noop-0, noop-1, /);
    expect(result).toMatchObject({ tier: 'high', score: 75 });
  });
});
