import { corpusText } from '../../../testing/corpus';
import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseSource,
  parseText,
  publishedFinding,
  streamOnlySource,
} from '../../../testing/parser-spec';
import { grypeJsonParser } from './grype-json.parser';

/**
 * hum's counts on the corpus. The parser yields one finding per Grype match; the pipeline then
 * collapses findings with the same fingerprint (vulnerability + package without version), which
 * is where DefectDojo's "merge matches with the same vulnerability, name and version" lands too.
 */
const EXPECTED: Record<string, { yielded: number; distinct: number; manifest: string }> = {
  'grype/no_vuln.json': { yielded: 0, distinct: 0, manifest: '0' },
  // 6 matches: Django/GHSA-v6rh-hp5x-86rv is matched twice -> 5 distinct, DefectDojo's 5.
  'grype/check_all_fields.json': { yielded: 6, distinct: 5, manifest: '5' },
  // 2 matches of one CVE in libc6 at two file paths -> 1 distinct, DefectDojo's default mode.
  'grype/same_cve_different_paths.json': {
    yielded: 2,
    distinct: 1,
    manifest: "1 (default mode) / 2 ('Anchore Grype detailed' mode)",
  },
  'grype/many_vulns4.json': { yielded: 9, distinct: 9, manifest: '9' },
};

describe('grypeJsonParser on the corpus', () => {
  itReadsItsCorpus(grypeJsonParser, ['grype'], EXPECTED);
});

describe('grypeJsonParser: facts the manifest asserts', () => {
  it('check_all_fields.json: titles, severities, CVSS, ids and duplicates', async () => {
    const findings = await parseCorpusFile(grypeJsonParser, 'grype/check_all_fields.json');
    const [krb5, redis, libcBin, libc6, django, djangoAgain] = findings;

    expect(krb5!.title).toBe('CVE-2004-0971 in libgssapi-krb5-2:1.17-3+deb10u3');
    expect(krb5!.severity).toEqual({ reported: 'Negligible', normalized: 'info' });
    // DefectDojo's "no CVSS" is about CVSS v3: the only vector is NVD's v2 one.
    expect(krb5!.cvss.map((c) => c.version)).toEqual(['2.0']);
    expect(krb5!.cvss[0]).toMatchObject({
      vector: 'AV:L/AC:L/Au:N/C:N/I:P/A:N',
      reportedScore: 2.1,
    });

    expect(redis!.title).toBe('CVE-2021-32626 in redis:4.0.2');
    expect(redis!.severity).toEqual({ reported: 'High', normalized: 'high' });
    expect(redis!.cvss).toContainEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
      reportedScore: 8.8,
      source: 'nvd',
    });
    // fix.state "wont-fix": the listed versions are not offered to the patcher.
    expect(redis!.component!.fixedVersions).toEqual([]);
    expect(redis!.tags).toContain('fix-state:wont-fix');

    for (const [finding, name] of [
      [libcBin, 'libc-bin'],
      [libc6, 'libc6'],
    ] as const) {
      expect(finding!.vulnerability!.id).toBe('CVE-2021-33574');
      expect(finding!.component).toMatchObject({ name, version: '2.28-10', ecosystem: 'deb' });
      expect(finding!.severity.normalized).toBe('critical');
    }

    expect(django!.title).toBe('GHSA-v6rh-hp5x-86rv in Django:3.2.9');
    expect(django!.severity.normalized).toBe('high');
    expect(django!.vulnerability).toEqual({
      id: 'CVE-2021-44420',
      aliases: ['GHSA-v6rh-hp5x-86rv'],
    });
    expect(django!.component).toMatchObject({
      name: 'Django',
      version: '3.2.9',
      purl: 'pkg:pypi/Django@3.2.9',
      fixedVersions: ['3.2.10'],
    });
    // DefectDojo's nb_occurences 2: the second match has the same fingerprint basis.
    expect(djangoAgain!.fingerprintBasis).toEqual(django!.fingerprintBasis);
    expect(django!.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2021-44420',
      packageId: 'pkg:pypi/Django',
    });
    expect(django!.tool).toEqual({ name: 'grype', version: '0.28.0' });
  });

  it('same_cve_different_paths.json: two locations, one identity', async () => {
    const findings = await parseCorpusFile(grypeJsonParser, 'grype/same_cve_different_paths.json');
    expect(findings.map((f) => f.location?.path)).toEqual([
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
    ]);
    expect(findings[0]!.fingerprintBasis).toEqual(findings[1]!.fingerprintBasis);
  });

  it('many_vulns4.json: CVE-1999-1338 in delegate 3.2.0, Medium, matched by javascript-matcher', async () => {
    const findings = await parseCorpusFile(grypeJsonParser, 'grype/many_vulns4.json');
    const delegate = findings.find((f) => f.vulnerability?.id === 'CVE-1999-1338');
    expect(delegate!.severity).toEqual({ reported: 'Medium', normalized: 'medium' });
    expect(delegate!.description).toContain('javascript-matcher');
    expect(delegate!.component).toMatchObject({
      name: 'delegate',
      version: '3.2.0',
      purl: 'pkg:npm/delegate@3.2.0',
      path: 'components/yarn.lock',
    });
    expect(delegate!.tool.version).toBe('0.24.0');
  });
});

