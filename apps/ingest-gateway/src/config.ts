import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { envInt, envString, loadConfig } from '@hum/config';
import { kafkaEnvChecks, kafkaEnvShape } from '@hum/kafka';
import { serviceEnvShape } from '@hum/runtime';

export const SERVICE_NAME = 'ingest-gateway';

export const gatewayConfigSchema = z
  .object({
    ...serviceEnvShape(8080),
    ...kafkaEnvShape,
    /**
     * YAML/JSON file of API key records (hashes only), e.g. written by `hum keys`. Unset: the
     * keys policy-admin manages, followed live on `apikeys.state`.
     */
    GATEWAY_API_KEYS_FILE: envString().optional(),
    /** Largest report accepted, after decompression (bytes). */
    GATEWAY_MAX_REPORT_BYTES: envInt({ min: 1_024, max: 4 * 1024 ** 3 }).default(512 * 1024 ** 2),
    GATEWAY_MAX_FINDINGS: envInt({ min: 1, max: 10_000_000 }).default(1_000_000),
    /** Reports per minute per API key, and the burst allowed. */
    GATEWAY_RATE_PER_MINUTE: envInt({ min: 1, max: 100_000 }).default(120),
    GATEWAY_RATE_BURST: envInt({ min: 1, max: 10_000 }).default(20),
    /** Concurrent all-or-nothing publishes (one transactional producer each). */
    GATEWAY_PUBLISHERS: envInt({ min: 1, max: 16 }).default(2),
    GATEWAY_SPOOL_DIR: envString().default(path.join(tmpdir(), 'hum-gateway')),
  })
  .check(...kafkaEnvChecks);

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig(gatewayConfigSchema, { service: SERVICE_NAME, env });
}
