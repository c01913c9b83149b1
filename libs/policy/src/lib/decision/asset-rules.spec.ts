import type { FreezeWindow } from '@hum/contracts';
import { defaultGlobalPolicy } from '../policy-snapshot';
import { activeFreezeFor, freezeEndedBetween } from './asset-rules';

const window = (start: string, end: string, assets: string[] = []): FreezeWindow => ({
  start,
  end,
  reason: 'year-end change freeze',
  assets,
});
const policy = (...freezeWindows: FreezeWindow[]) => ({ ...defaultGlobalPolicy(), freezeWindows });
const at = (iso: string): Date => new Date(iso);

describe('freeze windows', () => {
  const yearEnd = window('2026-12-20T00:00:00Z', '2027-01-04T00:00:00Z', ['payments-*']);

  it('freeze covered assets from start (inclusive) to end (exclusive)', () => {
    expect(activeFreezeFor(policy(yearEnd), 'payments-api', at('2026-12-20T00:00:00Z'))).toBe(
      yearEnd,
    );
    expect(
      activeFreezeFor(policy(yearEnd), 'payments-api', at('2027-01-04T00:00:00Z')),
    ).toBeUndefined();
    expect(activeFreezeFor(policy(yearEnd), 'web-portal', at('2026-12-24T00:00:00Z'))).toBe(
      undefined,
    );
  });

  it('report a window whose end falls in (after, until]: the moment held-back patches may go', () => {
    const global = policy(yearEnd);
    expect(freezeEndedBetween(global, at('2027-01-03T23:00:00Z'), at('2027-01-04T00:00:00Z'))).toBe(
      yearEnd,
    );
    // Already seen at the previous look, or not over yet.
    expect(
      freezeEndedBetween(global, at('2027-01-04T00:00:00Z'), at('2027-01-05T00:00:00Z')),
    ).toBeUndefined();
    expect(
      freezeEndedBetween(global, at('2026-12-01T00:00:00Z'), at('2027-01-03T23:59:59Z')),
    ).toBeUndefined();
    expect(
      freezeEndedBetween(policy(), at('2026-01-01T00:00:00Z'), at('2027-06-01T00:00:00Z')),
    ).toBe(undefined);
  });
});
