import type { ParsedFinding } from '../../core/types';
import { corpusText } from '../../../testing/corpus';
import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseSource,
  parseText,
  streamOnlySource,
} from '../../../testing/parser-spec';
import { cyclonedxParser } from './cyclonedx.parser';

/** A minimal BOM around the given components and vulnerabilities. */
function bom(components: unknown[], vulnerabilities: unknown[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    metadata: {
      tools: { components: [{ type: 'application', name: 'scanner-x', version: '2.1.0' }] },
    },
    components,
    vulnerabilities,
  });
}

describe('cyclonedxParser on the corpus', () => {
  // One finding per vulnerability and affected component; every corpus vulnerability affects
  // exactly one component, so hum's counts equal the manifest's.
  itReadsItsCorpus(cyclonedxParser, ['cyclonedx'], {
    'cyclonedx/licenses_1.json': { yielded: 0, distinct: 0, manifest: '0' },
    'cyclonedx/valid-vulnerability-1.4.json': { yielded: 1, distinct: 1, manifest: '1' },
    'cyclonedx/log4j.json': { yielded: 8, distinct: 8, manifest: '8' },
    'cyclonedx/issue_8022.json': { yielded: 1, distinct: 1, manifest: '1' },
    'cyclonedx/jake2.json': { yielded: 7, distinct: 7, manifest: '7' },
    'cyclonedx/trivy.json': { yielded: 2, distinct: 2, manifest: '2' },
  });
});

