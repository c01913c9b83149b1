import type { IncomingHttpHeaders } from 'node:http';
import { presentedCredentials, randomSecret, secretEquals } from '../server/credentials';
import type { AuthOutcome } from '../server/fake-service';
import { basicAuth, userSecrets } from '../jira/jira-auth';
import { DATA_CENTER_RESOLUTIONS } from '../jira/jira-defaults';
import { FakeJira, type FakeJiraOptions, type JiraFlavour } from '../jira/fake-jira';
import type { JiraUserAccount } from '../jira/jira-model';
import { dataCenterDialect } from './dc-dialect';
import { addOffsetSearchRoutes } from './offset-search';

export type FakeJiraDataCenter = FakeJira;
export type FakeJiraDataCenterOptions = FakeJiraOptions;

const NOT_AUTHENTICATED =
  'You are not authenticated. Authentication required to perform this operation.';

function authenticate(
  headers: IncomingHttpHeaders,
  users: readonly JiraUserAccount[],
): AuthOutcome {
  const presented = presentedCredentials(headers);
  if (presented.scheme === 'bearer') {
    const user = users.find(
      (candidate) =>
        candidate.active &&
        candidate.personalAccessToken !== undefined &&
        secretEquals(presented.token, candidate.personalAccessToken),
    );
    return user
      ? { kind: 'authenticated', principal: { user: user.name, scheme: 'bearer' } }
      : { kind: 'rejected', scheme: 'bearer' };
  }
  // Data Center keeps Basic name:password on by default; browsers use it for the ticket page.
  return basicAuth(headers, users, [(user) => [user.name, user.password]]);
}

const dataCenterFlavour: JiraFlavour = {
  name: 'jira-dc',
  title: 'Fake Jira Data Center',
  dialect: dataCenterDialect,
  resolutions: DATA_CENTER_RESOLUTIONS,
  defaultUsers: () =>
    [
      { name: 'hum-bot', displayName: 'hum integration', emailAddress: 'hum-bot@example.test' },
      { name: 'riley', displayName: 'Riley Human', emailAddress: 'riley.human@example.test' },
    ] as JiraUserAccount[],
  completeUser: (init, index) => {
    const name = init.name ?? `user${index + 1}`;
    return {
      accountId: init.accountId ?? `JIRAUSER${10_000 + index}`,
      name,
      key: init.key ?? `JIRAUSER${10_000 + index}`,
      emailAddress: init.emailAddress ?? `${name}@example.test`,
      displayName: init.displayName ?? name,
      active: init.active ?? true,
      timeZone: init.timeZone ?? 'Etc/UTC',
      personalAccessToken: init.personalAccessToken ?? randomSecret(33),
      password: init.password ?? randomSecret(12),
    };
  },
  authenticate,
  unauthorized: (failure) => ({
    status: 401,
    headers: {
      'www-authenticate': 'Basic realm="protected-area"',
      ...(failure.kind === 'rejected' ? { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' } : {}),
    },
    json: { errorMessages: [NOT_AUTHENTICATED], errors: {} },
  }),
  rateLimitHeaders: (retryAfterSeconds, limitPerSecond) => ({
    'retry-after': String(retryAfterSeconds),
    'x-ratelimit-limit': String(Math.max(1, Math.ceil(limitPerSecond))),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-interval-seconds': '1',
    'x-ratelimit-fillrate': String(limitPerSecond),
  }),
  credentialSecrets: userSecrets,
  addSearchRoutes: addOffsetSearchRoutes,
};

/**
 * A local Jira Data Center (REST v2): wiki-markup descriptions, personal access tokens as
 * Bearer auth, `POST /rest/api/2/search` with startAt paging; same workflow and store as the
 * Cloud fake.
 */
export async function startFakeJiraDataCenter(
  options: FakeJiraDataCenterOptions = {},
): Promise<FakeJiraDataCenter> {
  return FakeJira.start(dataCenterFlavour, options);
}
