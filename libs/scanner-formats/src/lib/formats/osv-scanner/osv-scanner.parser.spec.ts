import { readFileSync } from 'node:fs';
import { corpusPath } from '../../../testing/corpus';
import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { osvScannerParser } from './osv-scanner.parser';

/** An osv-scanner result with one package and the given OSV records and groups. */
function report(records: unknown[], groups?: unknown[], version = '4.17.20'): string {
  return JSON.stringify({
    results: [
      {
        source: { path: '/src/app/package-lock.json', type: 'lockfile' },
        packages: [
          {
            package: { name: 'lodash', version, ecosystem: 'npm' },
            vulnerabilities: records,
            ...(groups === undefined ? {} : { groups }),
          },
        ],
      },
    ],
  });
}

const GHSA_RECORD = {
  id: 'GHSA-35jh-r3h4-6jhm',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
    {
      package: { ecosystem: 'npm', name: 'lodash-es' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.22' }] }],
    },
  ],
  database_specific: { severity: 'HIGH', cwe_ids: ['CWE-77', 'CWE-94'] },
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' }],
};
const SNYK_ALIAS_RECORD = {
  id: 'SNYK-JS-LODASH-1040724',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [
        {
          type: 'GIT',
          events: [{ introduced: '0' }, { fixed: 'c4847ebe7d14540bb28a8b932a9ce1b9ecbfee1a' }],
        },
      ],
    },
  ],
};

describe('osvScannerParser on the corpus', () => {
  // hum counts like the manifest: one finding per alias group; each corpus group has one record.
  itReadsItsCorpus(osvScannerParser, ['osv-scanner'], {
    // osv-scanner writes nothing when it finds nothing to scan: no content to detect.
    'osv-scanner/no_findings.json': { yielded: 0, distinct: 0, manifest: '0', confidence: 0 },
    'osv-scanner/some_findings.json': { yielded: 1, distinct: 1, manifest: '1' },
    'osv-scanner/multi_cwe_fabricated.json': { yielded: 1, distinct: 1, manifest: '1' },
  });
});

describe('osvScannerParser: facts', () => {
  it('some_findings.json: MAL-2023-1035 in flot-axis, CWE-506', async () => {
    const [finding] = await parseCorpusFile(osvScannerParser, 'osv-scanner/some_findings.json');
    // DefectDojo's title "MAL-2023-1035_flot-axis" and vuln id MAL-2023-1035: the tool's id is
    // the rule and leads the title; the GHSA alias becomes the preferred vulnerability id.
    expect(finding!.title).toBe(
      'MAL-2023-1035 in flot-axis:0.0.0 — Malicious code in flot-axis (npm)',
    );
    expect(finding!.rule).toEqual({
      id: 'MAL-2023-1035',
      name: 'Malicious code in flot-axis (npm)',
    });
    expect(finding!.vulnerability).toEqual({
      id: 'GHSA-8348-2q94-ffjx',
      aliases: ['MAL-2023-1035'],
    });
    expect(finding!.cwes).toEqual(['CWE-506']);
    // DefectDojo defaults to Low when the record has no severity; hum says "unknown" instead of
    // inventing one (a malicious package is anything but low).
    expect(finding!.severity).toEqual({ normalized: 'unknown' });
    expect(finding!.tags).toEqual(['source-type:lockfile', 'malicious-package']);
    expect(finding!.component).toEqual({
      name: 'flot-axis',
      version: '0.0.0',
      purl: 'pkg:npm/flot-axis@0.0.0',
      ecosystem: 'npm',
      path: '/tmp/components/yarn.lock',
      fixedVersions: [],
    });
    expect(finding!.description).toContain('should be considered fully compromised');
  });

  it('multi_cwe_fabricated.json: every CWE of the record, the first one first', async () => {
    const [finding] = await parseCorpusFile(
      osvScannerParser,
      'osv-scanner/multi_cwe_fabricated.json',
    );
    expect(finding!.cwes).toEqual(['CWE-79', 'CWE-89']);
    expect(finding!.vulnerability!.id).toBe('GHSA-multi-cwe-0001');
  });

  it('no_findings.json: an empty osv-scanner output is an empty report', async () => {
    await expect(
      parseCorpusFile(osvScannerParser, 'osv-scanner/no_findings.json'),
    ).resolves.toEqual([]);
  });
});

