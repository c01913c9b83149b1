import { createLogger } from '@hum/observability';
import { KeyUseReporter } from './key-use-reporter';

const logger = createLogger({ service: 'spec', level: 'silent' });

describe('KeyUseReporter', () => {
  it('reports a key at most once per interval, with the time and the service', async () => {
    const published: unknown[] = [];
    const reporter = new KeyUseReporter({
      producer: { publish: (events) => (published.push(...events), Promise.resolve()) },
      service: 'ingest-gateway',
      logger,
      intervalMs: 60_000,
    });
    const t0 = new Date('2026-11-27T10:00:00.000Z');
    reporter.report('aaaaaaaaaaaa', t0);
    reporter.report('aaaaaaaaaaaa', new Date(t0.getTime() + 59_999));
    reporter.report('bbbbbbbbbbbb', new Date(t0.getTime() + 1_000));
    reporter.report('aaaaaaaaaaaa', new Date(t0.getTime() + 60_000));
    await Promise.resolve();
    expect(published).toEqual([
      {
        topic: expect.objectContaining({ name: 'apikeys.usage' }),
        key: 'aaaaaaaaaaaa',
        data: {
          id: 'aaaaaaaaaaaa',
          lastUsedAt: '2026-11-27T10:00:00.000Z',
          service: 'ingest-gateway',
        },
      },
      expect.objectContaining({ key: 'bbbbbbbbbbbb' }),
      expect.objectContaining({
        key: 'aaaaaaaaaaaa',
        data: expect.objectContaining({ lastUsedAt: '2026-11-27T10:01:00.000Z' }),
      }),
    ]);
  });

  it('tries again on the next use after a failed report, and never throws to the caller', async () => {
    let calls = 0;
    const reporter = new KeyUseReporter({
      producer: {
        publish: () =>
          ++calls === 1 ? Promise.reject(new Error('broker down')) : Promise.resolve(),
      },
      service: 'risk-classifier',
      logger,
    });
    const t0 = new Date('2026-11-27T10:00:00.000Z');
    expect(() => reporter.report('aaaaaaaaaaaa', t0)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    reporter.report('aaaaaaaaaaaa', new Date(t0.getTime() + 1_000));
    expect(calls).toBe(2);
  });
});
