import { Counter, Gauge, type Registry } from 'prom-client';

/** What the patcher decided and did, for /metrics and dashboards. */
export class PatcherMetrics {
  readonly decisions: Counter<string>;
  readonly outcomes: Counter<string>;
  readonly retries: Counter<string>;
  readonly pausedTiers: Gauge<string>;
  readonly inFlight: Gauge<string>;
  readonly backlogDeferred: Gauge<string>;

  constructor(registry: Registry) {
    this.decisions = new Counter({
      name: 'hum_patcher_decisions_total',
      help: 'Patch decisions by tier and outcome (apply, plan, skip)',
      labelNames: ['tier', 'outcome'],
      registers: [registry],
    });
    this.outcomes = new Counter({
      name: 'hum_patcher_outcomes_total',
      help: 'Finished patch attempts by tier, strategy and status (applied, failed, cancelled)',
      labelNames: ['tier', 'strategy', 'status'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'hum_patcher_transient_retries_total',
      help: 'Attempts rescheduled after a transient API fault',
      labelNames: ['strategy'],
      registers: [registry],
    });
    this.pausedTiers = new Gauge({
      name: 'hum_patcher_paused_tiers',
      help: 'Tiers paused by the failure-rate breaker (1 = paused)',
      labelNames: ['tier'],
      registers: [registry],
    });
    this.inFlight = new Gauge({
      name: 'hum_patcher_in_flight',
      help: 'Patch attempts this instance is executing now',
      registers: [registry],
    });
    this.backlogDeferred = new Gauge({
      name: 'hum_patcher_backlog_deferred',
      help: "Backlog findings the last sweep pass left for later (held back by the tier's budgets)",
      labelNames: ['tier'],
      registers: [registry],
    });
  }
}
