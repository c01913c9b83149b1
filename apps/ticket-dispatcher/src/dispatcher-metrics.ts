import { Counter, Gauge, type Registry } from 'prom-client';

/** What the dispatcher did, for /metrics, dashboards and the benchmarks. */
export class DispatcherMetrics {
  readonly actions: Counter<'provider' | 'action'>;
  readonly unrouted: Counter<'source'>;
  readonly stale: Counter<'topic'>;
  readonly humanChanges: Counter<'provider' | 'kind' | 'decision'>;
  readonly repairs: Counter<'provider' | 'kind'>;
  readonly circuit: Gauge<'provider'>;
  readonly reconcileRuns: Counter<'provider' | 'outcome'>;

  constructor(registry: Registry) {
    this.actions = new Counter({
      name: 'hum_tickets_actions_total',
      help: 'Ticket actions taken (created, updated, commented, resolved, reopened, repaired)',
      labelNames: ['provider', 'action'],
      registers: [registry],
    });
    this.unrouted = new Counter({
      name: 'hum_tickets_unrouted_total',
      help: 'Ticketable events no routing rule matched',
      labelNames: ['source'],
      registers: [registry],
    });
    this.stale = new Counter({
      name: 'hum_tickets_stale_events_total',
      help: 'Events older than the revision the ledger holds (ignored)',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.humanChanges = new Counter({
      name: 'hum_tickets_human_changes_total',
      help: 'Changes people made to tickets, synced back (webhook or poll)',
      labelNames: ['provider', 'kind', 'decision'],
      registers: [registry],
    });
    this.repairs = new Counter({
      name: 'hum_tickets_repairs_total',
      help: 'Drift the reconciliation found and repaired',
      labelNames: ['provider', 'kind'],
      registers: [registry],
    });
    this.circuit = new Gauge({
      name: 'hum_tickets_circuit_open',
      help: '1 while the provider circuit breaker is open',
      labelNames: ['provider'],
      registers: [registry],
    });
    this.reconcileRuns = new Counter({
      name: 'hum_tickets_reconcile_runs_total',
      help: 'Reconciliation runs per provider and outcome',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    });
  }
}
