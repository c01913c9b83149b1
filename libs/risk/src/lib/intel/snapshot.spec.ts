import { readBundledIntel } from '../../../test-support/read-bundled-intel';
import { diffIntel } from './diff';
import { createEpssScores, parseEpssCsv } from './epss';
import { createKevCatalog, parseKevCatalog } from './kev';
import { createIntelSnapshot, loadIntelSnapshot } from './snapshot';

const epssFile = (scoreDate: string, rows: string[]): string =>
  [
    `#model_version:v2025.03.14,score_date:${scoreDate}T00:00:00Z`,
    'cve,epss,percentile',
    ...rows,
  ].join('\n');

describe('intel snapshots', () => {
  const bundled = loadIntelSnapshot(readBundledIntel());

  it('loads the bundled files and dates the snapshot by its freshest part', () => {
    expect(bundled.kev.asOf).toBe('2025-02-05');
    expect(bundled.epss.asOf).toBe('2025-08-15');
    expect(bundled.asOf).toBe('2025-08-15');
    expect(bundled.kev.has('CVE-2021-45046')).toBe(true);
    expect(bundled.epss.get('CVE-2021-45046')).toEqual({
      probability: 0.9434,
      percentile: 0.99946,
    });
  });

  describe('diffIntel', () => {
    it('lists the CVEs that entered and left KEV', () => {
      const kev = parseKevCatalog(readBundledIntel().kevJson);
      const withoutLog4j = createKevCatalog(
        { catalogVersion: '2021.12.09', dateReleased: '2021-12-09T00:00:00Z', asOf: '2021-12-09' },
        [...kev.entries()].filter((entry) => !entry.product.startsWith('Log4j')),
      );
      const older = createIntelSnapshot(withoutLog4j, bundled.epss);
      const diff = diffIntel(older, bundled);
      expect(diff.enteredKev.map((entry) => entry.cveId)).toEqual([
        'CVE-2021-44228',
        'CVE-2021-45046',
      ]);
      expect(diff.leftKev).toEqual([]);
      expect(diff.epssChanges).toEqual([]);
      expect(diff.affectedCves).toEqual(['CVE-2021-44228', 'CVE-2021-45046']);
      expect(diffIntel(bundled, older).leftKev.map((entry) => entry.cveId)).toEqual([
        'CVE-2021-44228',
        'CVE-2021-45046',
      ]);
    });

    // Real scores from FIRST's daily files for 2025-08-14 and 2025-08-15, as republished per
    // CVE by giterlizzi/epss-time-series-feed: CVE-2018-20796 fell from 0.05003 to 0.0241,
    // CVE-2019-9923 rose from 0.0035 to 0.00367, CVE-2021-44228 did not move.
    const august14 = createIntelSnapshot(
      bundled.kev,
      parseEpssCsv(
        epssFile('2025-08-14', [
          'CVE-2018-20796,0.05003,0.89294',
          'CVE-2019-9923,0.0035,0.56774',
          'CVE-2021-44228,0.94358,0.99955',
        ]),
      ),
    );
    const august15 = createIntelSnapshot(
      bundled.kev,
      parseEpssCsv(
        epssFile('2025-08-15', [
          'CVE-2018-20796,0.0241,0.84455',
          'CVE-2019-9923,0.00367,0.57941',
          'CVE-2021-44228,0.94358,0.99955',
        ]),
      ),
    );

    it('ignores day-to-day EPSS noise below the threshold', () => {
      const diff = diffIntel(august14, august15, { epssDelta: 0.1 });
      expect(diff).toMatchObject({
        from: '2025-08-14',
        to: '2025-08-15',
        epssChanges: [],
        affectedCves: [],
      });
    });

    it('reports a move past a policy boundary however small it is', () => {
      const diff = diffIntel(august14, august15, { epssDelta: 0.1, epssBoundaries: [0.5, 0.05] });
      expect(diff.epssChanges).toEqual([
        {
          cve: 'CVE-2018-20796',
          before: { probability: 0.05003, percentile: 0.89294 },
          after: { probability: 0.0241, percentile: 0.84455 },
          delta: expect.closeTo(-0.02593, 10) as number,
          crossed: [0.05],
        },
      ]);
      expect(diff.affectedCves).toEqual(['CVE-2018-20796']);
    });

    it('reports a move of at least the threshold, counting a missing score as 0', () => {
      const header = { modelVersion: 'v2025.03.14', scoreDate: '2025-08-15', asOf: '2025-08-15' };
      const before = createEpssScores(header, [
        ['CVE-2021-10000', { probability: 0.2, percentile: 0.9 }],
        ['CVE-2021-9999', { probability: 0.5, percentile: 0.95 }],
        ['CVE-2022-0001', { probability: 0.15, percentile: 0.9 }],
      ]);
      const after = createEpssScores(header, [
        // 0.2 -> 0.3 is 0.09999999999999998 in floating point: it still counts as 0.1.
        ['CVE-2021-10000', { probability: 0.3, percentile: 0.93 }],
        ['CVE-2021-9999', { probability: 0.45, percentile: 0.94 }],
        ['CVE-2023-0001', { probability: 0.4, percentile: 0.97 }],
      ]);
      const diff = diffIntel(
        createIntelSnapshot(bundled.kev, before),
        createIntelSnapshot(bundled.kev, after),
        { epssDelta: 0.1 },
      );
      expect(
        diff.epssChanges.map(({ cve, before: b, after: a }) => [
          cve,
          b?.probability,
          a?.probability,
        ]),
      ).toEqual([
        ['CVE-2021-10000', 0.2, 0.3],
        ['CVE-2022-0001', 0.15, undefined],
        ['CVE-2023-0001', undefined, 0.4],
      ]);
      // Sorted by year and number, not as text: 9999 before 10000.
      expect(diff.affectedCves).toEqual(['CVE-2021-10000', 'CVE-2022-0001', 'CVE-2023-0001']);
    });

    it('finds nothing between a snapshot and itself', () => {
      const diff = diffIntel(bundled, bundled, { epssDelta: 0, epssBoundaries: [0.1] });
      expect(diff.enteredKev).toEqual([]);
      expect(diff.leftKev).toEqual([]);
      // A threshold of 0 reports every scored CVE, unchanged ones included, with delta 0.
      expect(diff.epssChanges).toHaveLength(bundled.epss.size);
      expect(
        diff.epssChanges.every((change) => change.delta === 0 && change.crossed.length === 0),
      ).toBe(true);
    });
  });
});