describe('grypeJsonParser: invalid input', () => {
  it('reports truncated JSON with the line and column where it ends', async () => {
    const full = corpusText('grype/check_all_fields.json');
    const truncated = full.slice(0, 5000);
    const error = await parseFailure(grypeJsonParser, truncated);
    expect(error.format).toBe('grype-json');
    expect(error.message).toMatch(/^malformed JSON: .*truncated/);
    expect(error.location.line).toBe(truncated.split('\n').length);
    expect(error.location.column).toBe(truncated.length - truncated.lastIndexOf('\n'));
  });

  it('locates a stray token without quoting the report', async () => {
    const error = await parseFailure(
      grypeJsonParser,
      '{\n  "matches": [\n    secret-token-value ]\n}',
    );
    expect(error.location).toEqual({ line: 3, column: 5 });
    expect(error.message).not.toContain('secret-token-value');
  });

  it('rejects `matches` that is not an array, pointing at it', async () => {
    const error = await parseFailure(grypeJsonParser, '{"matches": "none"}');
    expect(error.location.pointer).toBe('/matches');
    expect(error.message).toBe('expected array, found string');
  });

  it('rejects a document that is not an object', async () => {
    const error = await parseFailure(grypeJsonParser, '[{"matches": []}]');
    expect(error.location.pointer).toBe('');
  });

  it('points at a match without an artifact and at a vulnerability id of the wrong type', async () => {
    const withoutArtifact = await parseFailure(
      grypeJsonParser,
      '{"matches": [{"vulnerability": {"id": "CVE-2020-1"}}]}',
    );
    expect(withoutArtifact.location.pointer).toBe('/matches/0/artifact');
    const numericId = await parseFailure(
      grypeJsonParser,
      '{"matches": [{"vulnerability": {"id": 7}, "artifact": {"name": "x"}}]}',
    );
    expect(numericId.location.pointer).toBe('/matches/0/vulnerability/id');
  });

  it('reads words that name Object.prototype members as plain unknown words', async () => {
    const [finding] = await parseText(
      grypeJsonParser,
      JSON.stringify({
        matches: [
          {
            vulnerability: { id: 'CVE-2024-1', severity: 'constructor' },
            artifact: { name: 'lib', version: '1', type: '__proto__' },
          },
        ],
      }),
    );
    expect(finding!.severity).toEqual({ reported: 'constructor', normalized: 'unknown' });
    expect(finding!.component).toEqual({
      name: 'lib',
      version: '1',
      ecosystem: '__proto__',
      fixedVersions: [],
    });
    expect(() => publishedFinding(finding!)).not.toThrow();
  });

  it('stops at maxFindings', async () => {
    const text = corpusText('grype/check_all_fields.json');
    await expect(parseText(grypeJsonParser, text, { maxFindings: 3 })).rejects.toThrow(
      /more than 3 findings/,
    );
    await expect(parseText(grypeJsonParser, text, { maxFindings: 6 })).resolves.toHaveLength(6);
  });
});

