import { RiskPolicyDocument } from './policy-schema';
import { compileOverride, describeAction, type OverrideSubject } from './overrides';

const SUBJECT: OverrideSubject = {
  assetId: 'payments-api',
  team: 'payments',
  ruleId: 'generic.secrets.security.detected-aws-access-key',
  kind: 'secret',
  vulnerabilityIds: [],
  environment: 'prod',
  exposure: 'internet',
  inKev: false,
};

/** An override as the schema reads it, so that the test goes through the real validation. */
function override(match: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const definition = RiskPolicyDocument.shape.overrides.element.parse({
    id: 'under-test',
    match,
    minTier: 'high',
    ...extra,
  });
  return compileOverride(definition);
}

describe('override matching', () => {
  it.each([
    [{ assets: ['payments-*'] }, true],
    [{ assets: ['ledger-*', 'payments-api'] }, true],
    [{ assets: ['ledger-*'] }, false],
    [{ teams: ['pay*'] }, true],
    [{ teams: ['ledger'] }, false],
    [{ rules: ['generic.secrets.*'] }, true],
    [{ rules: ['CKV_*'] }, false],
    [{ kinds: ['secret', 'misconfiguration'] }, true],
    [{ kinds: ['vulnerability'] }, false],
    [{ environments: ['prod'] }, true],
    [{ environments: ['dev', 'unknown'] }, false],
    [{ exposures: ['internet'] }, true],
    [{ exposures: ['internal'] }, false],
    [{ kev: false }, true],
    [{ kev: true }, false],
    [{ kinds: ['secret'], environments: ['prod'], teams: ['payments'] }, true],
    [{ kinds: ['secret'], environments: ['dev'] }, false],
  ])('%j matches: %s', (match, expected) => {
    expect(override(match).matches(SUBJECT)).toBe(expected);
  });

  it('matches vulnerability ids and aliases in any case', () => {
    const subject = { ...SUBJECT, vulnerabilityIds: ['GHSA-JFH8-C2JP-5V3Q', 'CVE-2021-44228'] };
    expect(override({ vulnerabilities: ['cve-2021-44228'] }).matches(subject)).toBe(true);
    expect(override({ vulnerabilities: ['GHSA-jfh8-*'] }).matches(subject)).toBe(true);
    expect(override({ vulnerabilities: ['CVE-2021-45046'] }).matches(subject)).toBe(false);
    expect(override({ vulnerabilities: ['CVE-*'] }).matches(SUBJECT)).toBe(false);
  });

  it('does not match a team or rule pattern when the finding has none', () => {
    const anonymous = { ...SUBJECT, team: undefined, ruleId: undefined };
    expect(override({ teams: ['*'] }).matches(anonymous)).toBe(false);
    expect(override({ rules: ['*'] }).matches(anonymous)).toBe(false);
  });

  it('matches an unknown environment or exposure only when the override lists unknown', () => {
    const unknown = { ...SUBJECT, environment: 'unknown', exposure: 'unknown' } as const;
    expect(override({ environments: ['prod'] }).matches(unknown)).toBe(false);
    expect(override({ environments: ['prod', 'unknown'] }).matches(unknown)).toBe(true);
    expect(override({ exposures: ['unknown'] }).matches(unknown)).toBe(true);
  });

  it('applies through the last day of expires (UTC), not after', () => {
    const expiring = override({ kinds: ['secret'] }, { expires: '2026-11-30' });
    expect(expiring.isActive(new Date('2026-11-30T23:59:59.999Z'))).toBe(true);
    expect(expiring.isActive(new Date('2026-12-01T00:00:00.000Z'))).toBe(false);
    expect(override({ kinds: ['secret'] }).isActive(new Date('2999-01-01T00:00:00Z'))).toBe(true);
  });

  it('describes its action the way the policy file writes it', () => {
    expect(describeAction(override({ kinds: ['secret'] }).action)).toBe('minTier high');
    const pin = override({ kinds: ['secret'] }, { minTier: undefined, tier: 'info' });
    expect(describeAction(pin.action)).toBe('tier info');
  });
});
