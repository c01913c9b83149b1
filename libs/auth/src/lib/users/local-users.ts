import { z } from 'zod';
import { type Role, Role as RoleSchema } from '../rbac/roles';

export const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z][a-z0-9._-]*$/, 'lowercase letters, digits and ._- only, starting with a letter');

export interface BootstrapUser {
  username: string;
  roles: Role[];
}

export class BootstrapUsersError extends Error {
  override readonly name = 'BootstrapUsersError';
}

/**
 * Reads `alice:admin+operator,bob:approver`: who is created, with a random password, when a
 * deployment starts with no local users. Two people by default, so that the two-person rule
 * can be exercised from the first minute.
 */
export function parseBootstrapUsers(entries: readonly string[]): BootstrapUser[] {
  const users = entries.map((entry, index) => {
    const [name, roleList, ...rest] = entry.split(':');
    if (rest.length > 0 || name === undefined || roleList === undefined)
      throw new BootstrapUsersError(`item ${index + 1}: expected name:role+role, got "${entry}"`);
    const username = Username.safeParse(name.trim());
    if (!username.success)
      throw new BootstrapUsersError(
        `item ${index + 1}: user name ${username.error.issues[0]!.message}`,
      );
    const roles = roleList.split('+').map((r) => r.trim());
    const bad = roles.filter((r) => !RoleSchema.safeParse(r).success);
    if (bad.length > 0 || roles.length === 0)
      throw new BootstrapUsersError(
        `item ${index + 1}: unknown role ${bad.join(', ') || '(none)'}; roles are ${RoleSchema.options.join(', ')}`,
      );
    return { username: username.data, roles: [...new Set(roles)] as Role[] };
  });
  const names = users.map((u) => u.username);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new BootstrapUsersError(`user ${duplicate} is listed twice`);
  return users;
}
