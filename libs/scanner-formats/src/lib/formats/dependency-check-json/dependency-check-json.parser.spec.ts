import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { dependencyCheckJsonParser } from './dependency-check-json.parser';

const WITH_EXCEPTIONS = 'dependency-check/reportWithExceptions/dependency-check-report.json';

const LODASH_VULNERABILITY = {
  source: 'NVD',
  name: 'CVE-2021-23337',
  severity: 'HIGH',
  cvssv2: {
    score: 6.5,
    accessVector: 'NETWORK',
    accessComplexity: 'LOW',
    authenticationr: 'SINGLE',
    confidentialityImpact: 'PARTIAL',
    integrityImpact: 'PARTIAL',
    availabilityImpact: 'PARTIAL',
    severity: 'MEDIUM',
    version: '2.0',
  },
  cvssv3: {
    baseScore: 7.2,
    attackVector: 'NETWORK',
    attackComplexity: 'LOW',
    privilegesRequired: 'HIGH',
    userInteraction: 'NONE',
    scope: 'UNCHANGED',
    confidentialityImpact: 'HIGH',
    integrityImpact: 'HIGH',
    availabilityImpact: 'HIGH',
    baseSeverity: 'HIGH',
    version: '3.1',
  },
  cwes: ['CWE-94'],
  description: 'Command injection via template.',
  notes: '',
  references: [
    { source: 'MISC', url: 'https://snyk.io/vuln/SNYK-JS-LODASH-1040724', name: 'snyk' },
  ],
  vulnerableSoftware: [
    {
      software: {
        id: 'cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*',
        vulnerabilityIdMatched: 'true',
        versionEndExcluding: '4.17.21',
      },
    },
  ],
  knownExploitedVulnerability: { VendorProject: 'lodash', Product: 'lodash' },
};

function report(
  version: string,
  vulnerabilities: unknown[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    reportSchema: '1.1',
    scanInfo: { engineVersion: '9.0.9', dataSource: [] },
    projectInfo: { name: 'web', reportDate: '2024-01-01T00:00:00Z', credits: {} },
    dependencies: [
      {
        isVirtual: true,
        fileName: `lodash:${version}`,
        filePath: `/src/web/package-lock.json?lodash:${version}`,
        evidenceCollected: { vendorEvidence: [], productEvidence: [], versionEvidence: [] },
        packages: [{ id: `pkg:npm/lodash@${version}`, confidence: 'HIGHEST' }],
        vulnerabilities,
        ...extra,
      },
    ],
  });
}

describe('dependencyCheckJsonParser on the real corpus', () => {
  itReadsItsCorpus(
    dependencyCheckJsonParser,
    ['dependency-check'],
    {
      'dependency-check/reportWithExceptions/dependency-check-report.json': {
        yielded: 1,
        distinct: 1,
        manifest: '1 vulnerability (2 dependencies; raw count, plugin asserts dependencies only)',
      },
    },
    { files: (path) => path.endsWith('.json') },
  );

  it('maps the report with analysis exceptions: engine 5.2.4, CVE-2018-1000632 HIGH on dom4j-1.6.1.jar', async () => {
    // The analysisException (OSS Index timeout) does not stop the parse; xml-apis-1.0.b2.jar
    // has no vulnerabilities, so one finding comes from the two dependencies.
    const findings = await parseCorpusFile(dependencyCheckJsonParser, WITH_EXCEPTIONS);
    expect(findings.map((f) => f.location?.path)).toEqual([
      '/.m2/repository/dom4j/dom4j/1.6.1/dom4j-1.6.1.jar',
    ]);
    const [finding] = findings;
    expect(finding!.tool).toEqual({ name: 'Dependency-Check', version: '5.2.4' });
    expect(finding!.vulnerability).toEqual({ id: 'CVE-2018-1000632', aliases: [] });
    expect(finding!.severity).toEqual({ reported: 'HIGH', normalized: 'high' });
    expect(finding!.component).toEqual({
      name: 'dom4j:dom4j',
      version: '1.6.1',
      ecosystem: 'maven',
      purl: 'pkg:maven/dom4j/dom4j@1.6.1',
      path: '/.m2/repository/dom4j/dom4j/1.6.1/dom4j-1.6.1.jar',
      fixedVersions: ['2.1.1'],
    });
    expect(finding!.cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
        reportedScore: 7.5,
        source: 'NVD',
      },
      { version: '2.0', vector: 'AV:N/AC:L/Au:N/C:N/I:N/A:P', reportedScore: 6.4, source: 'NVD' },
    ]);
    expect(finding!.cwes).toEqual(['CWE-91']);
    expect(finding!.title).toBe('dom4j:dom4j:1.6.1 | CVE-2018-1000632');
  });
});

