import { severityFromScore } from '../../core/normalize';
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
import { snykParser } from './snyk.parser';

/**
 * One finding per element of `vulnerabilities[]` (an issue on one dependency path), as DefectDojo
 * counts. The pipeline then collapses by fingerprint, which leaves the version and the project out:
 * in all-projects_many_vulns.json CVE-2020-8908 in guava is reported for three projects (two of
 * them at 29.0-jre, one at 22.0) and becomes one finding of the repository.
 */
const EXPECTED: Record<string, { yielded: number; distinct: number; manifest: string }> = {
  'snyk/single_project_no_vulns.json': { yielded: 0, distinct: 0, manifest: '0' },
  'snyk/all-projects_no_vulns.json': { yielded: 0, distinct: 0, manifest: '0' },
  'snyk/single_project_one_vuln.json': { yielded: 1, distinct: 1, manifest: '1' },
  'snyk/all-projects_many_vulns.json': { yielded: 4, distinct: 2, manifest: '4' },
  'snyk/single_project_many_vulns.json': { yielded: 41, distinct: 41, manifest: '41' },
  'snyk/single_project_None_cvss.json': { yielded: 1, distinct: 1, manifest: '1' },
};

describe('snykParser on the corpus', () => {
  itReadsItsCorpus(snykParser, ['snyk'], EXPECTED);
});

describe('snykParser: facts', () => {
  it('single_project_one_vuln.json: XXE in org.apache.santuario:xmlsec', async () => {
    const [finding] = await parseCorpusFile(snykParser, 'snyk/single_project_one_vuln.json');
    // DefectDojo titles it "com.test:myframework@1.0.0-SNAPSHOT: XML External Entity (XXE)
    // Injection" (root project first); hum names the vulnerable package, the project is a tag and
    // the first hop of the dependency path.
    expect(finding!.title).toBe(
      'SNYK-JAVA-ORGAPACHESANTUARIO-460281 in org.apache.santuario:xmlsec:2.1.1 — XML External Entity (XXE) Injection',
    );
    expect(finding!.tags).toContain('project:com.test:myframework');
    expect(finding!.severity).toEqual({ reported: 'medium', normalized: 'medium' });
    expect(finding!.rule).toEqual({
      id: 'SNYK-JAVA-ORGAPACHESANTUARIO-460281',
      name: 'XML External Entity (XXE) Injection',
    });
    expect(finding!.vulnerability).toEqual({
      id: 'CVE-2019-12400',
      aliases: ['SNYK-JAVA-ORGAPACHESANTUARIO-460281'],
    });
    expect(finding!.cwes).toEqual(['CWE-611']);
    // "from a base CVSS score of 6.5"
    expect(finding!.cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:L',
        reportedScore: 6.5,
      },
    ]);
    expect(finding!.location).toEqual({
      path: 'pom.xml',
      logical: 'com.test:myframework > org.apache.santuario:xmlsec',
    });
    expect(finding!.component).toEqual({
      name: 'org.apache.santuario:xmlsec',
      version: '2.1.1',
      purl: 'pkg:maven/org.apache.santuario/xmlsec@2.1.1',
      ecosystem: 'maven',
      path: 'pom.xml',
      fixedVersions: ['2.1.4'],
    });
  });

  it("single_project_many_vulns.json: Snyk's severityWithCritical agrees with the CVSS bands", async () => {
    const findings = await parseCorpusFile(snykParser, 'snyk/single_project_many_vulns.json');
    // DefectDojo derives severity from cvssScore, turning three Snyk "high" issues (9.8) into
    // Critical. hum reads `severityWithCritical`, Snyk's own word with a critical band, and lands
    // on the same result for every issue.
    for (const finding of findings) {
      expect(finding.severity.normalized).toBe(severityFromScore(finding.cvss[0]!.reportedScore));
    }
    const critical = findings.filter((f) => f.severity.normalized === 'critical');
    expect(critical.map((f) => f.rule!.id).sort()).toEqual([
      'SNYK-JAVA-COMMONSFILEUPLOAD-30401',
      'SNYK-JAVA-LOG4J-572732',
      'SNYK-JAVA-ORGAPACHEMAVENSHARED-570592',
    ]);
    const groovy = findings.find((f) => f.rule!.id === 'SNYK-JAVA-ORGCODEHAUSGROOVY-1048694')!;
    expect(groovy.component!.fixedVersions).toEqual(['2.4.21', '2.5.14', '3.0.7', '4.0.0-alpha-2']);
    expect(groovy.vulnerability).toEqual({
      id: 'CVE-2020-17521',
      aliases: ['SNYK-JAVA-ORGCODEHAUSGROOVY-1048694', 'GHSA-rcjj-h6gh-jf3r'],
    });
  });

  it('single_project_None_cvss.json: container issue with a null CVSS, Low', async () => {
    const [finding] = await parseCorpusFile(snykParser, 'snyk/single_project_None_cvss.json');
    expect(finding!.rule!.id).toBe('SNYK-SLES153-PERMISSIONS-2648113');
    expect(finding!.severity).toEqual({ reported: 'low', normalized: 'low' });
    expect(finding!.cvss).toEqual([]);
    expect(finding!.vulnerability).toEqual({
      id: 'SNYK-SLES153-PERMISSIONS-2648113',
      aliases: ['SUSE-SU-2022:0141-1'],
    });
    expect(finding!.component).toMatchObject({
      name: 'permissions',
      purl: 'pkg:rpm/sles/permissions@20181225-23.6.1',
      fixedVersions: ['20181225-23.12.1'],
    });
  });

  it("all-projects_many_vulns.json: each project's target file, normalised", async () => {
    const findings = await parseCorpusFile(snykParser, 'snyk/all-projects_many_vulns.json');
    expect(findings.map((f) => f.location!.path)).toEqual([
      'pom.xml',
      'project-a/pom.xml',
      'project-a/pom.xml',
      'project-b/pom.xml',
    ]);
    expect(findings.map((f) => f.tags[0])).toEqual([
      'project:com.test:version-collision',
      'project:com.test:project-a',
      'project:com.test:project-a',
      'project:com.test:project-b',
    ]);
  });
});

