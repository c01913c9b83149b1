import { avatarUrls, type JiraDialect, type UserReference } from '../jira/jira-dialect';
import type { JiraUserAccount } from '../jira/jira-model';

/** REST v2: rich text is a wiki-markup string, people are user names (or keys). */
export const dataCenterDialect: JiraDialect = {
  flavour: 'data-center',
  apiVersion: '2',
  richTextProblem: (value) =>
    typeof value === 'string' ? undefined : 'Operation value must be a string',
  richTextLength: (value) => (typeof value === 'string' ? value.length : 0),
  plainText: (value) => (typeof value === 'string' ? value : ''),
  fromPlainText: (text) => text,
  userReference: (value, users): UserReference => {
    if (value === null) return { ok: true, accountId: null };
    const record =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const name = record['name'] ?? record['key'];
    if (typeof name !== 'string')
      return { ok: false, message: "Could not find valid 'name' or 'key' in user object." };
    const user = users.find((candidate) => candidate.name === name || candidate.key === name);
    if (!user || !user.active) return { ok: false, message: `User '${name}' does not exist.` };
    return { ok: true, accountId: user.accountId };
  },
  renderUser: (user: JiraUserAccount, baseUrl: string) => ({
    self: `${baseUrl}/rest/api/2/user?username=${encodeURIComponent(user.name)}`,
    name: user.name,
    key: user.key,
    emailAddress: user.emailAddress,
    avatarUrls: avatarUrls(baseUrl, user.key),
    displayName: user.displayName,
    active: user.active,
    timeZone: user.timeZone,
  }),
};
