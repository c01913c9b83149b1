import { holdsAnyRole, parseRoles, type PersonPrincipal, principalId } from './roles';

const person = (...roles: PersonPrincipal['roles'] extends ReadonlySet<infer R> ? R[] : never) =>
  ({
    kind: 'person',
    id: 'alice',
    roles: new Set(roles),
    source: 'local',
    via: 'session-bearer',
  }) satisfies PersonPrincipal;

describe('roles', () => {
  it('lets any role view, and only the named roles do the rest', () => {
    expect(holdsAnyRole(person('operator'), ['viewer'])).toBe(true);
    expect(holdsAnyRole(person(), ['viewer'])).toBe(false);
    expect(holdsAnyRole(person('viewer'), ['admin'])).toBe(false);
    expect(holdsAnyRole(person('admin'), ['approver'])).toBe(false);
    expect(holdsAnyRole(person('admin', 'approver'), ['approver'])).toBe(true);
  });

  it('gives pipeline keys no role at all', () => {
    const key = {
      kind: 'api-key' as const,
      keyId: 'abc',
      name: 'ci',
      permissions: ['scans:publish' as const],
      assets: ['*'],
      teams: [],
    };
    expect(holdsAnyRole(key, ['viewer'])).toBe(false);
    expect(principalId(key)).toBe('api-key:abc');
  });

  it('drops unknown role names instead of guessing', () => {
    expect([...parseRoles(['admin', 'superuser', 7, 'viewer'])]).toEqual(['admin', 'viewer']);
  });
});
