import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { dependencyCheckXmlParser } from './dependency-check-xml.parser';

function report(dependencies: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.4.1.xsd">
  <scanInfo><engineVersion>10.0.3</engineVersion></scanInfo>
  <projectInfo><name>shop</name><reportDate>2024-06-01T10:00:00Z</reportDate></projectInfo>
  <dependencies>${dependencies}
  </dependencies>
</analysis>`;
}

function dependency(version: string, vulnerabilities: string, extra = ''): string {
  return `
    <dependency isVirtual="false">
      <fileName>jackson-databind-${version}.jar</fileName>
      <filePath>/app/lib/jackson-databind-${version}.jar</filePath>
      <evidenceCollected><evidence type="vendor" confidence="HIGH"><source>file</source><name>name</name><value>jackson</value></evidence></evidenceCollected>
      <identifiers>
        <package confidence="HIGHEST"><id>pkg:maven/com.fasterxml.jackson.core/jackson-databind@${version}</id></package>
        <vulnerabilityIds confidence="HIGHEST"><id>cpe:2.3:a:fasterxml:jackson-databind:${version}:*:*:*:*:*:*:*</id></vulnerabilityIds>
      </identifiers>
      <vulnerabilities>${vulnerabilities}</vulnerabilities>${extra}
    </dependency>`;
}

const CVE_2020_36518 = `
        <vulnerability source="NVD">
          <name>CVE-2020-36518</name>
          <severity>HIGH</severity>
          <cvssV3>
            <baseScore>7.5</baseScore><attackVector>NETWORK</attackVector><attackComplexity>LOW</attackComplexity>
            <privilegesRequired>NONE</privilegesRequired><userInteraction>NONE</userInteraction><scope>UNCHANGED</scope>
            <confidentialityImpact>NONE</confidentialityImpact><integrityImpact>NONE</integrityImpact>
            <availabilityImpact>HIGH</availabilityImpact><baseSeverity>HIGH</baseSeverity><version>3.1</version>
          </cvssV3>
          <cvssV4>
            <source>nvd@nist.gov</source><version>4.0</version>
            <vectorString>CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N</vectorString>
            <baseScore>8.7</baseScore><baseSeverity>HIGH</baseSeverity>
          </cvssV4>
          <cwes><cwe>CWE-787</cwe><cwe>NVD-CWE-noinfo</cwe></cwes>
          <description>Deeply nested objects exhaust the stack.</description>
          <references>
            <reference><source>MISC</source><url>https://github.com/FasterXML/jackson-databind/issues/2816</url><name>issue 2816</name></reference>
          </references>
          <vulnerableSoftware>
            <software vulnerabilityIdMatched="true" versionEndExcluding="2.12.6.1">cpe:2.3:a:fasterxml:jackson-databind:*:*:*:*:*:*:*:*</software>
            <software versionStartIncluding="2.13.0" versionEndExcluding="2.13.2.1">cpe:2.3:a:fasterxml:jackson-databind:*:*:*:*:*:*:*:*</software>
          </vulnerableSoftware>
        </vulnerability>`;

const SUPPRESSED = `
        <suppressedVulnerability source="NVD">
          <name>CVE-2022-42003</name>
          <severity>HIGH</severity>
          <description>Suppressed by the team after review.</description>
        </suppressedVulnerability>`;

describe('dependencyCheckXmlParser on the real corpus', () => {
  itReadsItsCorpus(
    dependencyCheckXmlParser,
    ['dependency-check'],
    {
      // No asserted count: the manifest notes 0 dependencies, 0 vulnerabilities.
      'dependency-check/dc_empty.xml': {
        yielded: 0,
        distinct: 0,
        manifest: 'not asserted (0 dependencies, 0 vulnerabilities)',
      },
      'dependency-check/single_dependency_with_related_no_vulnerability.xml': {
        yielded: 0,
        distinct: 0,
        manifest: '0',
      },
      'dependency-check/single_vuln.xml': { yielded: 1, distinct: 1, manifest: '1' },
      'dependency-check/version-6.5.3.xml': { yielded: 1, distinct: 1, manifest: '1' },
    },
    { files: (path) => path.endsWith('.xml') },
  );

  it('maps single_vuln.xml (schema 1.3) as the manifest asserts', async () => {
    const [finding] = await parseCorpusFile(
      dependencyCheckXmlParser,
      'dependency-check/single_vuln.xml',
    );
    expect(finding!.title).toBe('org.owasp:library:6.7.8 | CVE-0000-0001');
    expect(finding!.severity).toEqual({ reported: 'Moderate', normalized: 'medium' });
    expect(finding!.component).toMatchObject({
      name: 'org.owasp:library',
      version: '6.7.8',
      ecosystem: 'maven',
      purl: 'pkg:maven/org.owasp/library@6.7.8',
      fixedVersions: [],
    });
    // No CVSS v3 in the report: only the v2 vector its schema-1.3 metrics spell out.
    expect(finding!.cvss).toEqual([
      { version: '2.0', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', reportedScore: 7.5 },
    ]);
    expect(finding!.vulnerability).toEqual({ id: 'CVE-0000-0001', aliases: [] });
    expect(finding!.references).toEqual([
      'http://localhost/badvulnerability.htm',
      'http://localhost2/reference_for_badvulnerability.pdf',
    ]);
    // The report date is scan context (detectedAt), set by the gateway, not by the parser.
  });

  it('maps version-6.5.3.xml (schema 2.5) as the manifest asserts', async () => {
    const [finding] = await parseCorpusFile(
      dependencyCheckXmlParser,
      'dependency-check/version-6.5.3.xml',
    );
    expect(finding!.severity).toEqual({ reported: 'LOW', normalized: 'low' });
    expect(finding!.component).toEqual({
      name: 'org.apache.logging.log4j:log4j-api',
      version: '2.12.4',
      ecosystem: 'maven',
      purl: 'pkg:maven/org.apache.logging.log4j/log4j-api@2.12.4',
      path: '/home/damien/vulnerabilities/apache-log4j-2.12.4-bin/log4j-api-2.12.4.jar',
      fixedVersions: ['2.13.2'],
    });
    expect(finding!.location?.path).toMatch(/\/log4j-api-2\.12\.4\.jar$/);
    expect(finding!.cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N',
        reportedScore: 3.7,
        source: 'NVD',
      },
      { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:P/I:N/A:N', reportedScore: 4.3, source: 'NVD' },
    ]);
    expect(finding!.vulnerability?.id).toBe('CVE-2020-9488');
    expect(finding!.cwes).toEqual(['CWE-295']);
    expect(finding!.tool).toEqual({ name: 'Dependency-Check', version: '6.5.3' });
    expect(finding!.references.length).toBeGreaterThan(10);
    expect(finding!.references.every((url) => /^https?:\/\//.test(url))).toBe(true);
    // The report date (2022-01-15 14:31:13 UTC) is scan context: the gateway sets detectedAt.
  });
});

describe('dependencyCheckXmlParser mapping', () => {
  it('maps a schema 4.1 vulnerability completely', async () => {
    const [finding] = await parseText(
      dependencyCheckXmlParser,
      report(dependency('2.12.3', CVE_2020_36518)),
    );
    expect(finding).toEqual({
      kind: 'vulnerability',
      title: 'com.fasterxml.jackson.core:jackson-databind:2.12.3 | CVE-2020-36518',
      description: 'Deeply nested objects exhaust the stack.',
      severity: { reported: 'HIGH', normalized: 'high' },
      vulnerability: { id: 'CVE-2020-36518', aliases: [] },
      cvss: [
        {
          version: '4.0',
          vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N',
          reportedScore: 8.7,
          source: 'nvd@nist.gov',
        },
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
          reportedScore: 7.5,
          source: 'NVD',
        },
      ],
      cwes: ['CWE-787'],
      component: {
        name: 'com.fasterxml.jackson.core:jackson-databind',
        version: '2.12.3',
        ecosystem: 'maven',
        purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.3',
        path: '/app/lib/jackson-databind-2.12.3.jar',
        fixedVersions: ['2.12.6.1'],
      },
      location: { path: '/app/lib/jackson-databind-2.12.3.jar' },
      references: ['https://github.com/FasterXML/jackson-databind/issues/2816'],
      tags: ['source:nvd'],
      tool: { name: 'Dependency-Check', version: '10.0.3' },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2020-36518',
        packageId: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
      },
    });
  });

  it('ignores suppressed vulnerabilities', async () => {
    const findings = await parseText(
      dependencyCheckXmlParser,
      report(dependency('2.12.3', CVE_2020_36518 + SUPPRESSED)),
    );
    expect(findings.map((f) => f.vulnerability?.id)).toEqual(['CVE-2020-36518']);
  });

  it('keeps the basis when the dependency is upgraded and moves', async () => {
    const [before] = await parseText(
      dependencyCheckXmlParser,
      report(dependency('2.12.3', CVE_2020_36518)),
    );
    const [after] = await parseText(
      dependencyCheckXmlParser,
      report(`\n\n${dependency('2.12.5', CVE_2020_36518)}`),
    );
    expect(after!.component?.version).toBe('2.12.5');
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('reads a score the report gives as a severity word only', async () => {
    const unscored = `<vulnerability source="NPM"><name>GHSA-jf85-cpcp-j695</name><severity unscored="true">moderate</severity>
      <description>Prototype pollution.</description><references/><vulnerableSoftware/></vulnerability>`;
    const [finding] = await parseText(
      dependencyCheckXmlParser,
      report(dependency('1.0.0', unscored)),
    );
    expect(finding!.severity).toEqual({ reported: 'moderate', normalized: 'medium' });
    expect(finding!.vulnerability).toEqual({ id: 'GHSA-jf85-cpcp-j695', aliases: [] });
  });

  it('yields nothing for a report without vulnerabilities', async () => {
    expect(await parseText(dependencyCheckXmlParser, report(''))).toEqual([]);
  });
});

describe('dependencyCheckXmlParser on malformed input', () => {
  it('reports the line of truncated XML', async () => {
    const text = report(dependency('2.12.3', CVE_2020_36518));
    const cut = text.slice(0, text.indexOf('<cwes>'));
    const error = await parseFailure(dependencyCheckXmlParser, cut);
    expect(error.format).toBe('dependency-check-xml');
    expect(error.message).toMatch(/malformed XML/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('reports the line of a score that is not a number', async () => {
    const text = report(
      dependency(
        '2.12.3',
        CVE_2020_36518.replace('<baseScore>7.5</baseScore>', '<baseScore>high</baseScore>'),
      ),
    );
    const error = await parseFailure(dependencyCheckXmlParser, text);
    expect(error.message).toBe('<baseScore> must be a number, not "high"');
    expect(error.location.line).toBe(
      text.split('\n').findIndex((line) => line.includes('<baseScore>high')) + 1,
    );
  });

  it('never expands an XXE payload', async () => {
    const xxe = report(
      dependency('2.12.3', CVE_2020_36518.replace('Deeply nested', '&xxe;')),
    ).replace(
      '<analysis',
      '<!DOCTYPE analysis [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<analysis',
    );
    const error = await parseFailure(dependencyCheckXmlParser, xxe);
    expect(error.message).toMatch(/DOCTYPE declarations are not accepted/);
    expect(error.location.line).toBe(2);
  });

  it('refuses another XML document', async () => {
    const error = await parseFailure(
      dependencyCheckXmlParser,
      '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>',
    );
    expect(error.message).toBe('root element is <bom>, expected <analysis>');
  });
});
