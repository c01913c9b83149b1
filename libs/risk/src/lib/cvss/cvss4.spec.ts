import { CvssParseError } from './errors';
import { cvss4Score, parseCvss4, scoreCvss4 } from './cvss4';
import { CVSS4_MACROVECTOR_SCORES } from './cvss4-macrovector-scores';
import { readScoredVectors } from '../../../test-support/read-scored-vectors';

describe('CVSS v4.0 score', () => {
  it('matches every vector sampled from the Red Hat reference test vectors', () => {
    const vectors = readScoredVectors('redhat-cvss4-vectors.txt');
    expect(vectors).toHaveLength(228);
    const mismatches = vectors
      .map(({ vector, score, line }) => ({
        line,
        vector,
        expected: score,
        actual: scoreCvss4(vector).score,
      }))
      .filter(({ expected, actual }) => expected !== actual);
    expect(mismatches).toEqual([]);
  });

  // Vectors whose correct score was settled in the reference implementation's issue tracker
  // (RedHatProductSecurity/cvss-v4-calculator, RedHatProductSecurity/cvss): ties that floating
  // point leaves one step below x.x5 round up.
  it.each([
    [
      'cvss-v4-calculator#66 / PR #67',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H',
      8.6,
    ],
    [
      'cvss-v4-calculator#48 (0.35 before rounding)',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U',
      0.4,
    ],
    [
      'cvss-v4-calculator#48 (8.95 before rounding)',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P',
      9.0,
    ],
    [
      'cvss#60 (8.45 before rounding)',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:P/CR:L/IR:L/AR:L/MAV:N/MAC:L/MAT:N/MPR:L/MUI:A/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/RE:H/U:Red',
      8.5,
    ],
    [
      'cvss#63 / PR #65 (metrics out of order)',
      'CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:N/SA:H/S:N/AU:N/R:I/V:C/RE:M/U:Green/MAV:A/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:N/MVA:H/MSC:H/MSI:H/MSA:H/CR:H/IR:M/AR:H/E:A',
      8.6,
    ],
  ])('%s scores %s', (_source, vector, score) => {
    expect(scoreCvss4(vector).score).toBe(score);
  });

  it('scores the example of the reference CVSS40 class documentation 8.7 high (CVSS-BTE)', () => {
    // RedHatProductSecurity/cvss-v4-calculator cvss40.js, JSDoc of class CVSS40.
    const result = scoreCvss4(
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A',
    );
    expect(result).toMatchObject({ score: 8.7, severity: 'high', nomenclature: 'CVSS-BTE' });
  });

  it('keeps the base score apart from the threat- and environment-adjusted score', () => {
    const result = scoreCvss4(
      'CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U',
    );
    // vectors_threat4: 7.3 with E:A (the base metrics' worst case), 4.1 with E:U.
    expect(result).toMatchObject({ baseScore: 7.3, score: 4.1, nomenclature: 'CVSS-BT' });
    expect(result.baseSeverity).toBe('high');
    expect(result.severity).toBe('medium');
  });

  it('names what a score reflects: B, BT, BE, BTE; X values and supplemental metrics do not count', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    expect(scoreCvss4(base).nomenclature).toBe('CVSS-B');
    expect(scoreCvss4(`${base}/E:X/CR:X/S:P/U:Red`).nomenclature).toBe('CVSS-B');
    expect(scoreCvss4(`${base}/E:P`).nomenclature).toBe('CVSS-BT');
    expect(scoreCvss4(`${base}/MAV:L`).nomenclature).toBe('CVSS-BE');
    expect(scoreCvss4(`${base}/E:P/CR:L`).nomenclature).toBe('CVSS-BTE');
  });

  it('scores 0.0 when no system is impacted, whatever else the vector says', () => {
    expect(
      scoreCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N'),
    ).toMatchObject({ score: 0, severity: 'none' });
  });

  it('lets modified metrics override base ones (MVC:N removes the confidentiality impact)', () => {
    const base = parseCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N');
    const withoutImpact = { ...base, MVC: 'N' };
    expect(cvss4Score(base)).toBeGreaterThan(0);
    expect(cvss4Score(withoutImpact)).toBe(0);
  });

  it('keeps one MacroVector score for each of the 270 possible EQ combinations', () => {
    const keys = Object.keys(CVSS4_MACROVECTOR_SCORES);
    expect(keys).toHaveLength(270);
    // EQ3=2 with EQ6=0 is impossible; every other combination of the six levels is present.
    expect(keys.filter((key) => key[2] === '2' && key[5] === '0')).toEqual([]);
    expect(Object.values(CVSS4_MACROVECTOR_SCORES).every((score) => score > 0 && score <= 10)).toBe(
      true,
    );
  });

  describe('refuses a malformed vector with an error naming the metric', () => {
    const valid = 'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

    it.each([
      [
        'missing AT',
        'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
        'missing-metric',
        'AT',
      ],
      ['unknown metric', `CVSS:4.0/${valid}/ZZ:A`, 'unknown-metric', 'ZZ'],
      ['duplicate metric', `CVSS:4.0/${valid}/E:A/E:P`, 'duplicate-metric', 'E'],
      ['bad value', `CVSS:4.0/${valid}/MSC:S`, 'invalid-value', 'MSC'],
      ['v3 metric in a v4 vector', `CVSS:4.0/${valid}/S:U`, 'invalid-value', 'S'],
    ])('%s', (_case, vector, problem, metric) => {
      expect(() => parseCvss4(vector)).toThrow(CvssParseError);
      expect(() => parseCvss4(vector)).toThrow(expect.objectContaining({ problem, metric }));
    });

    it('wrong prefix', () => {
      expect(() => parseCvss4(`CVSS:3.1/${valid}`)).toThrow(
        expect.objectContaining({ problem: 'unsupported-version' }),
      );
    });
  });
});
