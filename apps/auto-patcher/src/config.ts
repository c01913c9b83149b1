import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  ConfigFileError,
  envBool,
  envDuration,
  envInt,
  envString,
  envUrl,
  loadConfig,
  secret,
  type Secret,
} from '@hum/config';
import { kafkaEnvChecks, kafkaEnvShape } from '@hum/kafka';
import { credentialVariables, parsePatchingConfig, type PatchingConfig } from '@hum/patching';
import { serviceEnvShape } from '@hum/runtime';

export const SERVICE_NAME = 'auto-patcher';

export const patcherEnvSchema = z
  .object({
    ...serviceEnvShape(8083),
    ...kafkaEnvShape,
    /** PostgreSQL for the attempt ledger; without it the embedded PGlite in HUM_DATA_DIR. */
    DATABASE_URL: secret(envUrl({ protocols: ['postgres', 'postgresql'] })).optional(),
    DATABASE_SCHEMA: envString({
      pattern: /^[a-z_][a-z0-9_]{0,62}$/,
      description: 'a lowercase SQL identifier',
    }).default('auto_patcher'),
    HUM_DATA_DIR: envString().default(path.join(process.cwd(), '.hum-data')),
    /** Hosts, credentials' variable names and strategy rules (docs/patching.md); none: nothing is patched. */
    PATCHER_CONFIG_FILE: envString().optional(),
    /** Bearer token of operators: resume an auto-paused tier, read pauses. */
    PATCHER_OPERATOR_TOKEN: secret(envString({ minLength: 16 })),
    /** hum's own base URL as executors reach it, for webhook callbacks. */
    PATCHER_PUBLIC_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
    PATCHER_CONCURRENCY: envInt({ min: 1, max: 32 }).default(4),
    /** How often the executor looks for work queued by other replicas. */
    PATCHER_POLL_INTERVAL: envDuration({ minMs: 50, maxMs: 60_000 }).default(1_000),
    /** A claimed attempt whose owner stops renewing this long is taken over (and reconciled). */
    PATCHER_LEASE: envDuration({ minMs: 1_000, maxMs: 3_600_000 }).default(120_000),
    /** Attempts of one patch through transient API faults before it fails. */
    PATCHER_MAX_TRIES: envInt({ min: 1, max: 50 }).default(5),
    PATCHER_ALLOW_MAJOR_UPGRADES: envBool().default(false),
    /** Failure share (%) of a tier's patches in the window that pauses the tier. */
    AUTO_PAUSE_FAILURE_RATE: envInt({ min: 1, max: 100 }).default(50),
    /** ...counted only from this many finished patches in the window. */
    AUTO_PAUSE_MIN_OUTCOMES: envInt({ min: 1, max: 10_000 }).default(4),
    AUTO_PAUSE_WINDOW: envDuration({ minMs: 60_000, maxMs: 7 * 86_400_000 }).default(3_600_000),
    /** How long start-up waits to read policy.state to its end before giving up. */
    PATCHER_POLICY_LOAD_TIMEOUT: envDuration({ minMs: 1_000, maxMs: 600_000 }).default(60_000),
    PATCHER_BATCH_SIZE: envInt({ min: 1, max: 5_000 }).default(200),
    /** How often a tier's backlog held back by budgets is tried again (and gates re-read). */
    PATCHER_BACKLOG_INTERVAL: envDuration({ minMs: 100, maxMs: 3_600_000 }).default(30_000),
  })
  .check(...kafkaEnvChecks);

export type PatcherEnv = z.output<typeof patcherEnvSchema>;

export type PatcherConfig = PatcherEnv & {
  readonly patching: PatchingConfig;
  /** The credentials the configuration file names, by variable. */
  readonly credentials: ReadonlyMap<string, Secret>;
};

const EMPTY: PatchingConfig = {
  version: 1,
  github: [],
  gitlab: [],
  awx: [],
  webhook: [],
  rules: [],
};

/**
 * Environment first, then the configuration file it names, then the credential variables the
 * file names (each may be given as `<NAME>_FILE`). Every problem ends the start with exit 78.
 */
export function loadPatcherConfig(env: NodeJS.ProcessEnv): PatcherConfig {
  const base = loadConfig(patcherEnvSchema, { service: SERVICE_NAME, env });
  let patching = EMPTY;
  if (base.PATCHER_CONFIG_FILE !== undefined) {
    try {
      patching = parsePatchingConfig(
        readFileSync(base.PATCHER_CONFIG_FILE, 'utf8'),
        base.PATCHER_CONFIG_FILE,
      );
    } catch (error) {
      const message =
        error instanceof ConfigFileError
          ? error.message
          : `cannot read ${base.PATCHER_CONFIG_FILE}: ${error instanceof Error ? error.message : String(error)}`;
      throw new ConfigError(SERVICE_NAME, [{ variable: 'PATCHER_CONFIG_FILE', message }]);
    }
  }
  const names = credentialVariables(patching);
  const credentialSchema = z.object(
    Object.fromEntries(names.map((name) => [name, secret(envString({ minLength: 8 }))])),
  );
  const loaded = loadConfig(credentialSchema, { service: SERVICE_NAME, env }) as Record<
    string,
    Secret
  >;
  if (
    base.PATCHER_PUBLIC_URL === undefined &&
    patching.webhook.some((h) => h.result === 'callback')
  )
    throw new ConfigError(SERVICE_NAME, [
      {
        variable: 'PATCHER_PUBLIC_URL',
        message: 'required when a webhook host reports results by callback',
      },
    ]);
  return Object.freeze({
    ...base,
    patching,
    credentials: new Map(names.map((name) => [name, loaded[name]!])),
  });
}
