import { Counter, type Registry } from 'prom-client';

/** What the classifier did, for /metrics and the benchmarks. */
export class ClassifierMetrics {
  readonly classified: Counter<string>;
  readonly touched: Counter<string>;
  readonly resolved: Counter<string>;
  readonly breakerTrips: Counter<string>;
  readonly staleScans: Counter<string>;

  constructor(registry: Registry) {
    this.classified = new Counter({
      name: 'hum_classifier_classified_total',
      help: 'Classified events emitted, by lifecycle change',
      labelNames: ['change'],
      registers: [registry],
    });
    this.touched = new Counter({
      name: 'hum_classifier_repeat_sightings_total',
      help: 'Sightings that changed nothing a ticket cares about (no event)',
      registers: [registry],
    });
    this.resolved = new Counter({
      name: 'hum_classifier_resolved_total',
      help: 'Findings resolved by complete scans',
      registers: [registry],
    });
    this.breakerTrips = new Counter({
      name: 'hum_classifier_mass_closure_blocked_total',
      help: 'Complete scans that would have resolved too much and resolved nothing',
      registers: [registry],
    });
    this.staleScans = new Counter({
      name: 'hum_classifier_stale_scans_total',
      help: 'Complete scans older than one already evaluated for their scope',
      registers: [registry],
    });
  }
}