describe('snykParser: mapping rules', () => {
  const issue = {
    id: 'SNYK-JS-LODASH-567746',
    title: 'Prototype Pollution',
    packageName: 'lodash',
    version: '4.17.15',
    severity: 'high',
    packageManager: 'npm',
    identifiers: { CVE: ['CVE-2020-8203'], CWE: ['CWE-1321'], GHSA: ['GHSA-p6mc-m468-83gw'] },
    from: ['web@1.0.0', 'lodash@4.17.15'],
    fixedIn: ['4.17.19'],
    upgradePath: [false, 'lodash@4.17.19'],
    isUpgradable: true,
  };

  it('skips license issues, which share the list', async () => {
    const license = { id: 'snyk:lic:npm:foo:GPL-3.0', type: 'license', packageName: 'foo' };
    const findings = await parseText(
      snykParser,
      JSON.stringify({ ok: false, vulnerabilities: [license, issue], dependencyCount: 1 }),
    );
    expect(findings.map((f) => f.rule!.id)).toEqual(['SNYK-JS-LODASH-567746']);
    expect(findings[0]!.component!.purl).toBe('pkg:npm/lodash@4.17.15');
  });

  it('reports a Snyk error object as the error it is', async () => {
    const error = await parseFailure(
      snykParser,
      '{"ok": false, "error": "Could not detect supported target files", "path": "/src"}',
    );
    expect(error.message).toContain('Could not detect supported target files');
    expect(error.location.pointer).toBe('/error');
  });
});

describe('snykParser: invalid input', () => {
  it('reports truncated JSON with line and column', async () => {
    const text = corpusText('snyk/single_project_one_vuln.json').slice(0, 2000);
    const error = await parseFailure(snykParser, text);
    expect(error.location.line).toBe(text.split('\n').length);
    expect(error.location.column).toBe(text.length - text.lastIndexOf('\n'));
  });

  it('points into the project array at a wrongly typed list and a nameless issue', async () => {
    const listError = await parseFailure(
      snykParser,
      '[{"vulnerabilities": []}, {"vulnerabilities": "none"}]',
    );
    expect(listError.location.pointer).toBe('/1/vulnerabilities');
    const nameless = await parseFailure(snykParser, '{"vulnerabilities": [{"id": "SNYK-X-1"}]}');
    expect(nameless.location.pointer).toBe('/vulnerabilities/0/name');
  });
});