describe('grypeJsonParser: fingerprint stability', () => {
  interface Match {
    vulnerability: { id: string };
    artifact: { version: string; purl: string; locations: Array<{ path: string }> };
  }

  it('keeps the basis when the package moves, is upgraded within the range, or matches reorder', async () => {
    const original = JSON.parse(corpusText('grype/check_all_fields.json')) as { matches: Match[] };
    const before = await parseText(grypeJsonParser, JSON.stringify(original));
    const redisBefore = before.find((f) => f.vulnerability?.id === 'CVE-2021-32626')!;

    const changed = structuredClone(original);
    const redis = changed.matches.find((m) => m.vulnerability.id === 'CVE-2021-32626')!;
    redis.artifact.version = '4.0.3';
    redis.artifact.purl = 'pkg:pypi/redis@4.0.3';
    redis.artifact.locations = [{ path: '/opt/app/lib/python3.11/site-packages/redis/METADATA' }];
    changed.matches.reverse();
    const after = await parseText(grypeJsonParser, JSON.stringify(changed, null, 4));
    const redisAfter = after.find((f) => f.vulnerability?.id === 'CVE-2021-32626')!;

    expect(redisAfter.location?.path).not.toBe(redisBefore.location?.path);
    expect(redisAfter.fingerprintBasis).toEqual(redisBefore.fingerprintBasis);
    expect(new Set(after.map((f) => JSON.stringify(f.fingerprintBasis)))).toEqual(
      new Set(before.map((f) => JSON.stringify(f.fingerprintBasis))),
    );
  });

  it('gives the same CVE in two packages two identities', async () => {
    const findings = await parseCorpusFile(grypeJsonParser, 'grype/check_all_fields.json');
    const glibc = findings.filter((f) => f.vulnerability?.id === 'CVE-2021-33574');
    expect(glibc).toHaveLength(2);
    expect(glibc[0]!.fingerprintBasis).not.toEqual(glibc[1]!.fingerprintBasis);
  });
});

describe('grypeJsonParser: streaming', () => {
  /** Grype's own key order: matches first, then source, distro and descriptor. */
  function grypeReport(order: 'grype' | 'sorted'): string {
    const matches = [
      {
        vulnerability: { id: 'CVE-2023-4911', severity: 'High', fix: { state: 'not-fixed' } },
        artifact: { name: 'libc6', version: '2.36-9', type: 'deb' },
      },
      {
        vulnerability: { id: 'CVE-2022-1271', severity: 'Medium' },
        artifact: { name: 'gzip', version: '1.10-4', type: 'deb', purl: 'pkg:deb/debian/gzip' },
      },
    ];
    const source = { type: 'image', target: { userInput: 'debian:12' } };
    const distro = { name: 'debian', version: '12' };
    const descriptor = { name: 'grype', version: '0.74.0' };
    return order === 'grype'
      ? JSON.stringify({ matches, source, distro, descriptor }, null, 2)
      : JSON.stringify({ descriptor, distro, matches, source }, null, 2);
  }

  it('reads the report as a stream, never as one text', async () => {
    const streamed = await parseSource(
      grypeJsonParser,
      streamOnlySource(corpusText('grype/check_all_fields.json'), 997),
    );
    expect(streamed).toEqual(await parseCorpusFile(grypeJsonParser, 'grype/check_all_fields.json'));
    expect(streamed).toHaveLength(6);
  });

  it('applies the tool version and distro Grype writes after the matches to every match', async () => {
    const findings = await parseSource(grypeJsonParser, streamOnlySource(grypeReport('grype'), 7));
    expect(findings.map((f) => f.tool)).toEqual([
      { name: 'grype', version: '0.74.0' },
      { name: 'grype', version: '0.74.0' },
    ]);
    // The artifact without a purl gets one in the distro's namespace.
    expect(findings[0]!.component!.purl).toBe('pkg:deb/debian/libc6@2.36-9');
  });

  it('reads a key-sorted report (context first) to the same findings', async () => {
    const sorted = await parseSource(grypeJsonParser, streamOnlySource(grypeReport('sorted'), 7));
    expect(sorted).toEqual(await parseText(grypeJsonParser, grypeReport('grype')));
  });

  it('rejects a report without matches, pointing at where they belong', async () => {
    const error = await parseFailure(grypeJsonParser, '{"descriptor": {"name": "grype"}}');
    expect(error.location.pointer).toBe('/matches');
    expect(error.message).toBe('expected an array, found nothing');
  });
});
