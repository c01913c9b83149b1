import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, labelled with the service, with the default process
 * metrics (RSS, heap, event loop lag) that the benchmarks read too.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'hum_' });
  return registry;
}
