import {
  BootstrapUsersError,
  generatePassword,
  hashPassword,
  parseBootstrapUsers,
  passwordProblem,
  SessionTokens,
  verifyPassword,
} from '.';

// The cheapest cost scrypt allows keeps the spec quick; production uses DEFAULT_SCRYPT_COST.
const cheap = { N: 1024, r: 8, p: 1 };

describe('local passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery', cheap);
    const b = await hashPassword('correct horse battery', cheap);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batter', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain:text')).toBe(false);
  });

  it('uses the cost stored with the hash', async () => {
    const stored = await hashPassword('another password', { N: 2048, r: 4, p: 1 });
    expect(stored.split('$').slice(1, 4)).toEqual(['2048', '4', '1']);
    expect(await verifyPassword('another password', stored)).toBe(true);
  });

  it('generates long random passwords and refuses short ones', () => {
    const generated = generatePassword();
    expect(generated).toHaveLength(24);
    expect(generatePassword()).not.toBe(generated);
    expect(passwordProblem(generated)).toBeUndefined();
    expect(passwordProblem('short')).toMatch(/at least 12/);
  });
});

describe('session tokens', () => {
  const tokens = new SessionTokens(SessionTokens.newKey());

  it('round-trips a session id and refuses a forged or foreign token', () => {
    const id = SessionTokens.newId();
    const token = tokens.token(id);
    expect(SessionTokens.looksLikeSessionToken(token)).toBe(true);
    expect(tokens.verify(token)).toBe(id);
    const other = new SessionTokens(SessionTokens.newKey());
    expect(other.verify(token)).toBeUndefined();
    const tampered = `${token.slice(0, 4)}${token[4] === 'A' ? 'B' : 'A'}${token.slice(5)}`;
    expect(tokens.verify(tampered)).toBeUndefined();
    expect(tokens.verify('hs1.short.mac')).toBeUndefined();
  });

  it('derives a CSRF token per session', () => {
    const a = SessionTokens.newId();
    const b = SessionTokens.newId();
    expect(tokens.csrfToken(a)).toBe(tokens.csrfToken(a));
    expect(tokens.csrfToken(a)).not.toBe(tokens.csrfToken(b));
    expect(tokens.csrfToken(a)).not.toBe(tokens.token(a).split('.')[2]);
  });

  it('refuses a short key', () => {
    expect(() => new SessionTokens(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('bootstrap users', () => {
  it('reads names and roles', () => {
    expect(parseBootstrapUsers(['alice:admin+operator', 'bob:approver'])).toEqual([
      { username: 'alice', roles: ['admin', 'operator'] },
      { username: 'bob', roles: ['approver'] },
    ]);
  });

  it.each([
    [['alice'], /expected name:role/],
    [['Alice:admin'], /user name/],
    [['alice:root'], /unknown role root/],
    [['alice:admin', 'alice:approver'], /listed twice/],
  ])('refuses %j', (entries, message) => {
    expect(() => parseBootstrapUsers(entries)).toThrow(BootstrapUsersError);
    expect(() => parseBootstrapUsers(entries)).toThrow(message);
  });
});
