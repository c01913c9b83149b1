import { readFileSync } from 'node:fs';
import type { ReportParseError } from '../../core/errors';
import type { ParsedFinding, ReportSource } from '../../core/types';
import { corpusEntries, corpusPath } from '../../../testing/corpus';
import {
  memorySource,
  parseCorpusFile,
  parseFailure,
  parseSource,
} from '../../../testing/parser-spec';
import { trivyJsonParser } from './trivy-json.parser';

const parse = (source: ReportSource): Promise<ParsedFinding[]> =>
  parseSource(trivyJsonParser, source);
const parseFile = (relative: string): Promise<ParsedFinding[]> =>
  parseCorpusFile(trivyJsonParser, relative);
const parseError = (text: string): Promise<ReportParseError> =>
  parseFailure(trivyJsonParser, memorySource(text, 7));

describe('Trivy JSON parser on the corpus', () => {
  const entries = corpusEntries('trivy');

  it('covers all six Trivy files of the manifest', () => {
    expect(entries.map((entry) => entry.path).sort()).toEqual([
      'trivy/legacy_many_vulns.json',
      'trivy/legacy_no_vuln.json',
      'trivy/legacy_trivy_mix.json',
      'trivy/misconfigurations_and_secrets.json',
      'trivy/scheme_2_many_vulns.json',
      'trivy/scheme_2_no_vuln.json',
    ]);
  });

  it.each(entries.map((entry) => [entry.path, entry.expectedCount] as const))(
    '%s parses to the manifest count (%s)',
    async (path, expected) => {
      const findings = await parseFile(path);
      // legacy_trivy_mix.json has no count in the manifest (no DefectDojo test uses it); its
      // raw entries are 7, and hum yields one finding per entry, the one without an id included.
      const count = /^\d+$/.test(expected) ? Number(expected) : 7;
      expect(findings).toHaveLength(count);
      expect(
        trivyJsonParser.detect(memorySource(readFileSync(corpusPath(path))).head),
      ).toBeGreaterThan(0);
    },
  );

  it('scheme_2_many_vulns: finding 0 is CVE-2020-15999 in freetype 2.9.1-r2 (manifest facts)', async () => {
    const [first, second] = await parseFile('trivy/scheme_2_many_vulns.json');
    expect(first!.title.startsWith('CVE-2020-15999 freetype 2.9.1-r2')).toBe(true);
    expect(first!.severity).toEqual({ reported: 'MEDIUM', normalized: 'medium' });
    expect(first!.vulnerability?.id).toBe('CVE-2020-15999');
    expect(first!.cwes).toEqual(['CWE-787']);
    expect(first!.component).toMatchObject({
      name: 'freetype',
      version: '2.9.1-r2',
      path: 'app/libs/freetype-2.9.1-r2',
      fixedVersions: ['2.9.1-r3'],
      purl: 'pkg:apk/alpine/freetype@2.9.1-r2',
      ecosystem: 'apk',
    });
    expect(first!.location?.path).toBe('app/libs/freetype-2.9.1-r2');
    expect(first!.cvss).toContainEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H',
      reportedScore: 6.5,
      source: 'nvd',
    });
    expect(first!.cvss).toContainEqual({
      version: '2.0',
      vector: 'AV:N/AC:M/Au:N/C:N/I:N/A:P',
      reportedScore: 4.3,
      source: 'nvd',
    });
    // The GitHub advisory the CVE links to becomes an alias other tools can be matched by.
    expect(first!.vulnerability?.aliases).toContain('GHSA-pv36-h7jh-qm62');
    expect(first!.references).toContain('https://nvd.nist.gov/vuln/detail/CVE-2020-15999');

    expect(second!.severity.normalized).toBe('high');
    expect(second!.vulnerability?.id).toBe('CVE-2020-28196');
    expect(second!.component).toMatchObject({
      name: 'krb5-libs',
      version: '1.15.5-r0',
      fixedVersions: ['1.15.5-r1'],
    });
    expect(second!.cwes).toEqual(['CWE-674']);
  });

  it('scheme_2_many_vulns: a Maven package gets a purl from group:artifact', async () => {
    const findings = await parseFile('trivy/scheme_2_many_vulns.json');
    const compress = findings.find((f) => f.vulnerability?.id === 'CVE-2018-11771')!;
    expect(compress.component?.purl).toBe('pkg:maven/org.apache.commons/commons-compress@1.14');
    expect(compress.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2018-11771',
      packageId: 'pkg:maven/org.apache.commons/commons-compress',
    });
  });

  it('misconfigurations_and_secrets: 2 vulnerabilities, 1 misconfiguration, 2 secrets (manifest facts)', async () => {
    const findings = await parseFile('trivy/misconfigurations_and_secrets.json');
    expect(findings.map((f) => f.kind)).toEqual([
      'vulnerability',
      'vulnerability',
      'misconfiguration',
      'secret',
      'secret',
    ]);
    const misconfiguration = findings[2]!;
    expect(misconfiguration.title).toBe("DS002 - Image user should not be 'root'");
    expect(misconfiguration.severity).toEqual({ reported: 'HIGH', normalized: 'high' });
    expect(misconfiguration.tags).toEqual(expect.arrayContaining(['dockerfile', 'config']));
    expect(misconfiguration.location?.path).toBe('Dockerfile');
    expect(misconfiguration.fingerprintBasis).toEqual({
      kind: 'resource',
      tool: 'Trivy',
      ruleId: 'DS002',
      resource: 'Dockerfile#',
    });

    const secret = findings[3]!;
    expect(secret.title).toBe('Secret detected in Dockerfile - GitHub Personal Access Token');
    expect(secret.severity).toEqual({ reported: 'CRITICAL', normalized: 'critical' });
    expect(secret.location).toMatchObject({ path: 'Dockerfile', startLine: 24, endLine: 24 });
    expect(secret.tags).toContain('secret');
    // Trivy masked the token; hum keeps only masked text.
    expect(secret.location?.snippet).toBe('ENV GITHUB_PAT=*****');
    expect(secret.fingerprintBasis).toEqual({
      kind: 'code',
      tool: 'Trivy',
      ruleId: 'github-pat',
      path: 'Dockerfile',
      anchor: 'env github_pat=*****',
    });
  });

  it('legacy_many_vulns: finding 0 is CVE-2011-3374 in apt 1.8.2.2, low (manifest facts)', async () => {
    const findings = await parseFile('trivy/legacy_many_vulns.json');
    const first = findings[0]!;
    expect(first.severity).toEqual({ reported: 'LOW', normalized: 'low' });
    expect(first.vulnerability?.id).toBe('CVE-2011-3374');
    expect(first.cwes).toEqual(['CWE-347']);
    expect(first.component).toMatchObject({
      name: 'apt',
      version: '1.8.2.2',
      purl: 'pkg:deb/debian/apt@1.8.2.2',
    });
    // DefectDojo maps Trivy's UNKNOWN to Info; hum keeps it unknown rather than claim "no risk".
    const unknown = findings.filter((f) => f.severity.reported === 'UNKNOWN');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.severity.normalized).toBe('unknown');
  });

  it('legacy_trivy_mix: keeps the entry without an id, and reads fixed versions only as versions', async () => {
    const findings = await parseFile('trivy/legacy_trivy_mix.json');
    const unidentified = findings.find((f) => f.component?.name === 'simplito/elliptic-php')!;
    expect(unidentified.vulnerability).toBeUndefined();
    expect(unidentified.title).toBe('Unidentified vulnerability simplito/elliptic-php');
    expect(unidentified.severity.normalized).toBe('unknown');
    const lodash = findings.find((f) => f.component?.name === 'lodash')!;
    // ">=4.17.11" names 4.17.11 as the first fixed version.
    expect(lodash.component?.fixedVersions).toEqual(['4.17.11']);
    expect(lodash.component?.purl).toBe('pkg:npm/lodash@4.17.4');
  });

  it('empty reports (null, no Vulnerabilities key) yield nothing', async () => {
    expect(await parseFile('trivy/legacy_no_vuln.json')).toEqual([]);
    expect(await parseFile('trivy/scheme_2_no_vuln.json')).toEqual([]);
  });
});

