import { z } from 'zod';
import type { ApiKeyPrincipal } from '../api-key-verifier';

/**
 * What a person may do in hum. `viewer` reads; `operator` resumes an auto-paused tier and
 * replays dead letters; `admin` proposes policy, keys and risk acceptances; `approver`
 * approves what needs a second person. Every role also reads. Pipelines hold API keys, not
 * roles: they publish scans and read the gate, nothing else.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'approver'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export type PersonSource = 'local' | 'oidc';

/** How the credentials came: a session cookie needs a CSRF token on state-changing requests. */
export type CredentialTransport = 'session-cookie' | 'session-bearer' | 'oidc-bearer';

export interface PersonPrincipal {
  kind: 'person';
  /** The person's id as recorded in proposals and audit entries. */
  id: string;
  roles: ReadonlySet<Role>;
  source: PersonSource;
  via: CredentialTransport;
  sessionId?: string;
  /** The CSRF token a cookie-authenticated request must echo in `X-CSRF-Token`. */
  csrfToken?: string;
}

export type Principal = PersonPrincipal | ApiKeyPrincipal;

/** Whether the principal holds at least one of `allowed`; any role may view. */
export function holdsAnyRole(principal: Principal, allowed: readonly Role[]): boolean {
  if (principal.kind !== 'person') return false;
  if (allowed.includes('viewer') && principal.roles.size > 0) return true;
  return allowed.some((role) => principal.roles.has(role));
}

/** Role names from a claim or a config value; unknown names are dropped, never guessed. */
export function parseRoles(values: readonly unknown[]): Set<Role> {
  const roles = new Set<Role>();
  for (const value of values) {
    const parsed = Role.safeParse(value);
    if (parsed.success) roles.add(parsed.data);
  }
  return roles;
}

export function principalId(principal: Principal): string {
  return principal.kind === 'person' ? principal.id : `api-key:${principal.keyId}`;
}
