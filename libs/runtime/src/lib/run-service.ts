import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Registry } from 'prom-client';
import { describeError } from '@hum/common';
import { ConfigError, type Secret } from '@hum/config';
import {
  createLogger,
  createMetricsRegistry,
  type Logger,
  type LogLevel,
  NestPinoLogger,
} from '@hum/observability';
import { ProblemDetailsFilter } from './problem-details.filter';

/** Exit codes a supervisor can act on (sysexits: 78 = configuration error). */
export const EXIT_CONFIG = 78;
export const EXIT_STARTUP = 1;

export interface BaseServiceConfig {
  HOST: string;
  PORT: number;
  LOG_LEVEL: LogLevel;
  HUM_OPS_TOKEN: Secret;
  HUM_INSTANCE_ID: string;
}

export interface ServiceRuntime {
  logger: Logger;
  registry: Registry;
}

export interface ServiceDefinition<C extends BaseServiceConfig> {
  name: string;
  loadConfig(env: NodeJS.ProcessEnv): C;
  module(config: C, runtime: ServiceRuntime): DynamicModule;
  /** False when the service reads raw request streams itself (the gateway's reports). */
  bodyParser?: boolean;
  /** Called after the app is built, before it listens: Swagger, body parsers, static files. */
  configure?(app: INestApplication, config: C, runtime: ServiceRuntime): void | Promise<void>;
}

export interface RunningService {
  app: INestApplication;
  url: string;
  logger: Logger;
}

/**
 * Starts a service the one way: config validated first (exit 78 naming every bad variable),
 * one logger, one metrics registry, problem+json errors, graceful shutdown on SIGTERM/SIGINT,
 * and a clear log line plus exit 1 when start-up fails (e.g. Kafka unreachable).
 */
export async function runService<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv,
): Promise<RunningService> {
  let config: C;
  try {
    config = definition.loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  const logger = createLogger({ service: definition.name, level: config.LOG_LEVEL });
  const runtime: ServiceRuntime = { logger, registry: createMetricsRegistry(definition.name) };
  try {
    const app = await NestFactory.create(definition.module(config, runtime), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
      bodyParser: definition.bodyParser ?? true,
    });
    app.useGlobalFilters(
      new ProblemDetailsFilter(logger.child({ context: ProblemDetailsFilter.name })),
    );
    // Not Nest's enableShutdownHooks: it re-raises the signal after closing. app.close() runs
    // the same lifecycle hooks, then the process logs that it stopped and exits 0.
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, `${definition.name} stopping`);
      app
        .close()
        .then(() => {
          logger.info(`${definition.name} stopped`);
          logger.flush();
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, `${definition.name} did not stop cleanly`);
          logger.flush();
          process.exit(EXIT_STARTUP);
        });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await definition.configure?.(app, config, runtime);
    await app.listen(config.PORT, config.HOST);
    const url = (await app.getUrl()).replace('[::1]', 'localhost');
    logger.info({ url, instance: config.HUM_INSTANCE_ID }, `${definition.name} started`);
    return { app, url, logger };
  } catch (error) {
    logger.fatal({ err: error }, `${definition.name} failed to start: ${describeError(error)}`);
    logger.flush();
    // Give the async destination a moment to write the fatal line before exiting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.exit(EXIT_STARTUP);
  }
}