describe('Trivy JSON parser on other shapes', () => {
  const vulnerability = {
    VulnerabilityID: 'CVE-2020-27350',
    VendorIDs: ['DSA-4808-1'],
    PkgName: 'apt',
    InstalledVersion: '1.8.2.1',
    FixedVersion: '1.8.2.2',
    Severity: 'MEDIUM',
  };

  it('reads Kubernetes cluster reports (Resources[]) with the workload in location and identity', async () => {
    const report = {
      ClusterName: 'kind-lab',
      Resources: [
        {
          Namespace: 'default',
          Kind: 'Deployment',
          Name: 'redis-follower',
          Results: [
            {
              Target: 'redis:6 (debian 10.4)',
              Class: 'os-pkgs',
              Type: 'debian',
              Vulnerabilities: [vulnerability],
            },
            {
              Target: 'Deployment/redis-follower',
              Class: 'config',
              Type: 'kubernetes',
              Misconfigurations: [
                {
                  ID: 'KSV001',
                  Title: 'Process can elevate its own privileges',
                  Severity: 'MEDIUM',
                  Status: 'FAIL',
                },
                { ID: 'KSV002', Title: 'Passed check', Severity: 'LOW', Status: 'PASS' },
              ],
            },
          ],
        },
        {
          Namespace: 'default',
          Kind: 'Deployment',
          Name: 'redis-leader',
          Results: [
            {
              Target: 'redis:6 (debian 10.4)',
              Class: 'os-pkgs',
              Type: 'debian',
              Vulnerabilities: [vulnerability],
            },
          ],
        },
      ],
    };
    const source = memorySource(JSON.stringify(report));
    expect(trivyJsonParser.detect(source.head)).toBeGreaterThan(0.5);
    const findings = await parse(source);
    expect(findings.map((f) => f.kind)).toEqual([
      'vulnerability',
      'misconfiguration',
      'vulnerability',
    ]);
    expect(findings[0]!.location?.logical).toBe('default/Deployment/redis-follower');
    expect(findings[0]!.vulnerability).toEqual({ id: 'CVE-2020-27350', aliases: ['DSA-4808-1'] });
    expect(findings[1]!.fingerprintBasis).toMatchObject({ kind: 'resource', ruleId: 'KSV001' });
    // The same CVE in the same package of two workloads: two findings, each patched on its own.
    expect(findings[0]!.fingerprintBasis).not.toEqual(findings[2]!.fingerprintBasis);
  });

  it('reads the pre-0.40 cluster form (Vulnerabilities[] of resources)', async () => {
    const report = {
      ClusterName: 'eks',
      Vulnerabilities: [
        {
          Namespace: 'default',
          Kind: 'Deployment',
          Name: 'web',
          Results: [
            {
              Target: 'nginx:1.19',
              Class: 'os-pkgs',
              Type: 'debian',
              Vulnerabilities: [vulnerability],
            },
          ],
        },
      ],
    };
    const findings = await parse(memorySource(JSON.stringify(report)));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location?.logical).toBe('default/Deployment/web');
  });

  it('reads a key-sorted report (jq -S) where findings come before their Target', async () => {
    const report = {
      Results: [
        {
          Class: 'config',
          Misconfigurations: [
            {
              ID: 'DS002',
              Title: 'Image user should not be root',
              Severity: 'HIGH',
              Status: 'FAIL',
            },
          ],
          Target: 'Dockerfile',
          Type: 'dockerfile',
        },
        {
          Class: 'os-pkgs',
          Target: 'img (debian 10)',
          Type: 'debian',
          Vulnerabilities: [vulnerability, vulnerability],
        },
      ],
      SchemaVersion: 2,
    };
    const source = memorySource(JSON.stringify(report));
    expect(trivyJsonParser.detect(source.head)).toBeGreaterThan(0);
    const findings = await parse(source);
    expect(findings).toHaveLength(3);
    expect(findings[0]!.location?.path).toBe('Dockerfile');
    expect(findings[0]!.tags).toEqual(expect.arrayContaining(['dockerfile', 'config']));
    expect(findings[1]!.component?.purl).toBe('pkg:deb/debian/apt@1.8.2.1');
  });

  it('skips packages a VEX statement marks not affected', async () => {
    const report = {
      SchemaVersion: 2,
      Results: [
        {
          Target: 'x',
          Class: 'os-pkgs',
          Type: 'debian',
          Vulnerabilities: [vulnerability, { ...vulnerability, Status: 'not_affected' }],
        },
      ],
    };
    expect(await parse(memorySource(JSON.stringify(report)))).toHaveLength(1);
  });

  it('stops after maxFindings', async () => {
    const report = {
      SchemaVersion: 2,
      Results: [{ Target: 'x', Vulnerabilities: [vulnerability, vulnerability] }],
    };
    const findings: ParsedFinding[] = [];
    await expect(
      (async () => {
        for await (const f of trivyJsonParser.parse(memorySource(JSON.stringify(report)), {
          maxFindings: 1,
        })) {
          findings.push(f);
        }
      })(),
    ).rejects.toThrow(/more than 1 findings/);
    expect(findings).toHaveLength(1);
  });
});

