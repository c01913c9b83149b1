import path from 'node:path';
import { z } from 'zod';
import {
  envBool,
  envDuration,
  envInt,
  envList,
  envString,
  envUrl,
  loadConfig,
  secret,
} from '@hum/config';
import { BootstrapUsersError, parseBootstrapUsers } from '@hum/auth';
import { kafkaEnvChecks, kafkaEnvShape } from '@hum/kafka';
import { MAX_PROPOSAL_TTL_MS, MIN_PROPOSAL_TTL_MS } from '@hum/policy';
import { serviceEnvShape } from '@hum/runtime';

export const SERVICE_NAME = 'policy-admin';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const adminConfigSchema = z
  .object({
    ...serviceEnvShape(8084),
    ...kafkaEnvShape,
    /** PostgreSQL for policy, proposals, keys, audit and the read model; else embedded PGlite. */
    DATABASE_URL: secret(envUrl({ protocols: ['postgres', 'postgresql'] })).optional(),
    DATABASE_SCHEMA: envString({
      pattern: /^[a-z_][a-z0-9_]{0,62}$/,
      description: 'a lowercase SQL identifier',
    }).default('policy_admin'),
    HUM_DATA_DIR: envString().default(path.join(process.cwd(), '.hum-data')),

    /**
     * Signs session tokens and CSRF tokens (at least 32 characters). Unset: a random key is
     * made on first start and kept in the database, shared by every replica.
     */
    ADMIN_SESSION_SECRET: secret(envString({ minLength: 32 })).optional(),
    /** How long a console or API session lasts after login. */
    ADMIN_SESSION_TTL: envDuration({ minMs: 5 * MINUTE, maxMs: 7 * DAY }).default(8 * HOUR),
    /** Secure cookies need HTTPS (browsers also accept them on http://localhost). */
    ADMIN_COOKIE_SECURE: envBool().default(true),
    /** Local users with passwords (the quickstart default); turn off where OIDC is the way in. */
    ADMIN_LOCAL_USERS: envBool().default(true),
    /**
     * Created with random passwords when there are no local users yet: `name:role+role`, comma
     * separated. Two people by default, so the two-person rule works from the first minute.
     */
    ADMIN_BOOTSTRAP_USERS: envList().default(['admin:admin+operator', 'approver:approver']),
    /** Where the bootstrap passwords go (mode 0600) instead of being printed once on stdout. */
    ADMIN_BOOTSTRAP_CREDENTIALS_FILE: envString().optional(),
    /** Logins per minute per client address (and per user name), failures included. */
    ADMIN_LOGIN_RATE_PER_MINUTE: envInt({ min: 1, max: 10_000 }).default(10),

    /** OpenID Connect issuer: when set, bearer JWTs from it are accepted. */
    OIDC_ISSUER: envUrl({ protocols: ['https', 'http'] }).optional(),
    OIDC_AUDIENCE: envString().optional(),
    /** The key set URL; by default the `jwks_uri` of the issuer's discovery document. */
    OIDC_JWKS_URL: envUrl({ protocols: ['https', 'http'] }).optional(),
    OIDC_ROLES_CLAIM: envString().default('roles'),
    OIDC_USERNAME_CLAIM: envString().default('preferred_username'),
    /** `claim-value=role+role`, comma separated; unset: claim values are role names. */
    OIDC_ROLE_MAP: envList(
      envString({ pattern: /^[^=]+=[a-z+]+$/, description: 'group=role+role' }),
    ).optional(),

    /** How long a proposal waits for its approver before it expires. */
    ADMIN_PROPOSAL_TTL: envDuration({
      minMs: MIN_PROPOSAL_TTL_MS,
      maxMs: MAX_PROPOSAL_TTL_MS,
    }).default(DAY),
    /** How often expiries (proposals, acceptances, keys) are looked for. */
    ADMIN_EXPIRY_INTERVAL: envDuration({ minMs: 1_000, maxMs: HOUR }).default(30_000),
    /** How often the outbox is checked besides the wake-up after each change. */
    ADMIN_OUTBOX_POLL: envDuration({ minMs: 50, maxMs: MINUTE }).default(2_000),
    /** How long classified findings are kept for the what-if view and the read model. */
    ADMIN_READ_MODEL_RETENTION: envDuration({ minMs: DAY, maxMs: 730 * DAY }).default(90 * DAY),
    ADMIN_WHATIF_MAX_DAYS: envInt({ min: 1, max: 365 }).default(30),
  })
  .check(...kafkaEnvChecks)
  .check(
    z.superRefine((config, ctx) => {
      if (config.OIDC_ISSUER !== undefined && config.OIDC_AUDIENCE === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_AUDIENCE'],
          message: 'required when OIDC_ISSUER is set',
        });
      try {
        parseBootstrapUsers(config.ADMIN_BOOTSTRAP_USERS);
      } catch (error) {
        if (!(error instanceof BootstrapUsersError)) throw error;
        ctx.addIssue({ code: 'custom', path: ['ADMIN_BOOTSTRAP_USERS'], message: error.message });
      }
      if (!config.ADMIN_LOCAL_USERS && config.OIDC_ISSUER === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_ISSUER'],
          message: 'required when ADMIN_LOCAL_USERS is false: nobody could log in',
        });
    }),
  );

export type AdminConfig = z.output<typeof adminConfigSchema>;

export function loadAdminConfig(env: NodeJS.ProcessEnv): AdminConfig {
  return loadConfig(adminConfigSchema, { service: SERVICE_NAME, env });
}