describe('cyclonedxParser: facts', () => {
  it('valid-vulnerability-1.4.json: jackson-databind 2.9.4, Critical, CWE-184/502, two ids', async () => {
    const [finding] = await parseCorpusFile(
      cyclonedxParser,
      'cyclonedx/valid-vulnerability-1.4.json',
    );
    // DefectDojo: "jackson-databind:2.9.4 | SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111".
    expect(finding!.title).toBe(
      'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111 in jackson-databind:2.9.4',
    );
    expect(finding!.severity).toEqual({ reported: 'critical', normalized: 'critical' });
    expect(finding!.component).toEqual({
      name: 'jackson-databind',
      version: '2.9.4',
      purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4',
      ecosystem: 'maven',
      // The `<X` bounds of the affected vers ranges, as the recommendation also says.
      fixedVersions: ['2.6.7.5', '2.8.11.1', '2.9.5'],
    });
    expect(finding!.cwes).toEqual(['CWE-184', 'CWE-502']);
    expect(finding!.vulnerability).toEqual({
      id: 'CVE-2018-7489',
      aliases: ['SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111'],
    });
    // Rating method "CVSSv3" is CVSS 3.0 in the CycloneDX spec, so the prefix hum adds is 3.0;
    // DefectDojo labels the same metrics CVSS:3.1.
    expect(finding!.cvss).toEqual([
      {
        version: '3.0',
        vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        reportedScore: 9.8,
        source: 'NVD',
      },
    ]);
    // The BOM's VEX analysis travels as tags: closing a "not_affected" finding is policy.
    expect(finding!.tags).toEqual([
      'advisory-source:Snyk',
      'vex-state:not_affected',
      'vex-justification:code_not_reachable',
      'vex-response:will_not_fix',
      'vex-response:update',
    ]);
    // No BOM-level tool: the vulnerability's own tool names the scanner.
    expect(finding!.tool).toEqual({ name: 'Snyk CLI (Linux)', version: '1.729.0' });
  });

  it('log4j.json: finding[0] CVE-2021-44228 in log4j-core 2.13.2, Critical, CVSS 3.1', async () => {
    const findings = await parseCorpusFile(cyclonedxParser, 'cyclonedx/log4j.json');
    const [log4shell] = findings;
    // DefectDojo: "log4j-core:2.13.2 | CVE-2021-44228".
    expect(log4shell!.title).toBe('CVE-2021-44228 in log4j-core:2.13.2');
    expect(log4shell!.severity).toEqual({ reported: 'critical', normalized: 'critical' });
    expect(log4shell!.component).toMatchObject({ name: 'log4j-core', version: '2.13.2' });
    expect(log4shell!.cvss).toContainEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      reportedScore: 10,
    });
    expect(log4shell!.tool).toEqual({ name: 'grype', version: '0.41.0' });
    const ghsa = findings.find((f) => f.rule!.id === 'GHSA-jfh8-c2jp-5v3q')!;
    expect(ghsa.component!.fixedVersions).toEqual(['2.15.0']);
    expect(ghsa.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'GHSA-jfh8-c2jp-5v3q',
      packageId: 'pkg:maven/org.apache.logging.log4j/log4j-core',
    });
  });

  it('jake2.json: OSS Index ids resolve to their CVEs; High, Medium, High', async () => {
    const findings = await parseCorpusFile(cyclonedxParser, 'cyclonedx/jake2.json');
    const byCve = (cve: string): ParsedFinding =>
      findings.find((f) => f.vulnerability?.id === cve)!;
    const directoryTraversal = byCve('CVE-2021-33203');
    // DefectDojo: "Django:2.0 | c7129ff8-08bc-4afe-82ec-7d97b9491741".
    expect(directoryTraversal.title).toBe('c7129ff8-08bc-4afe-82ec-7d97b9491741 in Django:2.0');
    expect(directoryTraversal.severity.normalized).toBe('high');
    // Method CVSSv3 → CVSS:3.0 (DefectDojo: CVSS:3.1, same metrics).
    expect(directoryTraversal.cvss[0]).toMatchObject({
      vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      reportedScore: 7.5,
    });
    expect(directoryTraversal.component).toMatchObject({
      name: 'Django',
      version: '2.0',
      purl: 'pkg:pypi/django@2.0',
    });
    expect(byCve('CVE-2018-7536').severity.normalized).toBe('medium');
    expect(byCve('CVE-2018-6188').severity.normalized).toBe('high');
    // DefectDojo's date 2022-01-28 is the BOM timestamp; hum's detectedAt is the scan time the
    // gateway or CLI supplies, so a parsed finding carries no date.
    expect(Object.keys(directoryTraversal)).not.toContain('detectedAt');
  });

  it('trivy.json: scanner trivy 0.38.3; license-only components yield nothing', async () => {
    const findings = await parseCorpusFile(cyclonedxParser, 'cyclonedx/trivy.json');
    expect(findings.map((f) => f.tool)).toEqual([
      { name: 'trivy', version: '0.38.3' },
      { name: 'trivy', version: '0.38.3' },
    ]);
    const [libxml2, icu] = findings;
    // "alias 2" in the references is no identifier; the duplicate GHSA is kept once.
    expect(libxml2!.vulnerability).toEqual({
      id: 'CVE-2023-29469',
      aliases: ['GHSA-35m5-8cvj-8783'],
    });
    expect(libxml2!.component!.fixedVersions).toEqual(['2.10.4-r0']);
    expect(icu!.cvss.map((c) => c.version)).toEqual(['3.1', '4.0']);
  });

  it('licenses_1.json: an SBOM without vulnerabilities is an empty report', async () => {
    await expect(parseCorpusFile(cyclonedxParser, 'cyclonedx/licenses_1.json')).resolves.toEqual(
      [],
    );
  });

  it('issue_8022.json: one finding', async () => {
    const findings = await parseCorpusFile(cyclonedxParser, 'cyclonedx/issue_8022.json');
    expect(findings.map((f) => f.vulnerability!.id)).toEqual(['CVE-2018-7489']);
  });
});

