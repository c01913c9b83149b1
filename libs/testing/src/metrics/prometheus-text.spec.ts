import { Counter, Gauge, Registry } from 'prom-client';
import { metricSamples, metricValue } from './prometheus-text';

describe('metricSamples / metricValue (prom-client text exposition)', () => {
  it('reads labelled and unlabelled samples as a scrape sees them', async () => {
    const registry = new Registry();
    const consumed = new Counter({
      name: 'spec_consumed_total',
      help: 'consumed',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    new Gauge({ name: 'spec_up', help: 'up', registers: [registry] }).set(1);
    consumed.inc({ topic: 'findings.raw', partition: '0' }, 3);
    consumed.inc({ topic: 'say "hi"\\now', partition: '1' }, 2);

    const text = await registry.metrics();

    expect(metricSamples(text, 'spec_consumed_total')).toEqual([
      { labels: { topic: 'findings.raw', partition: '0' }, value: 3 },
      { labels: { topic: 'say "hi"\\now', partition: '1' }, value: 2 },
    ]);
    expect(metricValue(text, 'spec_consumed_total', { partition: '1' })).toBe(2);
    expect(metricValue(text, 'spec_up')).toBe(1);
    // A name is matched whole: spec_consumed is not spec_consumed_total.
    expect(metricValue(text, 'spec_consumed')).toBeUndefined();
    expect(metricValue(text, 'spec_consumed_total', { topic: 'tickets.events' })).toBeUndefined();
  });
});
