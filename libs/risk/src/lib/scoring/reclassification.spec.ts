import { DEFAULT_DIFF_OPTIONS, diffIntel } from '../intel/diff';
import { intelDiffOptions, reclassificationTargets } from './reclassification';
import { bundledPolicy, intelWith, kevEntry } from './testing/fixtures';

const policy = bundledPolicy();

describe('re-classification after an intel refresh', () => {
  const before = intelWith(
    [kevEntry('CVE-2020-0001'), kevEntry('CVE-2020-0002')],
    {
      'CVE-2021-0001': { probability: 0.009, percentile: 0.7 }, // crosses 0.01 by a hair
      'CVE-2021-0002': { probability: 0.15, percentile: 0.96 }, // moves 0.2 within one band
      'CVE-2021-0003': { probability: 0.45, percentile: 0.985 }, // crosses 0.5 and 0.99
      'CVE-2021-0004': { probability: 0.2, percentile: 0.97 }, // drops out of the file
      'CVE-2021-0005': { probability: 0.001, percentile: 0.2 }, // unchanged
    },
    '2026-11-19',
  );
  const after = intelWith(
    [kevEntry('CVE-2020-0002'), kevEntry('CVE-2020-0003')],
    {
      'CVE-2021-0001': { probability: 0.011, percentile: 0.71 },
      'CVE-2021-0002': { probability: 0.35, percentile: 0.98 },
      'CVE-2021-0003': { probability: 0.55, percentile: 0.991 },
      'CVE-2021-0005': { probability: 0.001, percentile: 0.2 },
    },
    '2026-11-20',
  );

  it('passes the probability band edges of the policy to diffIntel as boundaries', () => {
    expect(intelDiffOptions(policy)).toEqual({
      epssDelta: DEFAULT_DIFF_OPTIONS.epssDelta,
      epssBoundaries: [0.5, 0.1, 0.01],
    });
  });

  it('without a policy, re-classifies every CVE the diff names', () => {
    const diff = diffIntel(before, after, intelDiffOptions(policy));
    expect(reclassificationTargets(diff)).toEqual(diff.affectedCves);
    expect(diff.affectedCves).toEqual([
      'CVE-2020-0001',
      'CVE-2020-0003',
      'CVE-2021-0001',
      'CVE-2021-0002',
      'CVE-2021-0003',
      'CVE-2021-0004',
    ]);
  });

  it('with a policy, only the CVEs whose score can change: KEV moves and EPSS band changes', () => {
    const diff = diffIntel(before, after, intelDiffOptions(policy));
    expect(reclassificationTargets(diff, policy)).toEqual([
      'CVE-2020-0001', // left KEV
      'CVE-2020-0003', // entered KEV
      'CVE-2021-0001', // 0.009 -> 0.011 crosses the 0.01 band edge
      // CVE-2021-0002 moved by 0.2 but stays in the 0.1 band and the 0.95 percentile band
      'CVE-2021-0003', // crosses 0.5
      'CVE-2021-0004', // lost its score: 10 + 2 points gone
    ]);
  });

  it('counts a percentile band change as a score change', () => {
    const p1 = intelWith([], { 'CVE-2021-0009': { probability: 0.2, percentile: 0.94 } });
    const p2 = intelWith([], { 'CVE-2021-0009': { probability: 0.31, percentile: 0.96 } });
    const diff = diffIntel(p1, p2, intelDiffOptions(policy));
    expect(reclassificationTargets(diff, policy)).toEqual(['CVE-2021-0009']);
  });

  it('finds nothing to do when nothing that scores changed', () => {
    const diff = diffIntel(before, before, intelDiffOptions(policy));
    expect(reclassificationTargets(diff, policy)).toEqual([]);
  });
});
