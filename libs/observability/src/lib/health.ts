import { Injectable } from '@nestjs/common';

/** A dependency whose state decides whether this instance is healthy. Throw to report down. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<Record<string, unknown> | void>;
}

/** Libraries register their checks (Kafka, database) here; /health runs them all. */
@Injectable()
export class HealthCheckRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(check: HealthCheck): void {
    if (this.checks.has(check.name))
      throw new Error(`health check "${check.name}" registered twice`);
    this.checks.set(check.name, check);
  }

  list(): HealthCheck[] {
    return [...this.checks.values()];
  }
}
