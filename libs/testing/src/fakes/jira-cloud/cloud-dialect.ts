import { avatarUrls, type JiraDialect, type UserReference } from '../jira/jira-dialect';
import type { JiraUserAccount } from '../jira/jira-model';
import { adfProblem, adfToPlainText, plainTextToAdf } from './adf';

const NOT_ADF = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';

/** REST v3: rich text is ADF, people are accountIds (GDPR strict mode: no user names). */
export const cloudDialect: JiraDialect = {
  flavour: 'cloud',
  apiVersion: '3',
  richTextProblem: (value) => (adfProblem(value) === undefined ? undefined : NOT_ADF),
  // Jira Cloud stores the document, so markup counts against the limit as well as text.
  richTextLength: (value) => JSON.stringify(value).length,
  plainText: (value) => adfToPlainText(value),
  fromPlainText: (text) => plainTextToAdf(text),
  userReference: (value, users, field): UserReference => {
    if (value === null) return { ok: true, accountId: null };
    const record =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const accountId = record['accountId'] ?? record['id'];
    const user =
      typeof accountId === 'string'
        ? users.find((candidate) => candidate.accountId === accountId)
        : undefined;
    if (!user || !user.active) return { ok: false, message: `Specify a valid value for ${field}` };
    return { ok: true, accountId: user.accountId };
  },
  renderUser: (user: JiraUserAccount, baseUrl: string) => ({
    self: `${baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    emailAddress: user.emailAddress,
    avatarUrls: avatarUrls(baseUrl, user.accountId),
    displayName: user.displayName,
    active: user.active,
    timeZone: user.timeZone,
    accountType: 'atlassian',
  }),
};
