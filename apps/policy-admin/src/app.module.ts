import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  ACCESS_DENIALS,
  API_KEY_STORE,
  AUTHENTICATOR,
  AccessGuard,
  OidcVerifier,
  parseBootstrapUsers,
  parseRoles,
  type Role,
  SessionTokens,
} from '@hum/auth';
import { systemClock } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import { KafkaModule, kafkaSettingsFromEnv } from '@hum/kafka';
import { HealthCheckRegistry, ObservabilityModule } from '@hum/observability';
import type { ServiceRuntime } from '@hum/runtime';
import { AcceptancesService } from './acceptances/acceptances.service';
import { AcceptancesController } from './api/acceptances.controller';
import { ActivityController } from './api/activity.controller';
import { ApiKeysController } from './api/api-keys.controller';
import { AuditController } from './api/audit.controller';
import { AuthController } from './api/auth.controller';
import { ConsoleController } from './api/console.controller';
import { DlqController } from './api/dlq.controller';
import { PolicyController } from './api/policy.controller';
import { ProposalsController } from './api/proposals.controller';
import { UsersController } from './api/users.controller';
import { WhatIfController } from './api/what-if.controller';
import { ApiKeysService } from './api-keys/api-keys.service';
import { ChangeRunner } from './audit/change-runner';
import { DeniedAttempts } from './audit/denied-attempts';
import { AdminAuthenticator, OIDC_VERIFIER } from './auth/admin-authenticator';
import { DbApiKeyStore } from './auth/db-api-key-store';
import {
  BOOTSTRAP_USERS,
  type BootstrapSettings,
  LocalUsersService,
} from './auth/local-users.service';
import { SESSION_TOKENS, SessionsService } from './auth/sessions.service';
import { type AdminConfig, SERVICE_NAME } from './config';
import { type AdminStorage, openAdminStorage } from './database/admin-storage';
import { DlqService } from './dlq/dlq.service';
import { ExpiryJob } from './jobs/expiry.job';
import { RelayService } from './outbox/relay.service';
import { PolicyService } from './policy/policy.service';
import { ReadModelHandlers } from './read-model/read-model.handlers';
import { ApiKeyUsageHandler } from './api-keys/api-key-usage.handler';
import { WhatIfService } from './what-if/what-if.service';
import { ADMIN_CLOCK, ADMIN_DB, ADMIN_SETTINGS, ADMIN_STORAGE, type AdminSettings } from './tokens';

@Injectable()
class StorageLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(ADMIN_STORAGE) private readonly storage: AdminStorage,
    health: HealthCheckRegistry,
  ) {
    health.register({
      name: 'database',
      check: async () => {
        await storage.database.ping();
        return { kind: storage.database.kind };
      },
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.storage.database.close();
  }
}

function oidcVerifier(config: AdminConfig): OidcVerifier | null {
  if (config.OIDC_ISSUER === undefined || config.OIDC_AUDIENCE === undefined) return null;
  const mapping =
    config.OIDC_ROLE_MAP === undefined
      ? undefined
      : new Map<string, Role[]>(
          config.OIDC_ROLE_MAP.map((entry) => {
            const [group, roles] = entry.split('=') as [string, string];
            return [group.trim(), [...parseRoles(roles.split('+'))]];
          }),
        );
  return new OidcVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    rolesClaim: config.OIDC_ROLES_CLAIM,
    usernameClaim: config.OIDC_USERNAME_CLAIM,
    ...(config.OIDC_JWKS_URL !== undefined ? { jwksUri: config.OIDC_JWKS_URL } : {}),
    ...(mapping !== undefined ? { roleMapping: mapping } : {}),
  });
}

@Module({})
export class PolicyAdminModule {
  static register(config: AdminConfig, runtime: ServiceRuntime): DynamicModule {
    const settings: AdminSettings = {
      proposalTtlMs: config.ADMIN_PROPOSAL_TTL,
      sessionTtlMs: config.ADMIN_SESSION_TTL,
      cookieSecure: config.ADMIN_COOKIE_SECURE,
      localUsers: config.ADMIN_LOCAL_USERS,
      expiryIntervalMs: config.ADMIN_EXPIRY_INTERVAL,
      outboxPollMs: config.ADMIN_OUTBOX_POLL,
      readModelRetentionMs: config.ADMIN_READ_MODEL_RETENTION,
      whatIfMaxDays: config.ADMIN_WHATIF_MAX_DAYS,
      loginRatePerMinute: config.ADMIN_LOGIN_RATE_PER_MINUTE,
    };
    const bootstrap: BootstrapSettings = {
      users: parseBootstrapUsers(config.ADMIN_BOOTSTRAP_USERS),
      credentialsFile: config.ADMIN_BOOTSTRAP_CREDENTIALS_FILE,
    };
    return {
      module: PolicyAdminModule,
      imports: [
        ObservabilityModule.forRoot({
          logger: runtime.logger,
          registry: runtime.registry,
          opsToken: config.HUM_OPS_TOKEN,
        }),
        KafkaModule.forRoot({
          settings: kafkaSettingsFromEnv(config, SERVICE_NAME),
          service: SERVICE_NAME,
          produces: [
            TOPICS.policyState,
            TOPICS.auditLog,
            TOPICS.apiKeysState,
            TOPICS.riskAcceptances,
          ],
          consumer: {
            groupId: SERVICE_NAME,
            // Every read-model write is idempotent on a natural key: at-least-once is enough.
            delivery: 'at-least-once',
            topics: [
              TOPICS.findingsClassified,
              TOPICS.findingsResolved,
              TOPICS.ticketsEvents,
              TOPICS.remediationEvents,
              TOPICS.auditLog,
              TOPICS.apiKeysUsage,
            ],
            maxBatchSize: 500,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
          },
        }),
      ],
      controllers: [
        AuthController,
        PolicyController,
        ProposalsController,
        ApiKeysController,
        AcceptancesController,
        AuditController,
        ActivityController,
        DlqController,
        WhatIfController,
        UsersController,
        ConsoleController,
      ],
      providers: [
        {
          provide: ADMIN_STORAGE,
          useFactory: () => openAdminStorage(config),
        },
        { provide: ADMIN_DB, inject: [ADMIN_STORAGE], useFactory: (s: AdminStorage) => s.db },
        { provide: ADMIN_CLOCK, useValue: systemClock },
        { provide: ADMIN_SETTINGS, useValue: settings },
        { provide: BOOTSTRAP_USERS, useValue: bootstrap },
        {
          provide: SESSION_TOKENS,
          inject: [ADMIN_STORAGE],
          useFactory: (s: AdminStorage) => new SessionTokens(s.sessionKey),
        },
        { provide: OIDC_VERIFIER, useValue: oidcVerifier(config) },
        {
          provide: API_KEY_STORE,
          inject: [ADMIN_STORAGE],
          useFactory: (s: AdminStorage) => new DbApiKeyStore(s.db),
        },
        { provide: AUTHENTICATOR, useExisting: AdminAuthenticator },
        { provide: ACCESS_DENIALS, useExisting: DeniedAttempts },
        StorageLifecycle,
        RelayService,
        ChangeRunner,
        DeniedAttempts,
        LocalUsersService,
        SessionsService,
        AdminAuthenticator,
        AccessGuard,
        PolicyService,
        ApiKeysService,
        AcceptancesService,
        ReadModelHandlers,
        ApiKeyUsageHandler,
        DlqService,
        WhatIfService,
        ExpiryJob,
      ],
    };
  }
}
