import path from 'node:path';
import { z } from 'zod';
import {
  envBool,
  envDuration,
  envEnum,
  envInt,
  envList,
  envString,
  envUrl,
  loadConfig,
  secret,
} from '@hum/config';
import { TICKET_PROVIDERS, type TicketProviderName } from '@hum/contracts';
import { kafkaEnvChecks, kafkaEnvShape } from '@hum/kafka';
import { serviceEnvShape } from '@hum/runtime';

export const SERVICE_NAME = 'ticket-dispatcher';

const httpUrl = () => envUrl({ protocols: ['https', 'http'] });

export const dispatcherConfigSchema = z
  .object({
    // 8082, as in docker-compose.yml and the quickstart: the auto-patcher listens on 8083.
    ...serviceEnvShape(8082),
    ...kafkaEnvShape,
    /** PostgreSQL for the ticket ledger; without it the embedded PGlite in HUM_DATA_DIR. */
    DATABASE_URL: secret(envUrl({ protocols: ['postgres', 'postgresql'] })).optional(),
    DATABASE_SCHEMA: envString({
      pattern: /^[a-z_][a-z0-9_]{0,62}$/,
      description: 'a lowercase SQL identifier',
    }).default('ticket_dispatcher'),
    DATABASE_POOL_SIZE: envInt({ min: 2, max: 100 }).default(12),
    HUM_DATA_DIR: envString().default(path.join(process.cwd(), '.hum-data')),

    /** Which trackers this instance talks to; each needs its own variables below. */
    TICKET_PROVIDERS: envList(envEnum(TICKET_PROVIDERS)),
    /** Routing rules, grouping, priority and field mappings (YAML, docs/tickets.md). */
    TICKET_ROUTING_FILE: envString(),
    /**
     * Where people reach policy-admin (its console is under /console). A ticket cut to fit a
     * field limit links to its group's console page unless the routing file names another
     * page (tickets.detailUrl).
     */
    HUM_CONSOLE_URL: httpUrl().optional(),

    JIRA_CLOUD_URL: httpUrl().optional(),
    JIRA_CLOUD_EMAIL: envString().optional(),
    JIRA_CLOUD_API_TOKEN: secret().optional(),
    /** Shared secret of the Jira Cloud webhook; the webhook endpoint is off without it. */
    JIRA_CLOUD_WEBHOOK_SECRET: secret(envString({ minLength: 16 })).optional(),
    JIRA_DC_URL: httpUrl().optional(),
    JIRA_DC_TOKEN: secret().optional(),
    JIRA_DC_WEBHOOK_SECRET: secret(envString({ minLength: 16 })).optional(),
    SERVICENOW_URL: httpUrl().optional(),
    SERVICENOW_TABLE: envString({
      pattern: /^[a-z][a-z0-9_]{0,79}$/,
      description: 'a table name',
    }).default('incident'),
    SERVICENOW_AUTH: envEnum(['basic', 'oauth'] as const).default('basic'),
    /** The integration user (basic auth, OAuth password grant, or the OAuth application user). */
    SERVICENOW_USERNAME: envString().optional(),
    SERVICENOW_PASSWORD: secret().optional(),
    SERVICENOW_CLIENT_ID: envString().optional(),
    SERVICENOW_CLIENT_SECRET: secret().optional(),
    SERVICENOW_DESCRIPTION_LIMIT: envInt({ min: 160, max: 1_000_000 }).default(4_000),
    /** How often ServiceNow is asked for changes people made (it has no webhooks here). */
    SERVICENOW_POLL_INTERVAL: envDuration({ minMs: 1_000, maxMs: 86_400_000 }).default(60_000),

    /** Requests per second per tracker site, shared by every worker of this instance. */
    TICKET_RATE_LIMIT: envInt({ min: 1, max: 10_000 }).default(10),
    TICKET_RATE_BURST: envInt({ min: 1, max: 10_000 }).optional(),
    TICKET_HTTP_TIMEOUT: envDuration({ minMs: 500, maxMs: 300_000 }).default(15_000),
    TICKET_BREAKER_FAILURES: envInt({ min: 1, max: 1_000 }).default(5),
    TICKET_BREAKER_OPEN: envDuration({ minMs: 100, maxMs: 3_600_000 }).default(30_000),
    /** Attempts per event (with backoff and jitter) before it goes to the DLQ. */
    TICKET_MAX_ATTEMPTS: envInt({ min: 1, max: 100 }).default(6),
    TICKET_RETRY_INITIAL: envDuration({ minMs: 10, maxMs: 600_000 }).default(500),
    /**
     * Longest wait between attempts. Unset: 10 s, or half of KAFKA_SESSION_TIMEOUT when that
     * is shorter (the consumer sends no heartbeat while it waits).
     */
    TICKET_RETRY_MAX: envDuration({ minMs: 10, maxMs: 3_600_000 }).optional(),
    /**
     * How long a Jira search may lag behind a create: within it, a create whose answer was
     * lost is waited for rather than repeated.
     */
    TICKET_SEARCH_CONSISTENCY: envDuration({ minMs: 0, maxMs: 600_000 }).default(30_000),
    /** Consumer group (and transactional id base); one per dispatcher deployment. */
    TICKET_CONSUMER_GROUP: envString({
      pattern: /^[A-Za-z0-9._-]{1,200}$/,
      description: 'letters, digits, ._-',
    }).default(SERVICE_NAME),
    TICKET_BATCH_SIZE: envInt({ min: 1, max: 1_000 }).default(25),
    /**
     * Input partitions worked on at once: findings.classified has 6, and a batch spends most
     * of its time waiting on the tracker, so fewer leaves records queued behind idle CPU.
     */
    TICKET_PARTITION_CONCURRENCY: envInt({ min: 1, max: 32 }).default(6),
    /**
     * Groups synced to the tracker at once within one batch: a whole default batch, so its
     * creates take one tracker round trip (the site's rate limiter still paces them).
     */
    TICKET_SYNC_CONCURRENCY: envInt({ min: 1, max: 64 }).default(25),
    /** How often the ledger is compared with the trackers; 0 turns the schedule off. */
    RECONCILE_INTERVAL: envDuration({ minMs: 0, maxMs: 7 * 86_400_000 }).default(3_600_000),
    RECONCILE_ON_START: envBool().default(false),
    /** How often tickets are checked for acceptances whose expiry has passed. */
    ACCEPTANCE_SWEEP_INTERVAL: envDuration({ minMs: 1_000, maxMs: 86_400_000 }).default(60_000),
  })
  .check(...kafkaEnvChecks)
  .check(
    z.superRefine<{
      TICKET_PROVIDERS: TicketProviderName[];
      SERVICENOW_AUTH: 'basic' | 'oauth';
      [variable: string]: unknown;
    }>(
      (config, ctx) => {
        const need = (provider: TicketProviderName, variables: readonly string[]): void => {
          if (!config.TICKET_PROVIDERS.includes(provider)) return;
          for (const variable of variables) {
            if (config[variable] === undefined) {
              ctx.addIssue({
                code: 'custom',
                path: [variable],
                message: `required when TICKET_PROVIDERS includes ${provider}`,
              });
            }
          }
        };
        need('jira-cloud', ['JIRA_CLOUD_URL', 'JIRA_CLOUD_EMAIL', 'JIRA_CLOUD_API_TOKEN']);
        need('jira-dc', ['JIRA_DC_URL', 'JIRA_DC_TOKEN']);
        need(
          'servicenow',
          config.SERVICENOW_AUTH === 'basic'
            ? ['SERVICENOW_URL', 'SERVICENOW_USERNAME', 'SERVICENOW_PASSWORD']
            : [
                'SERVICENOW_URL',
                'SERVICENOW_USERNAME',
                'SERVICENOW_CLIENT_ID',
                'SERVICENOW_CLIENT_SECRET',
              ],
        );
        const retryMax = config['TICKET_RETRY_MAX'];
        const session = config['KAFKA_SESSION_TIMEOUT'];
        if (typeof retryMax === 'number' && typeof session === 'number' && retryMax * 2 > session) {
          ctx.addIssue({
            code: 'custom',
            path: ['TICKET_RETRY_MAX'],
            message: `must be at most half of KAFKA_SESSION_TIMEOUT (${session} ms): the consumer sends no heartbeat while it waits between attempts`,
          });
        }
        if (config.TICKET_PROVIDERS.length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['TICKET_PROVIDERS'],
            message: 'name at least one provider',
          });
        }
      },
      // Report these alongside any other invalid variable, in one start-up attempt.
      { when: () => true },
    ),
  );

export type DispatcherConfig = Readonly<
  Omit<z.output<typeof dispatcherConfigSchema>, 'TICKET_RETRY_MAX'> & { TICKET_RETRY_MAX: number }
>;

const DEFAULT_RETRY_MAX_MS = 10_000;

export function loadDispatcherConfig(env: NodeJS.ProcessEnv): DispatcherConfig {
  const config = loadConfig(dispatcherConfigSchema, { service: SERVICE_NAME, env });
  // A default that contradicted a shorter (valid) session timeout would stop the start.
  return Object.freeze({
    ...config,
    TICKET_RETRY_MAX:
      config.TICKET_RETRY_MAX ??
      Math.min(DEFAULT_RETRY_MAX_MS, Math.floor(config.KAFKA_SESSION_TIMEOUT / 2)),
  });
}
