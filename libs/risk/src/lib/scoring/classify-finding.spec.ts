import {
  ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
  type AssetRef,
  type FindingV1,
  type RiskFactor,
} from '@hum/contracts';
import { readScoredVectors } from '../../../test-support/read-scored-vectors';
import { parseAssetCatalogue } from '../assets/asset-catalogue';
import { resolveAsset } from '../assets/resolve-asset';
import { scoreCvssVector } from '../cvss/score-vector';
import { classifyFinding, type Classification } from './classify-finding';
import {
  aFinding,
  bundledPolicy,
  intelWith,
  kevEntry,
  NEUTRAL_ASSET,
  NOW,
  policyWith,
} from './testing/fixtures';

const policy = bundledPolicy();
const noIntel = intelWith();
const classify = (
  finding: FindingV1,
  options: Partial<Parameters<typeof classifyFinding>[1]> = {},
) => classifyFinding(finding, { policy, intel: noIntel, now: NOW, ...options });

function factorNamed(classification: Classification, name: string): RiskFactor {
  const found = classification.factors.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no factor ${name}`);
  return found;
}

/** Contributions are multiples of 0.1; summing them in tenths is exact. */
function sumOfContributions(classification: Classification): number {
  return classification.factors.reduce((sum, f) => sum + Math.round(f.contribution * 10), 0) / 10;
}

// The default policy scores CVSS 7.5 in the neutral context as 75.
const CVSS_7_5 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const CVSS_10 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H';
const CVSS_3_1 = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N';
const withAsset = (asset: Partial<AssetRef>): FindingV1 =>
  aFinding({ asset: { ...NEUTRAL_ASSET, ...asset } });

describe('classifyFinding', () => {
  describe('the anchor of the default policy', () => {
    /** CVSS's qualitative scale, written out independently of the code under test. */
    const cvssTier = (score: number): string =>
      score >= 9
        ? 'critical'
        : score >= 7
          ? 'high'
          : score >= 4
            ? 'medium'
            : score >= 1
              ? 'low'
              : 'info';

    it.each(
      readScoredVectors('redhat-cvss31-vectors.txt').map((v) => [v.vector, v.score] as const),
    )(
      'in the neutral context %s scores 10 x %s and takes its CVSS severity as tier',
      (vector, baseScore) => {
        const result = classify(aFinding({ cvss: [{ version: '3.1', vector }] }));
        expect(result.score).toBeCloseTo(baseScore * 10, 6);
        expect(result.tier).toBe(cvssTier(baseScore));
      },
    );
  });

  it('fits the classification block of the classified event exactly', () => {
    const result = classify(aFinding());
    const event = {
      ...EXAMPLE_CLASSIFIED,
      finding: aFinding(),
      classification: { ...result, classifiedAt: NOW.toISOString() },
    };
    expect(ClassifiedFindingV1.parse(event).classification).toEqual(event.classification);
    expect(result.policyVersion).toBe('risk-policy@1');
  });

  it('lists every input as a factor, in a fixed order', () => {
    expect(classify(aFinding()).factors.map((f) => f.name)).toEqual([
      'cvss',
      'epss.probability',
      'epss.percentile',
      'kev',
      'environment',
      'exposure',
      'criticality',
      'dataSensitivity',
      'asset',
      'fix',
      'kind',
    ]);
  });

  describe('each factor moves the score by its policy weight', () => {
    const baseline = classify(aFinding()).score;

    it('starts from 75 for CVSS 7.5 in the neutral context', () => {
      expect(baseline).toBe(75);
      expect(factorNamed(classify(aFinding()), 'cvss')).toEqual({
        name: 'cvss',
        input: CVSS_7_5,
        contribution: 75,
        note: 'CVSS 3.1 base score 7.5 high, computed from the vector; 10 points per CVSS point',
      });
    });

    it.each([
      ['prod', 0],
      ['staging', -10],
      ['test', -20],
      ['dev', -25],
      [undefined, 0],
    ] as const)('environment %s: %d', (environment, points) => {
      const result = classify(withAsset({ environment }));
      expect(factorNamed(result, 'environment')).toMatchObject({
        input: environment ?? null,
        contribution: points,
      });
      expect(result.score).toBe(baseline + points);
    });

    it.each([
      ['internet', 10],
      ['internal', 0],
      ['isolated', -10],
      [undefined, 0],
    ] as const)('exposure %s: %d', (exposure, points) => {
      const result = classify(withAsset({ exposure }));
      expect(factorNamed(result, 'exposure')).toMatchObject({
        input: exposure ?? null,
        contribution: points,
      });
      expect(result.score).toBe(baseline + points);
    });

    it.each([
      ['criticality', 'critical', 10],
      ['criticality', 'high', 5],
      ['criticality', 'medium', 0],
      ['criticality', 'low', -10],
      ['dataSensitivity', 'restricted', 10],
      ['dataSensitivity', 'confidential', 5],
      ['dataSensitivity', 'internal', 0],
      ['dataSensitivity', 'public', -5],
    ])('%s %s (from the asset catalogue): %d', (attribute, value, points) => {
      const catalogue = parseAssetCatalogue(
        `assets:\n  - id: ${NEUTRAL_ASSET.id}\n    ${attribute}: ${value}\n`,
      );
      const finding = aFinding();
      const result = classify(finding, { asset: resolveAsset(finding.asset, catalogue) });
      expect(factorNamed(result, attribute)).toEqual({
        name: attribute,
        input: value,
        contribution: points,
        note: `${value}, from the asset catalogue (entry ${NEUTRAL_ASSET.id})`,
      });
      expect(result.score).toBe(baseline + points);
    });

    it.each([
      [0.5, 15],
      [0.49999, 10],
      [0.1, 10],
      [0.09999, 3],
      [0.01, 3],
      [0.00999, 0],
    ])('EPSS probability %d: %d (band edges belong to the band above)', (probability, points) => {
      const intel = intelWith([], { 'CVE-2099-0001': { probability, percentile: 0.5 } });
      const result = classify(aFinding(), { intel });
      expect(factorNamed(result, 'epss.probability')).toMatchObject({
        input: probability,
        contribution: points,
      });
      expect(result.score).toBe(baseline + points);
    });

    it.each([
      [0.99, 5],
      [0.98999, 2],
      [0.95, 2],
      [0.94999, 0],
    ])('EPSS percentile %d: %d', (percentile, points) => {
      const intel = intelWith([], { 'CVE-2099-0001': { probability: 0.001, percentile } });
      const result = classify(aFinding(), { intel });
      expect(factorNamed(result, 'epss.percentile')).toMatchObject({
        input: percentile,
        contribution: points,
      });
      expect(result.score).toBe(baseline + points);
    });

    it('CISA KEV: +25, and +5 more for known ransomware use', () => {
      // CVSS 3.1 (31 points), so that neither sum reaches the clamp.
      const finding = aFinding({ cvss: [{ version: '3.1', vector: CVSS_3_1 }] });
      const listed = classify(finding, { intel: intelWith([kevEntry('CVE-2099-0001')]) });
      expect(factorNamed(listed, 'kev')).toEqual({
        name: 'kev',
        input: true,
        contribution: 25,
        note: 'CVE-2099-0001 in CISA KEV since 2024-01-10 (+25)',
      });
      expect(listed.score).toBe(31 + 25);

      const ransomware = classify(finding, {
        intel: intelWith([kevEntry('CVE-2099-0001', { knownRansomwareCampaignUse: 'Known' })]),
      });
      expect(factorNamed(ransomware, 'kev')).toMatchObject({
        contribution: 30,
        note: 'CVE-2099-0001 in CISA KEV since 2024-01-10 (+25); known ransomware campaign use (+5)',
      });
      expect(ransomware.score).toBe(31 + 30);
    });

    it('fix: none known -5; available or not applicable 0', () => {
      const component = aFinding().component!;
      const unavailable = classify(aFinding({ component: { ...component, fixedVersions: [] } }));
      expect(factorNamed(unavailable, 'fix')).toEqual({
        name: 'fix',
        input: 'unavailable',
        contribution: -5,
        note: 'no fixed version of example-lib is known yet',
      });
      expect(unavailable.score).toBe(baseline - 5);

      const noPackage = classify(aFinding({ component: undefined }));
      expect(factorNamed(noPackage, 'fix')).toMatchObject({
        input: 'not-applicable',
        contribution: 0,
      });
      expect(noPackage.score).toBe(baseline);
      expect(factorNamed(classify(aFinding()), 'fix').note).toBe('example-lib is fixed in 1.0.1');
    });

    it.each([
      ['vulnerability', 0],
      ['misconfiguration', 0],
      ['weakness', -5],
      ['secret', 10],
    ] as const)('kind %s: %d', (kind, points) => {
      const result = classify(aFinding({ kind }));
      expect(factorNamed(result, 'kind')).toMatchObject({ input: kind, contribution: points });
      // Only vulnerabilities have a fix to apply; the default weights for both are 0.
      expect(factorNamed(result, 'fix').contribution).toBe(0);
      expect(result.score).toBe(baseline + points);
    });
  });

  describe('tier thresholds', () => {
    // With no vector, the fallback for "high" sets the score: 10 points per CVSS point.
    const atScore = (cvssEquivalent: number): Classification =>
      classifyFinding(aFinding({ cvss: [] }), {
        policy: policyWith(['      high: 8.0', `      high: ${cvssEquivalent}`]),
        intel: noIntel,
        now: NOW,
      });

    it.each([
      [9.0, 90, 'critical'],
      [8.99, 89.9, 'high'],
      [7.0, 70, 'high'],
      [6.99, 69.9, 'medium'],
      [4.0, 40, 'medium'],
      [3.99, 39.9, 'low'],
      [1.0, 10, 'low'],
      [0.99, 9.9, 'info'],
      [0, 0, 'info'],
    ])('CVSS-equivalent %d scores %d: %s', (equivalent, score, tier) => {
      const result = atScore(equivalent);
      expect(result.score).toBe(score);
      expect(result.tier).toBe(tier);
    });
  });

  describe('clamping', () => {
    it('clamps above 100 and says so in a factor that keeps the sum exact', () => {
      const intel = intelWith([kevEntry('CVE-2099-0001')], {
        'CVE-2099-0001': { probability: 0.9, percentile: 0.999 },
      });
      const result = classify(
        aFinding({
          cvss: [{ version: '3.1', vector: CVSS_10 }],
          asset: { ...NEUTRAL_ASSET, exposure: 'internet' },
        }),
        { intel },
      );
      // 100 (CVSS) + 15 + 5 (EPSS) + 25 (KEV) + 10 (internet) = 155
      expect(factorNamed(result, 'clamp')).toEqual({
        name: 'clamp',
        input: 155,
        contribution: -55,
        note: 'the factors add up to 155.0; scores are clamped to 0..100',
      });
      expect(result.score).toBe(100);
      expect(sumOfContributions(result)).toBe(100);
    });

    it('clamps below 0', () => {
      const catalogue = parseAssetCatalogue(
        'assets:\n  - { id: sandbox, criticality: low, dataSensitivity: public }\n',
      );
      const finding = aFinding({
        cvss: [{ version: '3.1', vector: CVSS_3_1 }],
        asset: { id: 'sandbox', type: 'host', environment: 'dev', exposure: 'isolated' },
        component: { ...aFinding().component!, fixedVersions: [] },
      });
      const result = classify(finding, { asset: resolveAsset(finding.asset, catalogue) });
      // 31 - 25 (dev) - 10 (isolated) - 10 (low criticality) - 5 (public) - 5 (no fix) = -24
      expect(factorNamed(result, 'clamp')).toMatchObject({ input: -24, contribution: 24 });
      expect(result).toMatchObject({ score: 0, tier: 'info' });
    });

    it('adds no clamp factor when the sum is in range', () => {
      expect(classify(aFinding()).factors.some((f) => f.name === 'clamp')).toBe(false);
    });
  });

  describe('contributions always add up to the score', () => {
    // A deterministic spread of inputs, so that a failure can be reproduced.
    const vectors = [
      CVSS_7_5,
      CVSS_10,
      CVSS_3_1,
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    ];
    const environments = ['prod', 'staging', 'test', 'dev', undefined] as const;
    const exposures = ['internet', 'internal', 'isolated', undefined] as const;
    const kinds = ['vulnerability', 'weakness', 'misconfiguration', 'secret'] as const;
    const intel = intelWith([kevEntry('CVE-2099-0001')], {
      'CVE-2099-0002': { probability: 0.03, percentile: 0.96 },
    });
    const cases = vectors.flatMap((vector, v) =>
      environments.flatMap((environment) =>
        exposures.flatMap((exposure, x) =>
          kinds.map((kind, k) =>
            aFinding({
              kind,
              cvss: [{ version: vector.startsWith('CVSS:4.0') ? '4.0' : '3.1', vector }],
              vulnerability: { id: `CVE-2099-000${1 + ((v + x + k) % 3)}`, aliases: [] },
              asset: { ...NEUTRAL_ASSET, environment, exposure },
            }),
          ),
        ),
      ),
    );

    it(`for ${cases.length} combinations, with the tier always the tier of the score`, () => {
      for (const finding of cases) {
        const result = classify(finding, { intel });
        expect(sumOfContributions(result)).toBe(result.score);
        expect(Math.round(result.score * 10)).toBe(result.score * 10);
        const threshold = { critical: 90, high: 70, medium: 40, low: 10 };
        const expectedTier =
          result.score >= threshold.critical
            ? 'critical'
            : result.score >= threshold.high
              ? 'high'
              : result.score >= threshold.medium
                ? 'medium'
                : result.score >= threshold.low
                  ? 'low'
                  : 'info';
        expect(result.tier).toBe(expectedTier);
      }
    });
  });

  describe('which CVSS vector counts', () => {
    const v31 = { version: '3.1', vector: CVSS_7_5, source: 'nvd' } as const;
    const v4 = {
      version: '4.0',
      vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N',
      source: 'ghsa',
    } as const;
    const v2 = { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', source: 'nvd' } as const;

    it('prefers v4.0 over v3.1 even when it scores lower', () => {
      const result = classify(aFinding({ cvss: [v31, v4] }));
      expect(factorNamed(result, 'cvss')).toMatchObject({
        input: v4.vector,
        contribution: scoreCvssVector(v4.vector).baseScore * 10,
      });
    });

    it('prefers v3.1 over v2.0', () => {
      expect(factorNamed(classify(aFinding({ cvss: [v2, v31] })), 'cvss').input).toBe(v31.vector);
    });

    it('takes the higher of two vectors of one version, and names their source', () => {
      const vendor = { version: '3.1', vector: CVSS_3_1, source: 'redhat' } as const;
      expect(factorNamed(classify(aFinding({ cvss: [vendor, v31] })), 'cvss')).toMatchObject({
        input: CVSS_7_5,
        contribution: 75,
        note: 'CVSS 3.1 base score 7.5 high, computed from the vector (nvd); 10 points per CVSS point',
      });
    });

    it('computes the score rather than trusting the one reported, and says when they differ', () => {
      const claimed = { ...v2, reportedScore: 10 };
      expect(factorNamed(classify(aFinding({ cvss: [claimed] })), 'cvss')).toMatchObject({
        contribution: 93,
        note: 'CVSS 2.0 base score 9.3 high, computed from the vector (nvd); the report said 10.0; 10 points per CVSS point',
      });
    });

    it('restores a v3 prefix a scanner dropped, from the declared version', () => {
      const bare = { version: '3.1', vector: CVSS_7_5.slice('CVSS:3.1/'.length) } as const;
      expect(factorNamed(classify(aFinding({ cvss: [bare] })), 'cvss')).toMatchObject({
        input: CVSS_7_5,
        contribution: 75,
      });
    });

    it('skips an unparseable vector for a parseable one, and says so', () => {
      const broken = { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L' } as const;
      const result = classify(aFinding({ cvss: [broken, v31] }));
      const cvss = factorNamed(result, 'cvss');
      expect(cvss).toMatchObject({ input: CVSS_7_5, contribution: 75 });
      expect(cvss.note).toContain('ignored "CVSS:4.0/AV:N/AC:L" (');
    });
  });

  describe('falling back to the reported severity', () => {
    it('classifies a finding whose only vector does not parse, and says why', () => {
      const bad = 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
      const result = classify(aFinding({ cvss: [{ version: '3.1', vector: bad }] }));
      expect(factorNamed(result, 'cvss')).toEqual({
        name: 'cvss',
        input: bad,
        contribution: 0,
        note:
          `no CVSS vector could be scored: "${bad}" (CVSS v3.1 metric AV has value "Q"; ` +
          "allowed: N, A, L, P); the scanner's severity stands in (factor severity)",
      });
      expect(factorNamed(result, 'severity')).toEqual({
        name: 'severity',
        input: 'high',
        contribution: 80,
        note: 'fallback: scanner severity high (reported as "HIGH") counted as CVSS 8.0, because no CVSS vector could be scored',
      });
      expect(result).toMatchObject({ score: 80, tier: 'high' });
    });

    it('uses the severity when the finding has no vector at all', () => {
      const result = classify(
        aFinding({ cvss: [], severity: { reported: 'Negligible', normalized: 'info' } }),
      );
      expect(factorNamed(result, 'cvss')).toMatchObject({ input: null, contribution: 0 });
      expect(factorNamed(result, 'severity').note).toBe(
        'fallback: scanner severity info (reported as "Negligible") counted as CVSS 0.0, because the finding carries no CVSS vector',
      );
      expect(result).toMatchObject({ score: 0, tier: 'info' });
    });

    it.each([
      ['critical', 95],
      ['high', 80],
      ['medium', 55],
      ['low', 20],
      ['info', 0],
      ['unknown', 55],
    ] as const)('severity %s counts as %d', (normalized, points) => {
      const result = classify(aFinding({ cvss: [], severity: { normalized } }));
      expect(factorNamed(result, 'severity').contribution).toBe(points);
    });

    it('never throws, whatever the vectors say', () => {
      // Garbage of every shape a report has produced or could: each must fall back, not throw.
      const garbage = [
        '',
        ' ',
        'CVSS:',
        'CVSS:3.1',
        'CVSS:3.1/',
        'CVSS:9.9/AV:N',
        'CVSS:3.1/AV:N/AV:N',
        'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:X',
        '(AV:N/AC:L/Au:N/C:P/I:P/A:P)',
        'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
        '10.0',
        '\u0000\u0001',
        'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z',
        'AV:N/AC:L/Au:N/C:P/I:P',
        '/'.repeat(300),
      ];
      for (const vector of garbage) {
        for (const version of ['2.0', '3.0', '3.1', '4.0'] as const) {
          const result = classify(aFinding({ cvss: [{ version, vector }] }));
          expect(result.factors.map((f) => f.name)).toContain('severity');
          expect(result.score).toBe(80);
        }
      }
    });
  });

  describe('threat intelligence', () => {
    it('says when the finding names no CVE', () => {
      const result = classify(
        aFinding({ vulnerability: { id: 'GHSA-xxxx-yyyy-zzzz', aliases: [] } }),
      );
      for (const name of ['epss.probability', 'epss.percentile', 'kev']) {
        expect(factorNamed(result, name)).toEqual({
          name,
          input: null,
          contribution: 0,
          note: 'the finding names no CVE, so EPSS and CISA KEV do not apply',
        });
      }
    });

    it('says when the snapshot has no EPSS score for the CVE', () => {
      const result = classify(aFinding());
      expect(factorNamed(result, 'epss.probability')).toEqual({
        name: 'epss.probability',
        input: null,
        contribution: 0,
        note: 'no EPSS score for CVE-2099-0001 in the scores of 2026-11-19',
      });
      expect(factorNamed(result, 'kev')).toMatchObject({ input: false, contribution: 0 });
    });

    it('looks up CVE aliases in any case and takes the highest EPSS among them', () => {
      const intel = intelWith([kevEntry('CVE-2099-0003')], {
        'CVE-2099-0002': { probability: 0.2, percentile: 0.96 },
        'CVE-2099-0003': { probability: 0.02, percentile: 0.8 },
      });
      const finding = aFinding({
        vulnerability: { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['cve-2099-0003', 'CVE-2099-0002'] },
      });
      const result = classify(finding, { intel });
      expect(factorNamed(result, 'epss.probability')).toEqual({
        name: 'epss.probability',
        input: 0.2,
        contribution: 10,
        note: 'EPSS of 2026-11-19 for CVE-2099-0002: 0.2 is at least 0.1 (+10)',
      });
      expect(factorNamed(result, 'kev')).toMatchObject({ input: true, contribution: 25 });
    });
  });

  describe('asset context', () => {
    it('says where each asset attribute came from', () => {
      const catalogue = parseAssetCatalogue(`
assets:
  - { id: ledger-service, environment: staging, criticality: high }
  - { id: "ledger-*", team: ledger-core }
`);
      const finding = aFinding();
      const result = classify(finding, { asset: resolveAsset(finding.asset, catalogue) });
      expect(factorNamed(result, 'environment').note).toBe(
        'staging, from the asset catalogue (entry ledger-service; the scan said prod)',
      );
      expect(factorNamed(result, 'exposure').note).toBe('internal, from the scan');
      expect(factorNamed(result, 'dataSensitivity').note).toBe(
        "dataSensitivity unknown to the asset catalogue and the scan: the policy's weight for unknown applies",
      );
      expect(factorNamed(result, 'asset')).toEqual({
        name: 'asset',
        input: 'ledger-service',
        contribution: 0,
        note:
          'asset catalogue entries ledger-service, ledger-*; team ledger-core from the asset ' +
          'catalogue (entry ledger-*; the scan said ledger); owner unknown',
      });
      expect(result.score).toBe(75 - 10 + 5);
    });

    it('uses the scan context when no resolved asset is given', () => {
      const result = classify(withAsset({ environment: 'dev' }));
      expect(factorNamed(result, 'environment')).toMatchObject({ input: 'dev', contribution: -25 });
    });
  });
});
