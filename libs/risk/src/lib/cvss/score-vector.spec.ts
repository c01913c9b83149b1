import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CvssParseError } from './errors';
import { scoreCvssVector } from './score-vector';

describe('scoreCvssVector', () => {
  it('picks the version from the prefix', () => {
    expect(scoreCvssVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').version).toBe('3.0');
    expect(scoreCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').version).toBe('3.1');
    expect(
      scoreCvssVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N').version,
    ).toBe('4.0');
    expect(scoreCvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P').version).toBe('2.0');
  });

  it('trims surrounding whitespace', () => {
    expect(scoreCvssVector('  AV:N/AC:L/Au:N/C:P/I:P/A:P\n')).toMatchObject({
      vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      baseScore: 7.5,
    });
  });

  it.each([
    ['unknown version', 'CVSS:5.0/AV:N', 'unsupported-version'],
    ['prefix without metrics', 'CVSS:3.1', 'malformed'],
    ['empty', '', 'empty'],
    ['free text', 'high', 'malformed'],
  ])('refuses %s', (_case, vector, problem) => {
    expect(() => scoreCvssVector(vector)).toThrow(CvssParseError);
    expect(() => scoreCvssVector(vector)).toThrow(expect.objectContaining({ problem }));
  });

  describe('agrees with the scores scanners recorded next to vectors in the real report corpus', () => {
    // testdata/corpus holds unchanged scanner outputs. Trivy records each source's (NVD, Red Hat,
    // GHSA...) V2/V3 vector and score, Grype its cvss[].vector with metrics.baseScore, Snyk CVSSv3
    // with cvssScore. Each pair is a score published by that source for that vector.
    const corpus = path.resolve(__dirname, '../../../../../testdata/corpus');
    interface Pair {
      file: string;
      vector: string;
      score: number;
    }

    function pairsIn(value: unknown, file: string, into: Pair[]): void {
      if (Array.isArray(value)) {
        for (const item of value) pairsIn(item, file, into);
        return;
      }
      if (value === null || typeof value !== 'object') return;
      const record = value as Record<string, unknown>;
      const add = (vector: unknown, score: unknown): void => {
        if (typeof vector === 'string' && typeof score === 'number')
          into.push({ file, vector, score });
      };
      add(record['V2Vector'], record['V2Score']);
      add(record['V3Vector'], record['V3Score']);
      add(record['V40Vector'], record['V40Score']);
      add(record['CVSSv3'], record['cvssScore']);
      const metrics = record['metrics'];
      if (metrics !== null && typeof metrics === 'object') {
        add(record['vector'], (metrics as Record<string, unknown>)['baseScore']);
      }
      for (const child of Object.values(record)) pairsIn(child, file, into);
    }

    function reportsOf(directory: string): string[] {
      return readdirSync(path.join(corpus, directory))
        .filter((name) => name.endsWith('.json'))
        .map((name) => path.join(directory, name));
    }

    const pairs: Pair[] = [];
    for (const file of [...reportsOf('trivy'), ...reportsOf('grype'), ...reportsOf('snyk')]) {
      pairsIn(JSON.parse(readFileSync(path.join(corpus, file), 'utf8')), file, pairs);
    }

    it('finds the pairs (more than 300 across Trivy, Grype and Snyk reports)', () => {
      expect(pairs.length).toBeGreaterThan(300);
      expect(new Set(pairs.map((pair) => pair.vector.slice(0, 8))).size).toBeGreaterThanOrEqual(3);
    });

    it('computes the recorded score for every pair', () => {
      const disagreements = pairs
        .map((pair) => {
          const result = scoreCvssVector(pair.vector);
          return { ...pair, computed: result.version === '4.0' ? result.score : result.baseScore };
        })
        .filter((pair) => pair.computed !== pair.score);
      expect(disagreements).toEqual([]);
    });
  });
});
