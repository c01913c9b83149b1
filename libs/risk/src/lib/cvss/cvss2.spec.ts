import { CvssParseError } from './errors';
import { parseCvss2, scoreCvss2 } from './cvss2';

describe('CVSS v2.0 base score', () => {
  // Source: "A Complete Guide to the Common Vulnerability Scoring System Version 2.0" (FIRST),
  // §3.3 Examples: the base vector and base score of each worked example.
  it.each([
    ['CVE-2002-0392 (Apache chunked encoding)', 'AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8],
    ['CVE-2003-0818 (Microsoft ASN.1 library)', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0],
    ['CVE-2003-0062 (NOD32 buffer overflow)', 'AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2],
  ])('%s scores %s', (_example, vector, score) => {
    expect(scoreCvss2(vector).baseScore).toBe(score);
  });

  it('scores Log4Shell CVE-2021-44228 9.3 high, as NVD publishes its v2 score', () => {
    expect(scoreCvss2('AV:N/AC:M/Au:N/C:C/I:C/A:C')).toMatchObject({
      version: '2.0',
      baseScore: 9.3,
      baseSeverity: 'high',
    });
  });

  it('rates with the NVD v2 scale, which has no "none": a no-impact vector is low', () => {
    expect(scoreCvss2('AV:N/AC:L/Au:N/C:N/I:N/A:N')).toMatchObject({
      baseScore: 0,
      baseSeverity: 'low',
    });
    expect(scoreCvss2('AV:N/AC:M/Au:N/C:N/I:N/A:P').baseSeverity).toBe('medium');
  });

  it('keeps temporal and environmental metrics without letting them change the base score', () => {
    const result = scoreCvss2(
      'AV:N/AC:L/Au:N/C:C/I:C/A:C/E:POC/RL:OF/RC:C/CDP:H/TD:L/CR:L/IR:L/AR:L',
    );
    expect(result.baseScore).toBe(10);
    expect(result.metrics).toMatchObject({ E: 'POC', CDP: 'H', TD: 'L' });
  });

  it('names the metric of a v3 vector handed over without its prefix', () => {
    try {
      parseCvss2('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(CvssParseError);
      expect(error).toMatchObject({ problem: 'unknown-metric', metric: 'PR' });
    }
  });

  it('refuses a vector lacking Au', () => {
    expect(() => parseCvss2('AV:N/AC:L/C:C/I:C/A:C')).toThrow(
      expect.objectContaining({ problem: 'missing-metric', metric: 'Au' }),
    );
  });
});
