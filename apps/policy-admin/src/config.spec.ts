import { ConfigError } from '@hum/config';
import { loadAdminConfig } from './config';

const BASE = {
  HUM_OPS_TOKEN: 'ops-token-0123456789',
  KAFKA_BROKERS: '127.0.0.1:9092',
};
const OIDC = {
  OIDC_ISSUER: 'https://login.bank.example/realms/sec',
  OIDC_AUDIENCE: 'hum-admin',
};

/** The problems a refused configuration names, as `VARIABLE: message` lines. */
function refusal(env: Record<string, string>): string[] {
  try {
    loadAdminConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected the configuration to be refused');
}

describe('policy-admin configuration', () => {
  it('starts with local users, two bootstrap people and no OIDC by default', () => {
    const config = loadAdminConfig(BASE);
    expect(config).toMatchObject({
      ADMIN_LOCAL_USERS: true,
      ADMIN_BOOTSTRAP_USERS: ['admin:admin+operator', 'approver:approver'],
      ADMIN_PROPOSAL_TTL: 24 * 3_600_000,
    });
    expect(config.OIDC_ISSUER).toBeUndefined();
  });

  it('needs OIDC_AUDIENCE once OIDC_ISSUER is set, and names it', () => {
    const { OIDC_AUDIENCE: _audience, ...issuerOnly } = OIDC;
    expect(refusal({ ...BASE, ...issuerOnly })).toEqual([
      'OIDC_AUDIENCE: required when OIDC_ISSUER is set',
    ]);
    expect(loadAdminConfig({ ...BASE, ...OIDC }).OIDC_AUDIENCE).toBe('hum-admin');
    // An audience alone turns nothing on and is no problem.
    expect(loadAdminConfig({ ...BASE, OIDC_AUDIENCE: 'hum-admin' }).OIDC_ISSUER).toBeUndefined();
  });

  it('refuses ADMIN_LOCAL_USERS=false without OIDC: nobody could log in', () => {
    expect(refusal({ ...BASE, ADMIN_LOCAL_USERS: 'false' })).toEqual([
      'OIDC_ISSUER: required when ADMIN_LOCAL_USERS is false: nobody could log in',
    ]);
    expect(loadAdminConfig({ ...BASE, ...OIDC, ADMIN_LOCAL_USERS: 'false' })).toMatchObject({
      ADMIN_LOCAL_USERS: false,
      OIDC_ISSUER: OIDC.OIDC_ISSUER,
    });
  });

  it('lists every cross-field problem at once, so one restart fixes them all', () => {
    const problems = refusal({
      ...BASE,
      ADMIN_LOCAL_USERS: 'false',
      ADMIN_BOOTSTRAP_USERS: 'alice:admin,bob:superuser',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'OIDC_ISSUER: required when ADMIN_LOCAL_USERS is false: nobody could log in',
        expect.stringMatching(/^ADMIN_BOOTSTRAP_USERS: item 2: unknown role superuser; roles are /),
        expect.stringMatching(/^KAFKA_SASL_USERNAME: /),
        expect.stringMatching(/^KAFKA_SASL_PASSWORD: /),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('checks the bootstrap users as the first start will read them', () => {
    expect(refusal({ ...BASE, ADMIN_BOOTSTRAP_USERS: 'alice' })).toEqual([
      'ADMIN_BOOTSTRAP_USERS: item 1: expected name:role+role, got "alice"',
    ]);
    expect(refusal({ ...BASE, ADMIN_BOOTSTRAP_USERS: 'alice:admin,alice:approver' })).toEqual([
      'ADMIN_BOOTSTRAP_USERS: user alice is listed twice',
    ]);
    expect(
      loadAdminConfig({ ...BASE, ADMIN_BOOTSTRAP_USERS: 'alice:admin+operator,bob:approver' })
        .ADMIN_BOOTSTRAP_USERS,
    ).toEqual(['alice:admin+operator', 'bob:approver']);
  });

  it('keeps proposal lifetimes and role maps within their forms, never echoing a secret', () => {
    expect(refusal({ ...BASE, ADMIN_PROPOSAL_TTL: '1m' })).toEqual([
      expect.stringMatching(/^ADMIN_PROPOSAL_TTL: /),
    ]);
    expect(refusal({ ...BASE, ...OIDC, OIDC_ROLE_MAP: 'sec-admins:admin' })).toEqual([
      expect.stringMatching(/^OIDC_ROLE_MAP: /),
    ]);
    const secret = 'too-short-secret';
    const problems = refusal({ ...BASE, ADMIN_SESSION_SECRET: secret });
    expect(problems).toEqual([expect.stringMatching(/^ADMIN_SESSION_SECRET: /)]);
    expect(problems.join('\n')).not.toContain(secret);
  });
});