describe('snykParser: fingerprint stability', () => {
  it('keeps the basis when the dependency path, version and order change', async () => {
    const report = JSON.parse(corpusText('snyk/single_project_many_vulns.json')) as {
      vulnerabilities: Array<{ id: string; version: string; from: string[] }>;
    };
    const before = await parseText(snykParser, JSON.stringify(report));
    const changed = structuredClone(report);
    for (const issue of changed.vulnerabilities) {
      if (issue.id === 'SNYK-JAVA-LOG4J-572732') {
        issue.version = '1.2.17';
        issue.from = ['com.test:myframework@1.0.1', 'log4j:log4j@1.2.17'];
      }
    }
    changed.vulnerabilities.reverse();
    const after = await parseText(snykParser, JSON.stringify(changed));
    const log4j = (list: ParsedFinding[]): ParsedFinding =>
      list.find((f) => f.rule!.id === 'SNYK-JAVA-LOG4J-572732')!;
    expect(log4j(after).location!.logical).toBe('com.test:myframework > log4j:log4j');
    expect(log4j(after).fingerprintBasis).toEqual(log4j(before).fingerprintBasis);
    const key = (f: ParsedFinding): string => JSON.stringify(f.fingerprintBasis);
    expect(new Set(after.map(key))).toEqual(new Set(before.map(key)));
  });
});

describe('snykParser: streaming', () => {
  const issue = (id: string, packageName: string): Record<string, unknown> => ({
    id,
    title: 'Prototype Pollution',
    severity: 'high',
    packageName,
    version: '4.17.15',
    from: ['web@1.0.0', `${packageName}@4.17.15`],
    upgradePath: [],
    isUpgradable: false,
    identifiers: { CVE: ['CVE-2020-8203'], CWE: ['CWE-400'] },
  });
  const projectFields = {
    ok: false,
    packageManager: 'npm',
    projectName: 'web',
    displayTargetFile: 'web\\package-lock.json',
  };

  it('reads the report as a stream, never as one text', async () => {
    const relative = 'snyk/all-projects_many_vulns.json';
    const streamed = await parseSource(snykParser, streamOnlySource(corpusText(relative), 997));
    expect(streamed).toEqual(await parseCorpusFile(snykParser, relative));
    expect(streamed).toHaveLength(4);
  });

  it("applies each project's fields, written after its issues, to that project's issues", async () => {
    const report = JSON.stringify([
      { vulnerabilities: [issue('SNYK-JS-LODASH-1', 'lodash')], ...projectFields },
      {
        vulnerabilities: [issue('SNYK-JS-MINIMIST-2', 'minimist')],
        ...projectFields,
        projectName: 'api',
        displayTargetFile: 'api/package-lock.json',
      },
    ]);
    const findings = await parseSource(snykParser, streamOnlySource(report, 11));
    expect(findings.map((f) => [f.location?.path, f.tags])).toEqual([
      ['web/package-lock.json', ['project:web', 'direct-dependency']],
      ['api/package-lock.json', ['project:api', 'direct-dependency']],
    ]);
    expect(findings[0]!.component!.purl).toBe('pkg:npm/lodash@4.17.15');
  });

  it('reads a project whose fields come first to the same findings', async () => {
    const last = JSON.stringify({
      vulnerabilities: [issue('SNYK-JS-1', 'lodash')],
      ...projectFields,
    });
    const first = JSON.stringify({
      ...projectFields,
      vulnerabilities: [issue('SNYK-JS-1', 'lodash')],
    });
    expect(await parseText(snykParser, first)).toEqual(await parseText(snykParser, last));
  });

  it('reports the error of one project of an --all-projects array, pointing at it', async () => {
    const report = JSON.stringify([
      { vulnerabilities: [issue('SNYK-JS-1', 'lodash')], ...projectFields },
      { ok: false, error: 'Failed to get dependencies', path: '/src/broken' },
    ]);
    const error = await parseFailure(snykParser, report);
    expect(error.message).toBe('snyk reported an error: Failed to get dependencies');
    expect(error.location.pointer).toBe('/1/error');
  });

  it('rejects a project without issues or error', async () => {
    const error = await parseFailure(snykParser, '[{"vulnerabilities": []}, {"ok": true}]');
    expect(error.location.pointer).toBe('/1/vulnerabilities');
  });
});
