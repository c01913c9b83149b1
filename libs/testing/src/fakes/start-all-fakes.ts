import type { Clock } from '@hum/common';
import type { FaultSpec } from './server/faults';
import { startFakeJiraCloud } from './jira-cloud/jira-cloud-fake';
import { startFakeJiraDataCenter } from './jira-dc/jira-dc-fake';
import type { FakeJira } from './jira/fake-jira';
import { startFakeServiceNow, type FakeServiceNow } from './servicenow/servicenow-fake';
import { type FakeGitHub, startFakeGitHub } from './github/github-fake';
import type { RepositoryInit } from './github/github-store';

export const FAKE_NAMES = ['jira-cloud', 'jira-dc', 'servicenow', 'github'] as const;
export type FakeName = (typeof FAKE_NAMES)[number];

export interface AllFakesOptions {
  readonly host?: string;
  /** 0 or absent: a free port. */
  readonly ports?: Partial<Record<FakeName, number>>;
  /** Which fakes to start; all of them by default. */
  readonly only?: readonly FakeName[];
  /** One control token for all three; random when absent. */
  readonly controlToken?: string;
  /** Faults every fake starts with, e.g. latency and a rate limit for a benchmark. */
  readonly faults?: readonly FaultSpec[];
  readonly jiraCloudApiToken?: string;
  readonly jiraDataCenterToken?: string;
  readonly serviceNowPassword?: string;
  readonly serviceNowClientSecret?: string;
  /** hum's bot token on the fake GitHub, and the repositories it starts with. */
  readonly gitHubToken?: string;
  readonly gitHubRepositories?: readonly RepositoryInit[];
  readonly clock?: Clock;
}

/** What a quickstart needs to point hum at the fakes; printed as JSON by main.ts. */
export interface FakesDescription {
  readonly jiraCloud?: {
    readonly url: string;
    readonly email: string;
    readonly apiToken: string;
    readonly projects: readonly string[];
    readonly controlToken: string;
  };
  readonly jiraDataCenter?: {
    readonly url: string;
    readonly username: string;
    readonly personalAccessToken: string;
    readonly password: string;
    readonly projects: readonly string[];
    readonly controlToken: string;
  };
  readonly serviceNow?: {
    readonly url: string;
    readonly username: string;
    readonly password: string;
    readonly tokenUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly table: string;
    readonly controlToken: string;
  };
  readonly gitHub?: {
    readonly url: string;
    readonly token: string;
    readonly repositories: readonly string[];
    readonly controlToken: string;
  };
}

export interface RunningFakes {
  readonly jiraCloud: FakeJira | undefined;
  readonly jiraDataCenter: FakeJira | undefined;
  readonly serviceNow: FakeServiceNow | undefined;
  readonly gitHub: FakeGitHub | undefined;
  describe(): FakesDescription;
  close(): Promise<void>;
}

