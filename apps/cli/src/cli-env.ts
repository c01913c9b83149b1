import { z } from 'zod';
import { envInt, envList, envString, envUrl, loadConfig, requiredWhen, secret } from '@hum/config';
import { kafkaEnvShape, SASL_MECHANISMS } from '@hum/kafka';

export const CLI_NAME = 'hum';

/**
 * The CLI's environment, read only by the commands that need it (so a stray KAFKA_* variable
 * never breaks `hum parse`). Flags win over these. Every variable may also be given as
 * `<NAME>_FILE`, which is how HUM_API_KEY_FILE works.
 */
const cliEnvShape = {
  ...kafkaEnvShape,
  /** Pipeline API key for `hum publish --gateway`; never accepted as a flag. */
  HUM_API_KEY: secret().optional(),
  HUM_GATEWAY_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
  /** Where `hum publish --gate` asks (the classifier's gate API). */
  HUM_GATE_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
  KAFKA_BROKERS: envList(
    envString({ pattern: /^[A-Za-z0-9.-]+:\d{1,5}$/, description: 'host:port' }),
  ).optional(),
  // A person or a pipeline waits on the CLI: give up sooner than a service would.
  KAFKA_STARTUP_ATTEMPTS: envInt({ min: 1, max: 100 }).default(3),
};

export const cliEnvSchema = z
  .object(cliEnvShape)
  .check(
    requiredWhen<z.output<z.ZodObject<typeof cliEnvShape>>>(
      { KAFKA_SASL_MECHANISM: [...SASL_MECHANISMS] },
      ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'],
    ),
  );

export type CliEnv = z.output<typeof cliEnvSchema>;

export function loadCliEnv(env: Readonly<Record<string, string | undefined>>): CliEnv {
  return loadConfig(cliEnvSchema, { service: CLI_NAME, env });
}
