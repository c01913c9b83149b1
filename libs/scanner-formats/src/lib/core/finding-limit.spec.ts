import { thrownReportError } from '../../testing/parser-spec';
import { FindingLimit } from './finding-limit';

describe('FindingLimit', () => {
  it('lets maxFindings findings through and stops at the next one, saying where', () => {
    const limit = new FindingLimit('zap-xml', 2);
    limit.take();
    limit.take();
    const error = thrownReportError(() => limit.take({ line: 9 }));
    expect(error.format).toBe('zap-xml');
    expect(error.message).toBe('the report has more than 2 findings (the configured limit)');
    expect(error.location).toEqual({ line: 9 });
  });

  it('has no limit without maxFindings', () => {
    const limit = new FindingLimit('zap-xml', undefined);
    for (let i = 0; i < 1000; i += 1) limit.take();
  });

  it('passes an iterable through up to the limit', () => {
    const passed: number[] = [];
    const error = thrownReportError(() => {
      for (const n of new FindingLimit('npm-audit', 3).through([1, 2, 3, 4, 5])) passed.push(n);
    });
    expect(passed).toEqual([1, 2, 3]);
    expect(error.message).toMatch(/more than 3 findings/);
    expect([...new FindingLimit('npm-audit', 3).through([1, 2, 3])]).toEqual([1, 2, 3]);
  });
});
