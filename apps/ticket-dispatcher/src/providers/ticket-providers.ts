import { type Clock, PermanentError, systemClock } from '@hum/common';
import type { RiskTier, TicketProviderName } from '@hum/contracts';
import type { Logger } from '@hum/observability';
import {
  CircuitBreaker,
  createJiraCloudProvider,
  createJiraDataCenterProvider,
  createServiceNowProvider,
  type JiraProviderSettings,
  type ProviderRuntime,
  RateLimiterRegistry,
  SERVICENOW_DEFAULT_LEVELS,
  SERVICENOW_DEFAULT_LIMITS,
  type ServiceNowAuth,
  type ServiceNowProvider,
  type TicketProvider,
  type TicketRouting,
} from '@hum/ticketing';
import type { DispatcherConfig } from '../config';
import type { DispatcherMetrics } from '../dispatcher-metrics';

const DEFAULT_JIRA_PRIORITIES: Readonly<Record<RiskTier, string>> = {
  critical: 'Highest',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Lowest',
};

interface Entry {
  readonly provider: TicketProvider;
  readonly searchConsistencyMs: number;
}

/** The enabled trackers, built once at start from the environment and the routing file. */
export class TicketProviders {
  private constructor(private readonly entries: ReadonlyMap<TicketProviderName, Entry>) {}

  static fromConfig(
    config: DispatcherConfig,
    routing: TicketRouting,
    metrics: DispatcherMetrics,
    logger: Logger,
    clock: Clock = systemClock,
  ): TicketProviders {
    const limiters = new RateLimiterRegistry(
      {
        requestsPerSecond: config.TICKET_RATE_LIMIT,
        burst: config.TICKET_RATE_BURST ?? Math.max(1, Math.ceil(config.TICKET_RATE_LIMIT / 10)),
      },
      clock,
    );
    const runtime = (name: TicketProviderName, site: string): ProviderRuntime => ({
      limiter: limiters.forSite(site),
      breaker: new CircuitBreaker(
        name,
        { failureThreshold: config.TICKET_BREAKER_FAILURES, openMs: config.TICKET_BREAKER_OPEN },
        clock,
        (state) => {
          metrics.circuit.set({ provider: name }, state === 'open' ? 1 : 0);
          logger.warn({ provider: name, state }, `circuit ${state}`);
        },
      ),
      timeoutMs: config.TICKET_HTTP_TIMEOUT,
      clock,
    });
    const jira = (name: 'jira-cloud' | 'jira-dc', baseUrl: string): JiraProviderSettings => {
      const mapping = routing.file.providers[name];
      const resolution = (
        value: string | null | undefined,
        fallback: string,
      ): string | undefined => (value === null ? undefined : (value ?? fallback));
      return {
        baseUrl,
        priorities: { ...DEFAULT_JIRA_PRIORITIES, ...mapping?.priorities },
        customFields: mapping?.customFields ?? [],
        resolutions: {
          ...(resolution(mapping?.resolutions.fixed, 'Done') !== undefined
            ? { fixed: resolution(mapping?.resolutions.fixed, 'Done')! }
            : {}),
          ...(resolution(mapping?.resolutions.duplicate, 'Duplicate') !== undefined
            ? { duplicate: resolution(mapping?.resolutions.duplicate, 'Duplicate')! }
            : {}),
        },
        transitions: mapping?.transitions ?? {},
      };
    };
    const entries = new Map<TicketProviderName, Entry>();
    for (const name of new Set(config.TICKET_PROVIDERS)) {
      switch (name) {
        case 'jira-cloud': {
          const url = config.JIRA_CLOUD_URL!;
          entries.set(name, {
            provider: createJiraCloudProvider(
              {
                ...jira(name, url),
                email: config.JIRA_CLOUD_EMAIL!,
                apiToken: config.JIRA_CLOUD_API_TOKEN!,
              },
              runtime(name, url),
            ),
            searchConsistencyMs: config.TICKET_SEARCH_CONSISTENCY,
          });
          break;
        }
        case 'jira-dc': {
          const url = config.JIRA_DC_URL!;
          entries.set(name, {
            provider: createJiraDataCenterProvider(
              { ...jira(name, url), personalAccessToken: config.JIRA_DC_TOKEN! },
              runtime(name, url),
            ),
            searchConsistencyMs: config.TICKET_SEARCH_CONSISTENCY,
          });
          break;
        }
        case 'servicenow': {
          const url = config.SERVICENOW_URL!;
          const mapping = routing.file.providers.servicenow;
          const auth: ServiceNowAuth =
            config.SERVICENOW_AUTH === 'basic'
              ? {
                  kind: 'basic',
                  username: config.SERVICENOW_USERNAME!,
                  password: config.SERVICENOW_PASSWORD!,
                }
              : {
                  kind: 'oauth',
                  clientId: config.SERVICENOW_CLIENT_ID!,
                  clientSecret: config.SERVICENOW_CLIENT_SECRET!,
                  ...(config.SERVICENOW_PASSWORD !== undefined
                    ? {
                        username: config.SERVICENOW_USERNAME!,
                        password: config.SERVICENOW_PASSWORD,
                      }
                    : {}),
                };
          entries.set(name, {
            provider: createServiceNowProvider(
              {
                baseUrl: url,
                table: config.SERVICENOW_TABLE,
                auth,
                accountName: config.SERVICENOW_USERNAME!,
                levels: { ...SERVICENOW_DEFAULT_LEVELS, ...mapping?.levels },
                closeCodes: {
                  fixed: mapping?.closeCodes.fixed ?? 'Solution provided',
                  duplicate: mapping?.closeCodes.duplicate ?? 'Duplicate',
                },
                customFields: mapping?.customFields ?? [],
                limits: {
                  ...SERVICENOW_DEFAULT_LIMITS,
                  description: config.SERVICENOW_DESCRIPTION_LIMIT,
                },
              },
              runtime(name, url),
            ),
            // correlation_id is a database query on the instance: no index to wait for.
            searchConsistencyMs: 0,
          });
          break;
        }
      }
    }
    return new TicketProviders(entries);
  }

  /** For specs: providers built elsewhere. */
  static of(entries: ReadonlyMap<TicketProviderName, Entry>): TicketProviders {
    return new TicketProviders(entries);
  }

  enabled(): TicketProviderName[] {
    return [...this.entries.keys()];
  }

  get(name: TicketProviderName): TicketProvider {
    return this.entry(name).provider;
  }

  searchConsistencyMs(name: TicketProviderName): number {
    return this.entry(name).searchConsistencyMs;
  }

  serviceNow(): ServiceNowProvider | undefined {
    return this.entries.get('servicenow')?.provider as ServiceNowProvider | undefined;
  }

  private entry(name: TicketProviderName): Entry {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new PermanentError(
        `ticket provider ${name} is not enabled (TICKET_PROVIDERS) but the ledger has tickets on it`,
      );
    }
    return entry;
  }
}