/** Starts the chosen fakes side by side; if one fails to start, the others are closed. */
export async function startAllFakes(options: AllFakesOptions = {}): Promise<RunningFakes> {
  const wanted = new Set<FakeName>(options.only ?? FAKE_NAMES);
  const shared = {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.controlToken === undefined ? {} : { controlToken: options.controlToken }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    faults: options.faults ?? [],
  };
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const jiraCloud = wanted.has('jira-cloud')
      ? await startFakeJiraCloud({
          ...shared,
          port: options.ports?.['jira-cloud'] ?? 0,
          ...(options.jiraCloudApiToken === undefined
            ? {}
            : {
                users: [
                  {
                    emailAddress: 'hum-bot@example.test',
                    displayName: 'hum integration',
                    apiToken: options.jiraCloudApiToken,
                  },
                  { emailAddress: 'riley.human@example.test', displayName: 'Riley Human' },
                ],
              }),
        })
      : undefined;
    if (jiraCloud) started.push(jiraCloud);
    const jiraDataCenter = wanted.has('jira-dc')
      ? await startFakeJiraDataCenter({
          ...shared,
          port: options.ports?.['jira-dc'] ?? 0,
          ...(options.jiraDataCenterToken === undefined
            ? {}
            : {
                users: [
                  {
                    name: 'hum-bot',
                    displayName: 'hum integration',
                    personalAccessToken: options.jiraDataCenterToken,
                  },
                  { name: 'riley', displayName: 'Riley Human' },
                ],
              }),
        })
      : undefined;
    if (jiraDataCenter) started.push(jiraDataCenter);
    const serviceNow = wanted.has('servicenow')
      ? await startFakeServiceNow({
          ...shared,
          port: options.ports?.servicenow ?? 0,
          ...(options.serviceNowPassword === undefined
            ? {}
            : {
                users: [
                  {
                    userName: 'hum.integration',
                    name: 'hum integration',
                    password: options.serviceNowPassword,
                  },
                  { userName: 'riley.human', name: 'Riley Human' },
                ],
              }),
          ...(options.serviceNowClientSecret === undefined
            ? {}
            : {
                oauthClients: [
                  { clientId: 'hum-dispatcher', clientSecret: options.serviceNowClientSecret },
                ],
              }),
        })
      : undefined;
    if (serviceNow) started.push(serviceNow);
    const gitHub = wanted.has('github')
      ? await startFakeGitHub({
          ...shared,
          port: options.ports?.github ?? 0,
          tokens: [
            {
              login: 'hum-bot',
              ...(options.gitHubToken === undefined ? {} : { token: options.gitHubToken }),
            },
            { login: 'riley-human' },
          ],
          repositories: options.gitHubRepositories ?? [],
        })
      : undefined;
    if (gitHub) started.push(gitHub);
    const repositories = (options.gitHubRepositories ?? []).map((r) => `${r.owner}/${r.name}`);

    return {
      jiraCloud,
      jiraDataCenter,
      serviceNow,
      gitHub,
      describe: () => ({
        ...describeFakes(jiraCloud, jiraDataCenter, serviceNow),
        ...(gitHub
          ? {
              gitHub: {
                url: gitHub.url,
                token: gitHub.botToken,
                repositories,
                controlToken: gitHub.controlToken,
              },
            }
          : {}),
      }),
      close: async () => {
        await Promise.all(started.map((fake) => fake.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((fake) => fake.close()));
    throw error;
  }
}

function describeFakes(
  jiraCloud: FakeJira | undefined,
  jiraDataCenter: FakeJira | undefined,
  serviceNow: FakeServiceNow | undefined,
): FakesDescription {
  return {
    ...(jiraCloud
      ? {
          jiraCloud: {
            url: jiraCloud.url,
            email: jiraCloud.botUser.emailAddress,
            apiToken: jiraCloud.botUser.apiToken!,
            projects: jiraCloud.projectKeys(),
            controlToken: jiraCloud.controlToken,
          },
        }
      : {}),
    ...(jiraDataCenter
      ? {
          jiraDataCenter: {
            url: jiraDataCenter.url,
            username: jiraDataCenter.botUser.name,
            personalAccessToken: jiraDataCenter.botUser.personalAccessToken!,
            password: jiraDataCenter.botUser.password!,
            projects: jiraDataCenter.projectKeys(),
            controlToken: jiraDataCenter.controlToken,
          },
        }
      : {}),
    ...(serviceNow
      ? {
          serviceNow: {
            url: serviceNow.url,
            username: serviceNow.botUser.userName,
            password: serviceNow.botUser.password,
            tokenUrl: `${serviceNow.url}/oauth_token.do`,
            clientId: serviceNow.oauthClients[0]!.clientId,
            clientSecret: serviceNow.oauthClients[0]!.clientSecret,
            table: 'incident',
            controlToken: serviceNow.controlToken,
          },
        }
      : {}),
  };
}
