import path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import { EventProducer, followerProvider, KafkaModule, kafkaSettingsFromEnv } from '@hum/kafka';
import {
  LOGGER,
  type Logger,
  METRICS_REGISTRY,
  ObservabilityModule,
  OPS_TOKEN,
  OpsTokenGuard,
} from '@hum/observability';
import { type Database, serviceDatabaseProviders } from '@hum/persistence';
import { PolicyFollower, policyMetricsProvider } from '@hum/policy';
import type { ServiceRuntime } from '@hum/runtime';
import { TicketRouting } from '@hum/ticketing';
import { AcceptanceFeed } from './acceptances/acceptance-feed';
import { AcceptanceSync } from './acceptances/acceptance-sync';
import { type DispatcherConfig, SERVICE_NAME } from './config';
import { DispatcherMetrics } from './dispatcher-metrics';
import { DispatchEngine } from './dispatch/dispatch-engine';
import { GroupPlanner } from './dispatch/group-plan';
import { slaFromPolicy } from './dispatch/sla';
import { TicketComposer } from './dispatch/ticket-composer';
import { DispatchHandlers } from './handlers/dispatch.handlers';
import { RemoteJournal } from './ledger/remote-journal';
import { type DispatcherDatabase, dispatcherMigrations } from './ledger/schema';
import { SyncState } from './ledger/sync-state';
import { PolicyLifecycle } from './policy-lifecycle';
import { TicketProviders } from './providers/ticket-providers';
import { ReconcileController } from './reconcile/reconcile.controller';
import { ReconcileSchedule } from './reconcile/reconcile-schedule';
import { Reconciler } from './reconcile/reconciler';
import { loadRouting } from './routing';
import { HumanChangeRecorder } from './sync/human-changes';
import { JiraWebhookController, type WebhookSecrets } from './sync/jira-webhook.controller';
import { ServiceNowPoller } from './sync/servicenow-poller';
import {
  DISPATCHER_CLOCK,
  DISPATCHER_CONFIG,
  LEDGER_DATABASE,
  LEDGER_DB,
  WEBHOOK_SECRETS,
} from './tokens';

