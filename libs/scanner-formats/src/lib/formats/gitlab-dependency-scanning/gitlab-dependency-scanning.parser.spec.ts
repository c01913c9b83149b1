import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { gitlabDependencyScanningParser } from './gitlab-dependency-scanning.parser';

const ONE_VULN = 'gitlab-dependency-scanning/gl-dependency-scanning-report-1-vuln_v15.json';
const MANY_VULN = 'gitlab-dependency-scanning/gl-dependency-scanning-report-many-vuln_v15.json';

function report(vulnerabilities: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '15.0.7',
    vulnerabilities,
    scan: {
      scanner: { id: 'gemnasium', name: 'Gemnasium', version: '4.9.0', vendor: { name: 'GitLab' } },
      type: 'dependency_scanning',
      status: 'success',
    },
    ...extra,
  });
}

const LODASH = {
  id: 'f00',
  name: 'Prototype Pollution in lodash',
  description: 'lodash before 4.17.21 is vulnerable.',
  severity: 'Medium',
  solution: 'Upgrade to versions 4.17.21, 5.0.1 or above.',
  location: {
    file: 'web/package-lock.json',
    dependency: { package: { name: 'lodash' }, version: '4.17.15' },
  },
  identifiers: [
    {
      type: 'gemnasium',
      name: 'Gemnasium-0e1d',
      value: '0e1d',
      url: 'https://gitlab.com/gemnasium-db/npm/lodash/CVE-2020-8203.yml',
    },
    {
      type: 'cve',
      name: 'CVE-2020-8203',
      value: 'CVE-2020-8203',
      url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-8203',
    },
    { type: 'ghsa', name: 'GHSA-p6mc-m468-83gw', value: 'GHSA-p6mc-m468-83gw' },
    { type: 'cwe', name: 'CWE-1321', value: '1321' },
  ],
  cvss_vectors: [{ vendor: 'GitLab', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H' }],
  links: [{ url: 'https://github.com/lodash/lodash/issues/4744' }, { url: 'ftp://example.org/x' }],
};

describe('gitlabDependencyScanningParser on the real corpus', () => {
  itReadsItsCorpus(gitlabDependencyScanningParser, ['gitlab-dependency-scanning'], {
    'gitlab-dependency-scanning/gl-dependency-scanning-report-0-vuln.json': {
      yielded: 0,
      distinct: 0,
      manifest: '0',
    },
    'gitlab-dependency-scanning/gl-dependency-scanning-report-1-vuln_v15.json': {
      yielded: 1,
      distinct: 1,
      manifest: '1',
    },
    // CVE-2020-29652 in three versions of golang.org/x/crypto and CVE-2020-14040 in two of
    // golang.org/x/text: one finding per vulnerable package after collapsing.
    'gitlab-dependency-scanning/gl-dependency-scanning-report-many-vuln_v15.json': {
      yielded: 6,
      distinct: 3,
      manifest: '6 (raw; DD only asserts > 2)',
    },
  });

  it('takes the CVE as the id of the first many-vuln finding, the Gemnasium id as alias', async () => {
    const [first] = await parseCorpusFile(gitlabDependencyScanningParser, MANY_VULN);
    expect(first!.vulnerability).toEqual({
      id: 'CVE-2020-29652',
      aliases: ['ffb814a0-404c-11eb-b378-0242ac130002'],
    });
    expect(first!.component).toEqual({
      name: 'golang.org/x/crypto',
      version: 'v0.0.0-20190219172222-a4c6cb3142f2',
      ecosystem: 'golang',
      purl: 'pkg:golang/golang.org/x/crypto@v0.0.0-20190219172222-a4c6cb3142f2',
      path: 'service/go.sum',
      fixedVersions: ['v0.0.0-20201216223049-8b5274cf687f'],
    });
    expect(first!.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2020-29652',
      packageId: 'pkg:golang/golang.org/x/crypto',
    });
  });

  it('gives the same CVE in three versions of one package one basis (collapsed by the pipeline)', async () => {
    const findings = await parseCorpusFile(gitlabDependencyScanningParser, MANY_VULN);
    const bases = findings.map((f) => JSON.stringify(f.fingerprintBasis));
    expect(bases[0]).toBe(bases[1]);
    expect(bases[1]).toBe(bases[2]);
    expect(new Set(bases).size).toBe(3);
  });

  it('maps the Unknown-severity finding without inventing a severity', async () => {
    const [finding] = await parseCorpusFile(gitlabDependencyScanningParser, ONE_VULN);
    expect(finding).toMatchObject({
      kind: 'vulnerability',
      title: 'XML Entity Expansion',
      severity: { reported: 'Unknown', normalized: 'unknown' },
      vulnerability: { id: '7368f513-0aa9-4e34-a08d-40ea81f48e0e', aliases: [] },
      component: { name: 'gopkg.in/yaml.v2', version: 'v2.2.2', fixedVersions: ['2.2.3'] },
      tool: { name: 'Gemnasium', version: '2.24.1' },
    });
    expect(finding!.references).toEqual([
      'https://github.com/docker/cli/pull/2117',
      'https://gitlab.com/gitlab-org/security-products/gemnasium-db/-/blob/master/go/gopkg.in/yaml.v2/GMS-2019-2.yml',
    ]);
  });
});

describe('gitlabDependencyScanningParser detection', () => {
  it('recognises a report whose scan section lies beyond the detection window', () => {
    const head = report([LODASH]).replace(/"scan":.*$/, '');
    expect(gitlabDependencyScanningParser.detect(head)).toBeGreaterThan(0);
  });
});

describe('gitlabDependencyScanningParser mapping', () => {
  it('maps a schema 15 finding completely', async () => {
    const [finding] = await parseText(gitlabDependencyScanningParser, report([LODASH]));
    expect(finding).toEqual({
      kind: 'vulnerability',
      title: 'Prototype Pollution in lodash',
      description:
        'lodash before 4.17.21 is vulnerable.\n\nSolution: Upgrade to versions 4.17.21, 5.0.1 or above.',
      rule: { id: '0e1d', name: 'Gemnasium-0e1d' },
      severity: { reported: 'Medium', normalized: 'medium' },
      vulnerability: { id: 'CVE-2020-8203', aliases: ['0e1d', 'GHSA-p6mc-m468-83gw'] },
      cvss: [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H',
          source: 'GitLab',
        },
      ],
      cwes: ['CWE-1321'],
      component: {
        name: 'lodash',
        version: '4.17.15',
        ecosystem: 'npm',
        purl: 'pkg:npm/lodash@4.17.15',
        path: 'web/package-lock.json',
        fixedVersions: ['4.17.21', '5.0.1'],
      },
      location: { path: 'web/package-lock.json' },
      references: [
        'https://github.com/lodash/lodash/issues/4744',
        'https://gitlab.com/gemnasium-db/npm/lodash/CVE-2020-8203.yml',
        'https://nvd.nist.gov/vuln/detail/CVE-2020-8203',
      ],
      tags: [],
      tool: { name: 'Gemnasium', version: '4.9.0' },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2020-8203',
        packageId: 'pkg:npm/lodash',
      },
    });
  });

  it('takes the ecosystem from dependency_files when the file name says nothing', async () => {
    const maven = {
      ...LODASH,
      location: {
        file: 'deps/lock.txt',
        dependency: { package: { name: 'org.apache.logging.log4j/log4j-core' }, version: '2.14.1' },
      },
    };
    const text = report([maven], {
      dependency_files: [{ path: 'deps/lock.txt', package_manager: 'maven', dependencies: [] }],
    });
    const [finding] = await parseText(gitlabDependencyScanningParser, text);
    expect(finding!.component?.purl).toBe('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    expect(finding!.component?.ecosystem).toBe('maven');
  });

  it('names no fixed version when the solution names none', async () => {
    const latest = { ...LODASH, solution: 'Upgrade to the latest version.' };
    const [finding] = await parseText(gitlabDependencyScanningParser, report([latest]));
    expect(finding!.component?.fixedVersions).toEqual([]);
  });

  it('keeps the basis when the lockfile entry moves or the version changes', async () => {
    const bumped = {
      ...LODASH,
      location: {
        ...LODASH.location,
        dependency: { package: { name: 'lodash' }, version: '4.17.19' },
      },
    };
    const [before] = await parseText(gitlabDependencyScanningParser, report([LODASH]));
    const [after] = await parseText(gitlabDependencyScanningParser, report([bumped]));
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('refuses a container-scanning report when forced to read it', async () => {
    const text = JSON.stringify({
      version: '15.0.0',
      vulnerabilities: [],
      scan: { type: 'container_scanning' },
    });
    const error = await parseFailure(gitlabDependencyScanningParser, text);
    expect(error.location.pointer).toBe('/scan/type');
  });
});

describe('gitlabDependencyScanningParser on malformed input', () => {
  it('reports where truncated JSON ends', async () => {
    const text = JSON.stringify({ version: '15.0.0', vulnerabilities: [LODASH] }, null, 2);
    const cut = text.slice(0, text.indexOf('"solution"'));
    const error = await parseFailure(gitlabDependencyScanningParser, cut);
    expect(error.message).toMatch(/malformed JSON/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('points at identifiers when they are not a list', async () => {
    const error = await parseFailure(
      gitlabDependencyScanningParser,
      report([{ ...LODASH, identifiers: { cve: 'x' } }]),
    );
    expect(error.location.pointer).toBe('/vulnerabilities/0/identifiers');
  });

  it('refuses a report that is not an object', async () => {
    const error = await parseFailure(gitlabDependencyScanningParser, '[1, 2]');
    expect(error.location.pointer).toBe('');
  });
});
