import {
  Controller,
  type DynamicModule,
  Get,
  Global,
  Header,
  Inject,
  Module,
  UseGuards,
} from '@nestjs/common';
import {
  HealthCheck as TerminusHealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
  TerminusModule,
} from '@nestjs/terminus';
import type { Registry } from 'prom-client';
import { describeError } from '@hum/common';
import { HealthCheckRegistry } from './health';
import type { Logger } from './logger';
import { OPS_TOKEN, OpsTokenGuard, type RevealableSecret } from './ops-token.guard';

export const LOGGER = Symbol('hum.logger');
export const METRICS_REGISTRY = Symbol('hum.metrics-registry');

@Controller()
@UseGuards(OpsTokenGuard)
class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly checks: HealthCheckRegistry,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health')
  @TerminusHealthCheck()
  check(): ReturnType<HealthCheckService['check']> {
    return this.health.check(
      this.checks.list().map((check) => async (): Promise<HealthIndicatorResult> => {
        const session = this.indicators.check(check.name);
        try {
          const details = await check.check();
          return session.up(details ?? {});
        } catch (error) {
          return session.down({ message: describeError(error) });
        }
      }),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface ObservabilityOptions {
  logger: Logger;
  registry: Registry;
  opsToken: RevealableSecret;
}

/** /health and /metrics behind the ops token, plus the logger and metrics registry as providers. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [OpsController],
      providers: [
        { provide: LOGGER, useValue: options.logger },
        { provide: METRICS_REGISTRY, useValue: options.registry },
        { provide: OPS_TOKEN, useValue: options.opsToken },
        OpsTokenGuard,
        HealthCheckRegistry,
      ],
      exports: [LOGGER, METRICS_REGISTRY, HealthCheckRegistry, OPS_TOKEN, OpsTokenGuard],
    };
  }
}