describe('cyclonedxParser: affects resolution', () => {
  const nested = {
    'bom-ref': 'app',
    type: 'application',
    name: 'frontend',
    components: [
      {
        'bom-ref': 'lib-a',
        type: 'library',
        group: '@acme',
        name: 'widgets',
        version: '1.2.0',
        purl: 'pkg:npm/%40acme/widgets@1.2.0',
        evidence: { occurrences: [{ location: 'web/package-lock.json' }] },
        components: [{ 'bom-ref': 'lib-b', type: 'library', group: 'org.acme', name: 'core' }],
      },
    ],
  };

  it('finds nested components, BOM-Links, purl refs and unknown refs; one finding each', async () => {
    const findings = await parseText(
      cyclonedxParser,
      bom(
        [nested],
        [
          {
            id: 'CVE-2024-0001',
            ratings: [
              { score: 7.1, method: 'CVSSv31', vector: 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N' },
            ],
            affects: [
              { ref: 'lib-a' },
              {
                ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lib-b',
                versions: [{ version: '0.9', status: 'affected' }],
              },
              { ref: 'pkg:pypi/requests@2.19.0' },
              { ref: 'some-external-ref' },
            ],
          },
        ],
      ),
    );
    expect(findings.map((f) => f.component)).toEqual([
      {
        name: 'widgets',
        version: '1.2.0',
        purl: 'pkg:npm/%40acme/widgets@1.2.0',
        ecosystem: 'npm',
        path: 'web/package-lock.json',
        fixedVersions: [],
      },
      { name: 'org.acme/core', version: '0.9', fixedVersions: [] },
      {
        name: 'requests',
        version: '2.19.0',
        purl: 'pkg:pypi/requests@2.19.0',
        ecosystem: 'pypi',
        fixedVersions: [],
      },
      { name: 'some-external-ref', fixedVersions: [] },
    ]);
    expect(findings[0]!.location).toEqual({ path: 'web/package-lock.json' });
    // Only a score: the CVSS bands decide, and the score is what was reported.
    expect(findings[0]!.severity).toEqual({ reported: '7.1', normalized: 'high' });
    expect(findings[0]!.cvss[0]!.vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N');
    expect(findings[0]!.tool).toEqual({ name: 'scanner-x', version: '2.1.0' });
    expect(new Set(findings.map((f) => JSON.stringify(f.fingerprintBasis))).size).toBe(4);
  });

  it('yields nothing for a vulnerability that affects no component', async () => {
    await expect(parseText(cyclonedxParser, bom([], [{ id: 'CVE-2024-0002' }]))).resolves.toEqual(
      [],
    );
  });
});

describe('cyclonedxParser: invalid input', () => {
  it('reports truncated JSON with line and column', async () => {
    const text = corpusText('cyclonedx/log4j.json').slice(0, 4000);
    const error = await parseFailure(cyclonedxParser, text);
    expect(error.location.line).toBe(text.split('\n').length);
    expect(error.location.column).toBe(text.length - text.lastIndexOf('\n'));
  });

  it('points at wrongly typed vulnerabilities, affects and refs', async () => {
    expect(
      (await parseFailure(cyclonedxParser, bom([], {} as unknown as unknown[]))).location.pointer,
    ).toBe('/vulnerabilities');
    const affects = await parseFailure(
      cyclonedxParser,
      bom([], [{ id: 'CVE-1', affects: 'lib-a' }]),
    );
    expect(affects.location.pointer).toBe('/vulnerabilities/0/affects');
    const ref = await parseFailure(
      cyclonedxParser,
      bom([], [{ id: 'CVE-1', affects: [{ ref: 3 }] }]),
    );
    expect(ref.location.pointer).toBe('/vulnerabilities/0/affects/0/ref');
    const id = await parseFailure(cyclonedxParser, bom([], [{ affects: [{ ref: 'x' }] }]));
    expect(id.location.pointer).toBe('/vulnerabilities/0/id');
  });
});

describe('cyclonedxParser: fingerprint stability', () => {
  it('keeps the basis when the component is upgraded, re-referenced and the lists reordered', async () => {
    const report = JSON.parse(corpusText('cyclonedx/trivy.json')) as {
      components: Array<Record<string, unknown>>;
      vulnerabilities: Array<{ affects: Array<{ ref: string }> }>;
    };
    const before = await parseText(cyclonedxParser, JSON.stringify(report));
    const changed = structuredClone(report);
    const libxml2 = changed.components.find((c) => c['name'] === 'libxml2')!;
    libxml2['version'] = '2.10.3-r2';
    libxml2['purl'] = 'pkg:apk/alpine/libxml2@2.10.3-r2?distro=3.17.4';
    libxml2['bom-ref'] = 'libxml2-new-ref';
    for (const vulnerability of changed.vulnerabilities) {
      for (const affected of vulnerability.affects) {
        if (affected.ref.includes('libxml2')) affected.ref = 'libxml2-new-ref';
      }
    }
    changed.components.reverse();
    changed.vulnerabilities.reverse();
    const after = await parseText(cyclonedxParser, JSON.stringify(changed));
    const libxml2Finding = (list: ParsedFinding[]): ParsedFinding =>
      list.find((f) => f.component!.name === 'libxml2')!;
    expect(libxml2Finding(after).component!.version).toBe('2.10.3-r2');
    expect(libxml2Finding(after).fingerprintBasis).toEqual(libxml2Finding(before).fingerprintBasis);
  });
});

describe('cyclonedxParser: streaming', () => {
  const component = (ref: string, name: string, version: string): Record<string, unknown> => ({
    type: 'library',
    'bom-ref': ref,
    name,
    version,
    purl: `pkg:npm/${name}@${version}`,
  });
  const vulnerability = (id: string, ref: string): Record<string, unknown> => ({
    id,
    ratings: [{ severity: 'high' }],
    affects: [{ ref }],
  });
  const metadata = { tools: [{ name: 'cdxgen', version: '10.0.0' }] };

  it('reads the report as a stream, never as one text', async () => {
    const relative = 'cyclonedx/log4j.json';
    const streamed = await parseSource(
      cyclonedxParser,
      streamOnlySource(corpusText(relative), 997),
    );
    expect(streamed).toEqual(await parseCorpusFile(cyclonedxParser, relative));
    expect(streamed).toHaveLength(8);
  });

  it('resolves refs to components listed after the vulnerabilities', async () => {
    const components = [component('c1', 'lodash', '4.17.15'), component('c2', 'qs', '6.5.2')];
    const vulnerabilities = [
      vulnerability('CVE-2020-8203', 'c1'),
      vulnerability('CVE-2022-24999', 'c2'),
    ];
    const first = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata,
      components,
      vulnerabilities,
    };
    const last = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      vulnerabilities,
      components,
      metadata,
    };
    const findings = await parseSource(cyclonedxParser, streamOnlySource(JSON.stringify(last), 13));
    expect(findings.map((f) => [f.component!.purl, f.tool])).toEqual([
      ['pkg:npm/lodash@4.17.15', { name: 'cdxgen', version: '10.0.0' }],
      ['pkg:npm/qs@6.5.2', { name: 'cdxgen', version: '10.0.0' }],
    ]);
    expect(findings).toEqual(await parseText(cyclonedxParser, JSON.stringify(first)));
  });

  it('resolves a repeated bom-ref to the last top-level component, metadata.component last', async () => {
    const report = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { ...metadata, component: component('app', 'app-from-metadata', '1.0.0') },
      components: [
        component('dup', 'first', '1.0.0'),
        component('dup', 'second', '2.0.0'),
        component('app', 'app-from-components', '1.0.0'),
      ],
      vulnerabilities: [vulnerability('CVE-2024-1', 'dup'), vulnerability('CVE-2024-2', 'app')],
    });
    const findings = await parseText(cyclonedxParser, report);
    expect(findings.map((f) => f.component!.name)).toEqual(['second', 'app-from-components']);
  });
});
