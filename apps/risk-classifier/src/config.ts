import path from 'node:path';
import { z } from 'zod';
import { envInt, envString, envUrl, loadConfig, secret } from '@hum/config';
import { kafkaEnvChecks, kafkaEnvShape } from '@hum/kafka';
import { serviceEnvShape } from '@hum/runtime';

export const SERVICE_NAME = 'risk-classifier';

export const classifierConfigSchema = z
  .object({
    ...serviceEnvShape(8081),
    ...kafkaEnvShape,
    /** PostgreSQL for the finding inventory; without it the embedded PGlite in HUM_DATA_DIR. */
    DATABASE_URL: secret(envUrl({ protocols: ['postgres', 'postgresql'] })).optional(),
    /** The classifier's own PostgreSQL schema (one per service; tests use a unique one). */
    DATABASE_SCHEMA: envString({
      pattern: /^[a-z_][a-z0-9_]{0,62}$/,
      description: 'a lowercase SQL identifier',
    }).default('risk_classifier'),
    HUM_DATA_DIR: envString().default(path.join(process.cwd(), '.hum-data')),
    /** The risk policy (docs/risk.md); the bundled default when unset. */
    RISK_POLICY_FILE: envString().optional(),
    ASSET_CATALOGUE_FILE: envString().optional(),
    INTEL_KEV_FILE: envString().optional(),
    INTEL_EPSS_FILE: envString().optional(),
    /** Largest share (%) of a scope's open findings one scan may resolve. */
    BREAKER_MAX_PERCENT: envInt({ min: 1, max: 100 }).default(50),
    /** The breaker applies from this many open findings in the scope. */
    BREAKER_MIN_OPEN: envInt({ min: 1, max: 1_000_000 }).default(10),
    /**
     * Pipeline API keys allowed to read the gate, from a file (hashes only; the gateway's
     * format). Unset: the keys policy-admin manages, followed live on `apikeys.state`.
     */
    API_KEYS_FILE: envString().optional(),
    CLASSIFIER_BATCH_SIZE: envInt({ min: 1, max: 5_000 }).default(500),
    CLASSIFIER_PARTITION_CONCURRENCY: envInt({ min: 1, max: 32 }).default(3),
  })
  .check(...kafkaEnvChecks);

export type ClassifierConfig = z.output<typeof classifierConfigSchema>;

export function loadClassifierConfig(env: NodeJS.ProcessEnv): ClassifierConfig {
  return loadConfig(classifierConfigSchema, { service: SERVICE_NAME, env });
}
