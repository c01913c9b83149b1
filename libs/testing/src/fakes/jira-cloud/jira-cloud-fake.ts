import { randomSecret } from '../server/credentials';
import { basicAuth, userSecrets } from '../jira/jira-auth';
import { CLOUD_RESOLUTIONS } from '../jira/jira-defaults';
import { FakeJira, type FakeJiraOptions, type JiraFlavour } from '../jira/fake-jira';
import type { JiraUserAccount } from '../jira/jira-model';
import { cloudDialect } from './cloud-dialect';
import { addEnhancedSearchRoutes } from './enhanced-search';

export type FakeJiraCloud = FakeJira;
export type FakeJiraCloudOptions = FakeJiraOptions;

const DEFAULT_PEOPLE = [
  { email: 'hum-bot@example.test', displayName: 'hum integration' },
  { email: 'riley.human@example.test', displayName: 'Riley Human' },
];

const cloudFlavour: JiraFlavour = {
  name: 'jira-cloud',
  title: 'Fake Jira Cloud',
  dialect: cloudDialect,
  resolutions: CLOUD_RESOLUTIONS,
  defaultUsers: () =>
    DEFAULT_PEOPLE.map(
      (person) =>
        ({ emailAddress: person.email, displayName: person.displayName }) as JiraUserAccount,
    ),
  completeUser: (init, index) => {
    const email = init.emailAddress ?? `user${index + 1}@example.test`;
    const accountId =
      init.accountId ?? `712020:00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
    return {
      accountId,
      name: init.name ?? '',
      key: init.key ?? '',
      emailAddress: email,
      displayName: init.displayName ?? email,
      active: init.active ?? true,
      timeZone: init.timeZone ?? 'Etc/UTC',
      apiToken: init.apiToken ?? randomSecret(),
    };
  },
  // Jira Cloud REST: Basic with the account's email and an API token.
  authenticate: (headers, users) =>
    basicAuth(headers, users, [(user) => [user.emailAddress, user.apiToken]]),
  unauthorized: (failure, baseUrl) => ({
    status: 401,
    headers: {
      'www-authenticate': `OAuth realm="${encodeURIComponent(baseUrl)}"`,
      ...(failure.kind === 'rejected' ? { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' } : {}),
    },
    text: 'Client must be authenticated to access this resource.',
  }),
  rateLimitHeaders: (retryAfterSeconds, limitPerSecond, now) => ({
    'retry-after': String(retryAfterSeconds),
    'x-ratelimit-limit': String(Math.max(1, Math.floor(limitPerSecond))),
    'x-ratelimit-remaining': '0',
    // yyyy-MM-ddTHH:mmZ, as Atlassian documents it.
    'x-ratelimit-reset': `${new Date(now.getTime() + retryAfterSeconds * 1000).toISOString().slice(0, 16)}Z`,
    'ratelimit-reason': 'jira-burst-based',
  }),
  credentialSecrets: userSecrets,
  addSearchRoutes: addEnhancedSearchRoutes,
};

/**
 * A local Jira Cloud (REST v3): ADF descriptions, email + API token auth, enhanced JQL
 * search, the default workflow, webhooks. See FakeJira for the handle's API.
 */
export async function startFakeJiraCloud(
  options: FakeJiraCloudOptions = {},
): Promise<FakeJiraCloud> {
  return FakeJira.start(cloudFlavour, options);
}