@Module({})
export class TicketDispatcherModule {
  static register(config: DispatcherConfig, runtime: ServiceRuntime): DynamicModule {
    // Read and validated before Nest builds anything: a bad routing file stops the start
    // here, naming the file, line and field.
    const routing = loadRouting(config);
    if (routing.detailUrlTemplate() === undefined) {
      runtime.logger.warn(
        'tickets cut to fit a field limit will not link to their whole finding list: set HUM_CONSOLE_URL (or tickets.detailUrl in the routing file)',
      );
    }
    const secrets: WebhookSecrets = {
      ...(config.JIRA_CLOUD_WEBHOOK_SECRET
        ? { 'jira-cloud': config.JIRA_CLOUD_WEBHOOK_SECRET }
        : {}),
      ...(config.JIRA_DC_WEBHOOK_SECRET ? { 'jira-dc': config.JIRA_DC_WEBHOOK_SECRET } : {}),
    };
    return {
      module: TicketDispatcherModule,
      imports: [
        ObservabilityModule.forRoot({
          logger: runtime.logger,
          registry: runtime.registry,
          opsToken: config.HUM_OPS_TOKEN,
        }),
        KafkaModule.forRoot({
          settings: kafkaSettingsFromEnv(config, SERVICE_NAME),
          service: SERVICE_NAME,
          produces: [TOPICS.ticketsEvents, TOPICS.auditLog],
          follows: [TOPICS.riskAcceptances],
          consumer: {
            groupId: config.TICKET_CONSUMER_GROUP,
            delivery: 'exactly-once',
            topics: [TOPICS.findingsClassified, TOPICS.findingsResolved, TOPICS.remediationEvents],
            maxBatchSize: config.TICKET_BATCH_SIZE,
            partitionsConsumedConcurrently: config.TICKET_PARTITION_CONCURRENCY,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
            retry: {
              maxAttempts: config.TICKET_MAX_ATTEMPTS,
              initialDelayMs: config.TICKET_RETRY_INITIAL,
              maxDelayMs: config.TICKET_RETRY_MAX,
            },
          },
        }),
      ],
      controllers: [JiraWebhookController, ReconcileController],
      providers: [
        { provide: DISPATCHER_CONFIG, useValue: config },
        // The reconcile endpoint uses the ops token guard outside ObservabilityModule.
        { provide: OPS_TOKEN, useValue: config.HUM_OPS_TOKEN },
        OpsTokenGuard,
        { provide: DISPATCHER_CLOCK, useValue: systemClock },
        { provide: TicketRouting, useValue: routing },
        { provide: WEBHOOK_SECRETS, useValue: secrets },
        {
          provide: DispatcherMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new DispatcherMetrics(registry),
        },
        ...serviceDatabaseProviders({
          connection: {
            url: config.DATABASE_URL,
            dataDir: path.join(config.HUM_DATA_DIR, SERVICE_NAME),
            schema: config.DATABASE_SCHEMA,
            poolMax: config.DATABASE_POOL_SIZE,
          },
          migrations: dispatcherMigrations,
          provide: { database: LEDGER_DATABASE, db: LEDGER_DB },
        }),
        {
          provide: RemoteJournal,
          inject: [LEDGER_DATABASE],
          useFactory: (database: Database<DispatcherDatabase>) =>
            new RemoteJournal(database.db, database.kind === 'postgres'),
        },
        {
          provide: SyncState,
          inject: [LEDGER_DB],
          useFactory: (db: Kysely<DispatcherDatabase>) => new SyncState(db),
        },
        {
          provide: TicketProviders,
          inject: [DispatcherMetrics, LOGGER, DISPATCHER_CLOCK],
          useFactory: (metrics: DispatcherMetrics, logger: Logger, clock: Clock) =>
            TicketProviders.fromConfig(
              config,
              routing,
              metrics,
              logger.child({ context: 'TicketProviders' }),
              clock,
            ),
        },
        followerProvider(PolicyFollower, PolicyFollower, SERVICE_NAME),
        policyMetricsProvider(),
        PolicyLifecycle,
        followerProvider(AcceptanceFeed, AcceptanceFeed, SERVICE_NAME),
        { provide: TicketComposer, useValue: new TicketComposer(routing) },
        {
          provide: GroupPlanner,
          inject: [PolicyFollower],
          useFactory: (follower: PolicyFollower) =>
            new GroupPlanner(slaFromPolicy(() => follower.current())),
        },
        {
          provide: DispatchEngine,
          inject: [
            LEDGER_DB,
            TicketProviders,
            GroupPlanner,
            TicketComposer,
            RemoteJournal,
            AcceptanceFeed,
            DISPATCHER_CLOCK,
            DispatcherMetrics,
            LOGGER,
          ],
          useFactory: (
            db: Kysely<DispatcherDatabase>,
            providers: TicketProviders,
            planner: GroupPlanner,
            composer: TicketComposer,
            journal: RemoteJournal,
            acceptances: AcceptanceFeed,
            clock: Clock,
            metrics: DispatcherMetrics,
            logger: Logger,
          ) =>
            new DispatchEngine({
              db,
              routing,
              providers,
              planner,
              composer,
              journal,
              acceptances,
              clock,
              syncConcurrency: config.TICKET_SYNC_CONCURRENCY,
              maxRetryDelayMs: Math.min(
                config.TICKET_RETRY_MAX,
                Math.floor(config.KAFKA_SESSION_TIMEOUT / 3),
              ),
              metrics,
              logger: logger.child({ context: DispatchEngine.name }),
            }),
        },
        {
          provide: HumanChangeRecorder,
          inject: [LEDGER_DB, EventProducer, DispatcherMetrics, LOGGER, DISPATCHER_CLOCK],
          useFactory: (
            db: Kysely<DispatcherDatabase>,
            producer: EventProducer,
            metrics: DispatcherMetrics,
            logger: Logger,
            clock: Clock,
          ) =>
            new HumanChangeRecorder(
              db,
              routing,
              producer,
              metrics,
              logger.child({ context: HumanChangeRecorder.name }),
              clock,
            ),
        },
        DispatchHandlers,
        Reconciler,
        ReconcileSchedule,
        ServiceNowPoller,
        AcceptanceSync,
      ],
    };
  }
}
