import { hostname } from 'node:os';
import { envEnum, envInt, envString, secret } from '@hum/config';
import { LOG_LEVELS } from '@hum/observability';

/** What every hum service reads from its environment, whatever else it needs. */
export function serviceEnvShape(defaultPort: number) {
  return {
    HOST: envString().default('127.0.0.1'),
    PORT: envInt({ min: 0, max: 65_535 }).default(defaultPort),
    LOG_LEVEL: envEnum(LOG_LEVELS).default('info'),
    /** Bearer token for /health and /metrics (probes, Prometheus). */
    HUM_OPS_TOKEN: secret(envString({ minLength: 16 })),
    /** Stable per replica: it names transactional producers, so a restart fences its predecessor. */
    HUM_INSTANCE_ID: envString({
      pattern: /^[A-Za-z0-9._-]{1,64}$/,
      description: 'letters, digits, ._- (max 64)',
    }).default(
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 64),
    ),
  };
}