describe('dependencyCheckJsonParser mapping', () => {
  it('maps a current-template vulnerability completely', async () => {
    const [finding] = await parseText(
      dependencyCheckJsonParser,
      report('4.17.15', [LODASH_VULNERABILITY]),
    );
    expect(finding).toEqual({
      kind: 'vulnerability',
      title: 'lodash:4.17.15 | CVE-2021-23337',
      description: 'Command injection via template.',
      severity: { reported: 'HIGH', normalized: 'high' },
      vulnerability: { id: 'CVE-2021-23337', aliases: [] },
      cvss: [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
          reportedScore: 7.2,
          source: 'NVD',
        },
        { version: '2.0', vector: 'AV:N/AC:L/Au:S/C:P/I:P/A:P', reportedScore: 6.5, source: 'NVD' },
      ],
      cwes: ['CWE-94'],
      component: {
        name: 'lodash',
        version: '4.17.15',
        ecosystem: 'npm',
        purl: 'pkg:npm/lodash@4.17.15',
        path: '/src/web/package-lock.json?lodash:4.17.15',
        fixedVersions: ['4.17.21'],
      },
      location: { path: '/src/web/package-lock.json?lodash:4.17.15' },
      references: ['https://snyk.io/vuln/SNYK-JS-LODASH-1040724'],
      tags: ['source:nvd', 'cisa-kev'],
      tool: { name: 'Dependency-Check', version: '9.0.9' },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2021-23337',
        packageId: 'pkg:npm/lodash',
      },
    });
  });

  it('ignores suppressedVulnerabilities', async () => {
    const suppressed = {
      suppressedVulnerabilities: [{ ...LODASH_VULNERABILITY, name: 'CVE-2020-8203' }],
    };
    const findings = await parseText(
      dependencyCheckJsonParser,
      report('4.17.15', [LODASH_VULNERABILITY], suppressed),
    );
    expect(findings.map((f) => f.vulnerability?.id)).toEqual(['CVE-2021-23337']);
  });

  it('keeps the basis across versions of the package', async () => {
    const [before] = await parseText(
      dependencyCheckJsonParser,
      report('4.17.15', [LODASH_VULNERABILITY]),
    );
    const [after] = await parseText(
      dependencyCheckJsonParser,
      report('4.17.19', [LODASH_VULNERABILITY]),
    );
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('keeps a RetireJS summary out of the vulnerability id but uses its CVE', async () => {
    const retire = {
      source: 'RETIREJS',
      name: 'jQuery before 3.4.0 mishandles Object.prototype pollution (CVE-2019-11358)',
      severity: 'medium',
    };
    const [finding] = await parseText(dependencyCheckJsonParser, report('4.17.15', [retire]));
    expect(finding!.vulnerability).toEqual({ id: 'CVE-2019-11358', aliases: [] });
    expect(finding!.severity).toEqual({ reported: 'medium', normalized: 'medium' });
  });

  it('yields nothing for a report with no dependencies', async () => {
    expect(
      await parseText(
        dependencyCheckJsonParser,
        JSON.stringify({ reportSchema: '1.1', dependencies: [] }),
      ),
    ).toEqual([]);
  });
});

describe('dependencyCheckJsonParser on malformed input', () => {
  it('reports where truncated JSON ends', async () => {
    const text = JSON.stringify(JSON.parse(report('4.17.15', [LODASH_VULNERABILITY])), null, 2);
    const cut = text.slice(0, text.indexOf('"cwes"'));
    const error = await parseFailure(dependencyCheckJsonParser, cut);
    expect(error.message).toMatch(/malformed JSON/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('points at a score that is not a number', async () => {
    const bad = {
      ...LODASH_VULNERABILITY,
      cvssv3: { ...LODASH_VULNERABILITY.cvssv3, baseScore: 'high' },
    };
    const error = await parseFailure(dependencyCheckJsonParser, report('4.17.15', [bad]));
    expect(error.location.pointer).toBe('/dependencies/0/vulnerabilities/0/cvssv3/baseScore');
  });

  it('points at dependencies when they are not a list', async () => {
    const error = await parseFailure(
      dependencyCheckJsonParser,
      JSON.stringify({ reportSchema: '1.1', dependencies: {} }),
    );
    expect(error.location.pointer).toBe('/dependencies');
  });

  it('points at a vulnerability without a name', async () => {
    const error = await parseFailure(
      dependencyCheckJsonParser,
      report('4.17.15', [{ ...LODASH_VULNERABILITY, name: ' ' }]),
    );
    expect(error.location.pointer).toBe('/dependencies/0/vulnerabilities/0/name');
  });
});
