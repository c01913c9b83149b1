// Providers wired to the fakes of libs/testing, for this library's specs and the dispatcher's.
import { ManualClock, type Clock } from '@hum/common';
import { Secret } from '@hum/config';
import { CircuitBreaker, type CircuitBreakerOptions } from '../lib/http/circuit-breaker';
import { RateLimiter } from '../lib/http/rate-limiter';
import {
  createJiraCloudProvider,
  type JiraCloudSettings,
} from '../lib/jira-cloud/jira-cloud.provider';
import {
  createJiraDataCenterProvider,
  type JiraDataCenterSettings,
} from '../lib/jira-dc/jira-dc.provider';
import type { JiraProvider, JiraProviderSettings } from '../lib/jira/jira-provider';
import type { ProviderRuntime } from '../lib/provider-runtime';
import {
  createServiceNowProvider,
  SERVICENOW_DEFAULT_LEVELS,
  SERVICENOW_DEFAULT_LIMITS,
  type ServiceNowProvider,
  type ServiceNowSettings,
} from '../lib/servicenow/servicenow.provider';

export { ManualClock };

/** The parts of libs/testing's fakes these fixtures use (structural: no import of test code). */
export interface JiraSite {
  readonly url: string;
  readonly botUser: {
    readonly emailAddress: string;
    readonly apiToken?: string;
    readonly personalAccessToken?: string;
  };
}
export interface ServiceNowSite {
  readonly url: string;
  readonly botUser: { readonly userName: string; readonly password: string };
}

export interface RuntimeOverrides {
  readonly requestsPerSecond?: number;
  readonly breaker?: Partial<CircuitBreakerOptions>;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  /** Fast request-level retries for specs. */
  readonly retryDelayMs?: number;
}

export function testRuntime(name: string, overrides: RuntimeOverrides = {}): ProviderRuntime {
  const rate = overrides.requestsPerSecond ?? 1_000;
  return {
    limiter: new RateLimiter({ requestsPerSecond: rate, burst: Math.max(1, Math.ceil(rate)) }),
    breaker: new CircuitBreaker(name, {
      failureThreshold: 5,
      openMs: 30_000,
      ...overrides.breaker,
    }),
    timeoutMs: overrides.timeoutMs ?? 5_000,
    retry: { maxAttempts: 3, initialDelayMs: overrides.retryDelayMs ?? 10, maxDelayMs: 100 },
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  };
}

export const JIRA_TEST_MAPPINGS: Omit<JiraProviderSettings, 'baseUrl'> = {
  priorities: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low', info: 'Lowest' },
  customFields: [
    { field: 'customfield_10100', value: 'group-key', as: 'text' },
    { field: 'customfield_10101', value: 'score', as: 'number' },
    { field: 'customfield_10102', value: 'tier', as: 'option' },
  ],
  resolutions: { fixed: 'Done', duplicate: 'Duplicate' },
  transitions: { resolve: 'Done', reopen: 'Reopen' },
};

export function jiraCloudFor(
  fake: JiraSite,
  overrides: Partial<JiraCloudSettings> = {},
  runtime: ProviderRuntime = testRuntime('jira-cloud'),
): JiraProvider {
  return createJiraCloudProvider(
    {
      ...JIRA_TEST_MAPPINGS,
      resolutions: { fixed: 'Done', duplicate: 'Duplicate' },
      baseUrl: fake.url,
      email: fake.botUser.emailAddress,
      apiToken: new Secret(fake.botUser.apiToken!),
      ...overrides,
    },
    runtime,
  );
}

export function jiraDataCenterFor(
  fake: JiraSite,
  overrides: Partial<JiraDataCenterSettings> = {},
  runtime: ProviderRuntime = testRuntime('jira-dc'),
): JiraProvider {
  return createJiraDataCenterProvider(
    {
      ...JIRA_TEST_MAPPINGS,
      resolutions: { fixed: 'Fixed', duplicate: 'Duplicate' },
      baseUrl: fake.url,
      personalAccessToken: new Secret(fake.botUser.personalAccessToken!),
      ...overrides,
    },
    runtime,
  );
}

export function serviceNowFor(
  fake: ServiceNowSite,
  overrides: Partial<ServiceNowSettings> = {},
  runtime: ProviderRuntime = testRuntime('servicenow'),
): ServiceNowProvider {
  return createServiceNowProvider(
    {
      baseUrl: fake.url,
      table: 'incident',
      auth: {
        kind: 'basic',
        username: fake.botUser.userName,
        password: new Secret(fake.botUser.password),
      },
      accountName: fake.botUser.userName,
      levels: SERVICENOW_DEFAULT_LEVELS,
      closeCodes: { fixed: 'Solution provided', duplicate: 'Duplicate' },
      customFields: [],
      limits: SERVICENOW_DEFAULT_LIMITS,
      ...overrides,
    },
    runtime,
  );
}