describe('Trivy JSON parser on malformed input', () => {
  it('rejects Results that is a string, at its pointer', async () => {
    const error = await parseError('{"SchemaVersion": 2,\n "Results": "none"}');
    expect(error.format).toBe('trivy-json');
    expect(error.location.pointer).toBe('/Results');
    expect(error.location.line).toBe(2);
    expect(error.message).toMatch(/expected array or null/);
  });

  it('rejects a vulnerability field of the wrong type, at its pointer', async () => {
    const error = await parseError(
      JSON.stringify({
        SchemaVersion: 2,
        Results: [{ Target: 't', Vulnerabilities: [{ VulnerabilityID: 42 }] }],
      }),
    );
    expect(error.location.pointer).toBe('/Results/0/Vulnerabilities/0/VulnerabilityID');
    expect(error.message).toMatch(/expected a string/);
  });

  it('rejects a truncated report with the line and column where it ends', async () => {
    const text = readFileSync(corpusPath('trivy/scheme_2_many_vulns.json'), 'utf8');
    const cut = text.slice(0, Math.floor(text.length / 2));
    const error = await parseError(cut);
    expect(error.message).toMatch(/unexpected end of input/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('rejects a syntax error inside a vulnerability at its line', async () => {
    const error = await parseError(
      '{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [\n{"PkgName": "a",}\n]}]}',
    );
    expect(error.location.line).toBe(2);
    expect(error.location.column).toBe(17);
  });
});

describe('Trivy fingerprint basis', () => {
  it('does not depend on where the report puts a finding (lines, order, other targets)', async () => {
    const misconfiguration = (line: number) => ({
      ID: 'DS002',
      Title: 'root',
      Severity: 'HIGH',
      Status: 'FAIL',
      CauseMetadata: { StartLine: line, EndLine: line },
    });
    const secret = (line: number) => ({
      RuleID: 'github-pat',
      Title: 'PAT',
      StartLine: line,
      EndLine: line,
      Match: 'GITHUB_PAT=*****',
    });
    const before = await parse(
      memorySource(
        JSON.stringify({
          SchemaVersion: 2,
          Results: [
            {
              Target: 'Dockerfile',
              Class: 'config',
              Type: 'dockerfile',
              Misconfigurations: [misconfiguration(3)],
            },
            { Target: 'Dockerfile', Class: 'secret', Secrets: [secret(24)] },
          ],
        }),
      ),
    );
    const after = await parse(
      memorySource(
        JSON.stringify({
          SchemaVersion: 2,
          Results: [
            { Target: 'Dockerfile', Class: 'secret', Secrets: [secret(40)] },
            {
              Target: 'Dockerfile',
              Class: 'config',
              Type: 'dockerfile',
              Misconfigurations: [misconfiguration(19)],
            },
          ],
        }),
      ),
    );
    expect(after[0]!.location?.startLine).toBe(40);
    expect(after.map((f) => f.fingerprintBasis)).toEqual([
      before[1]!.fingerprintBasis,
      before[0]!.fingerprintBasis,
    ]);
  });
});
