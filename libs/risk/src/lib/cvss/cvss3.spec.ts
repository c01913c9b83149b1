import { CvssParseError } from './errors';
import { parseCvss3, scoreCvss3 } from './cvss3';
import { readScoredVectors } from '../../../test-support/read-scored-vectors';

describe('CVSS v3.x base score', () => {
  // Source of every expected value: FIRST, "CVSS v3.1 Examples" (first.org/cvss/v3.1/examples),
  // the vector and base score the CVSS SIG published for each CVE.
  const firstExamples: [cve: string, vector: string, score: number][] = [
    ['CVE-2013-1937', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVE-2013-0375', 'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVE-2014-3566', 'AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
    ['CVE-2012-1516', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ['CVE-2009-0783', 'AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2],
    ['CVE-2012-0384', 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2015-1098', 'AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
    ['CVE-2014-0160', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
    ['CVE-2014-6271', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVE-2008-1447', 'AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8],
    ['CVE-2014-2005', 'AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8],
    ['CVE-2010-0467', 'AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8],
    ['CVE-2012-1342', 'AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N', 5.8],
    ['CVE-2013-6014', 'AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H', 9.3],
    ['CVE-2014-9253', 'AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', 5.4],
    ['CVE-2011-1265', 'AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2014-2019', 'AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 4.6],
    ['CVE-2015-0970', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2014-0224', 'AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4],
    ['CVE-2012-5376', 'AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6],
    ['CVE-2016-1645', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2016-0128', 'AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.5],
    ['CVE-2016-5729', 'AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H', 8.2],
    ['CVE-2018-3652', 'AV:P/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 7.6],
  ];

  it.each(firstExamples)('%s (%s) scores %s as FIRST published', (_cve, metrics, score) => {
    expect(scoreCvss3(`CVSS:3.1/${metrics}`).baseScore).toBe(score);
  });

  it('scores Log4Shell CVE-2021-44228 10.0 critical, as NVD publishes it', () => {
    const result = scoreCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H');
    expect(result).toMatchObject({ version: '3.1', baseScore: 10, baseSeverity: 'critical' });
  });

  it('matches every sampled base score of the Red Hat reference test vectors', () => {
    const vectors = readScoredVectors('redhat-cvss31-vectors.txt');
    expect(vectors).toHaveLength(48);
    const mismatches = vectors
      .map(({ vector, score, line }) => ({
        vector,
        line,
        expected: score,
        actual: scoreCvss3(vector).baseScore,
      }))
      .filter(({ expected, actual }) => expected !== actual);
    expect(mismatches).toEqual([]);
  });

  it('scores a vector with no impact 0.0 and rates it none', () => {
    expect(scoreCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N')).toMatchObject({
      baseScore: 0,
      baseSeverity: 'none',
    });
  });

  it('reads v3.0 vectors with the v3.0 rounding and reports the version', () => {
    const result = scoreCvss3('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N');
    // NVD's v3.0 score for this vector, e.g. as Trivy recorded it in testdata/corpus/trivy.
    expect(result).toMatchObject({ version: '3.0', baseScore: 5.3, baseSeverity: 'medium' });
  });

  it('ignores temporal and environmental metrics for the base score but keeps them', () => {
    const result = scoreCvss3(
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/MAV:P/MS:C',
    );
    expect(result.baseScore).toBe(9.8);
    expect(result.metrics).toMatchObject({ E: 'U', RL: 'O', MAV: 'P', MS: 'C' });
  });

  it('accepts metrics out of the specification order', () => {
    expect(scoreCvss3('CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/A:H/I:H/C:H').baseScore).toBe(9.8);
  });

  describe('refuses a malformed vector with an error naming the metric', () => {
    const refusal = (vector: string): CvssParseError => {
      try {
        parseCvss3(vector);
      } catch (error) {
        if (error instanceof CvssParseError) return error;
        throw error;
      }
      throw new Error(`accepted ${vector}`);
    };

    it('unknown metric', () => {
      expect(refusal('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y')).toMatchObject({
        problem: 'unknown-metric',
        metric: 'XX',
      });
    });

    it('duplicate metric', () => {
      expect(refusal('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L')).toMatchObject({
        problem: 'duplicate-metric',
        metric: 'AV',
      });
    });

    it('missing mandatory metric', () => {
      const error = refusal('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H');
      expect(error).toMatchObject({ problem: 'missing-metric', metric: 'S' });
      expect(error.message).toContain('S');
    });

    it('value outside the metric', () => {
      const error = refusal('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
      expect(error).toMatchObject({ problem: 'invalid-value', metric: 'AV' });
      expect(error.message).toContain('allowed: N, A, L, P');
    });

    it('lower-case value', () => {
      expect(refusal('CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({
        problem: 'invalid-value',
        metric: 'AV',
      });
    });

    it('trailing slash', () => {
      expect(refusal('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/')).toMatchObject({
        problem: 'malformed',
      });
    });

    it('component without a value', () => {
      expect(refusal('CVSS:3.1/AV:N/AC/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({
        problem: 'malformed',
      });
    });

    it('another version prefix', () => {
      expect(refusal('CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({
        problem: 'unsupported-version',
      });
    });

    it('empty string', () => {
      expect(refusal('   ')).toMatchObject({ problem: 'empty' });
    });
  });
});
