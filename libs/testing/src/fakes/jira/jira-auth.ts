import type { IncomingHttpHeaders } from 'node:http';
import { presentedCredentials, secretEquals } from '../server/credentials';
import type { AuthOutcome } from '../server/fake-service';
import type { JiraUserAccount } from './jira-model';

/** Basic auth against one user field pair, e.g. Cloud's email + API token. */
export function basicAuth(
  headers: IncomingHttpHeaders,
  users: readonly JiraUserAccount[],
  pairs: ReadonlyArray<(user: JiraUserAccount) => readonly [string, string | undefined]>,
): AuthOutcome {
  const presented = presentedCredentials(headers);
  if (presented.scheme === 'none') return { kind: 'missing' };
  if (presented.scheme !== 'basic') return { kind: 'rejected', scheme: presented.scheme };
  for (const user of users) {
    for (const pair of pairs) {
      const [username, secret] = pair(user);
      if (
        user.active &&
        secret !== undefined &&
        username.toLowerCase() === presented.username.toLowerCase() &&
        secretEquals(presented.password, secret)
      ) {
        return { kind: 'authenticated', principal: { user: username, scheme: 'basic' } };
      }
    }
  }
  return { kind: 'rejected', scheme: 'basic' };
}

export function userSecrets(user: JiraUserAccount): string[] {
  return [user.apiToken, user.personalAccessToken, user.password].filter(
    (secret): secret is string => secret !== undefined && secret.length > 0,
  );
}