describe('osvScannerParser: mapping rules', () => {
  it('merges the records of one alias group into one finding', async () => {
    const findings = await parseText(
      osvScannerParser,
      report(
        [GHSA_RECORD, SNYK_ALIAS_RECORD],
        [{ ids: ['GHSA-35jh-r3h4-6jhm', 'SNYK-JS-LODASH-1040724'], max_severity: '7.2' }],
      ),
    );
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding!.vulnerability).toEqual({
      id: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm', 'SNYK-JS-LODASH-1040724'],
    });
    expect(finding!.severity).toEqual({ reported: 'HIGH', normalized: 'high' });
    expect(finding!.cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
        source: 'GHSA-35jh-r3h4-6jhm',
      },
    ]);
    expect(finding!.cwes).toEqual(['CWE-77', 'CWE-94']);
    // Only this package's SEMVER fix; lodash-es's fix and the GIT commit are not versions of it.
    expect(finding!.component!.fixedVersions).toEqual(['4.17.21']);
    expect(finding!.component!.purl).toBe('pkg:npm/lodash@4.17.20');
  });

  it('yields one finding per record when osv-scanner gives no groups', async () => {
    const findings = await parseText(osvScannerParser, report([GHSA_RECORD, SNYK_ALIAS_RECORD]));
    expect(findings.map((f) => f.rule?.id)).toEqual([
      'GHSA-35jh-r3h4-6jhm',
      'SNYK-JS-LODASH-1040724',
    ]);
    // Both name CVE-2021-23337, so the pipeline still collapses them into one finding.
    expect(findings[0]!.fingerprintBasis).toEqual(findings[1]!.fingerprintBasis);
  });

  it('falls back to the group max_severity score when no advisory names a severity', async () => {
    const [finding] = await parseText(
      osvScannerParser,
      report([SNYK_ALIAS_RECORD], [{ ids: ['SNYK-JS-LODASH-1040724'], max_severity: '9.1' }]),
    );
    expect(finding!.severity).toEqual({ reported: '9.1', normalized: 'critical' });
  });
});

describe('osvScannerParser: invalid input', () => {
  it('reports truncated JSON with line and column', async () => {
    const text = readFileSync(corpusPath('osv-scanner/some_findings.json'), 'utf8').slice(0, 700);
    const error = await parseFailure(osvScannerParser, text);
    expect(error.location.line).toBe(text.split('\n').length);
    expect(error.location.column).toBe(text.length - text.lastIndexOf('\n'));
  });

  it('rejects `results` that is not an array', async () => {
    expect((await parseFailure(osvScannerParser, '{"results": "none"}')).location.pointer).toBe(
      '/results',
    );
  });

  it('points at a record without an id and at a package without a name', async () => {
    const noId = await parseFailure(osvScannerParser, report([{ summary: 'x' }]));
    expect(noId.location.pointer).toBe('/results/0/packages/0/vulnerabilities/0/id');
    const noName = await parseFailure(
      osvScannerParser,
      '{"results": [{"source": {}, "packages": [{"package": {"version": "1"}}]}]}',
    );
    expect(noName.location.pointer).toBe('/results/0/packages/0/package/name');
  });
});

describe('osvScannerParser: fingerprint stability', () => {
  it('keeps the basis across a version bump within the range and a moved lockfile', async () => {
    const [before] = await parseText(osvScannerParser, report([GHSA_RECORD], undefined, '4.17.19'));
    const moved = report([GHSA_RECORD], undefined, '4.17.20').replace(
      '/src/app/package-lock.json',
      'services/api/package-lock.json',
    );
    const [after] = await parseText(osvScannerParser, moved);
    expect(after!.location!.path).toBe('services/api/package-lock.json');
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
    expect(after!.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2021-23337',
      packageId: 'pkg:npm/lodash',
    });
  });
});
