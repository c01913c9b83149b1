import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { gitlabContainerScanningParser } from './gitlab-container-scanning.parser';

const ONE_VULN = 'gitlab-container-scanning/gl-container-scanning-report-1-vuln_v15.json';
const FIVE_VULN = 'gitlab-container-scanning/gl-container-scanning-report-5-vuln_v15.json';

function report(vulnerabilities: unknown[], type = 'container_scanning'): string {
  return JSON.stringify({
    version: '15.0.4',
    vulnerabilities,
    scan: { scanner: { id: 'trivy', name: 'Trivy', version: '0.45.0' }, type, status: 'success' },
  });
}

const OPENSSL = {
  id: 'c1',
  severity: 'Critical',
  solution: 'Upgrade libssl3 from 3.0.2-r0 to 3.0.7-r0',
  location: {
    dependency: { package: { name: 'libssl3' }, version: '3.0.2-r0' },
    operating_system: 'alpine 3.16.0',
    image: 'registry.example.com/shop/api:1.4.2',
  },
  identifiers: [
    {
      type: 'cve',
      name: 'CVE-2022-3602',
      value: 'CVE-2022-3602',
      url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-3602',
    },
  ],
};

describe('gitlabContainerScanningParser on the real corpus', () => {
  itReadsItsCorpus(gitlabContainerScanningParser, ['gitlab-container-scanning'], {
    'gitlab-container-scanning/gl-container-scanning-report-0-vuln.json': {
      yielded: 0,
      distinct: 0,
      manifest: '0',
    },
    'gitlab-container-scanning/gl-container-scanning-report-1-vuln_v15.json': {
      yielded: 1,
      distinct: 1,
      manifest: '1',
    },
    'gitlab-container-scanning/gl-container-scanning-report-5-vuln_v15.json': {
      yielded: 5,
      distinct: 5,
      manifest: '5',
    },
  });

  it('maps the apt finding as the manifest asserts it', async () => {
    const [finding] = await parseCorpusFile(gitlabContainerScanningParser, ONE_VULN);
    // v15 has no `message`: the title is built from the identifier and the dependency.
    expect(finding!.title).toBe('CVE-2019-3462 in apt-1.4.8');
    expect(finding!.severity).toEqual({ reported: 'High', normalized: 'high' });
    expect(finding!.vulnerability).toEqual({ id: 'CVE-2019-3462', aliases: [] });
    expect(finding!.component).toEqual({
      name: 'apt',
      version: '1.4.8',
      ecosystem: 'deb',
      purl: 'pkg:deb/debian/apt@1.4.8',
      fixedVersions: ['1.4.9'],
    });
    // The mitigation is kept in the description; its version is the only fixed version.
    expect(finding!.description).toContain('Solution: Upgrade apt from 1.4.8 to 1.4.9');
    expect(finding!.location).toEqual({
      logical:
        'registry.gitlab.com/gitlab-org/security-products/dast/webgoat-8.0@sha256:bc09fe2e0721dfaeee79364115aeedf2174cce0947b9ae5fe7c33312ee019a4e',
    });
    expect(finding!.tags).toEqual(['os:debian:9.4']);
    expect(finding!.tool).toEqual({ name: 'Trivy', version: '0.16.0' });
    expect(finding!.references).toHaveLength(11);
    // Not mapped: the report's unique_id (df52bc8c…) is a per-run tool id, and the date
    // (scan.end_time) is the scan context's detectedAt, which the gateway sets.
    expect(JSON.stringify(finding)).not.toContain('df52bc8ce9a2ae56bbcb0c4ecda62123fbd6f69b');
  });

  it('reads the five-vulnerability report with its deprecated cve field', async () => {
    const findings = await parseCorpusFile(gitlabContainerScanningParser, FIVE_VULN);
    expect(findings[0]).toMatchObject({
      vulnerability: { id: 'CVE-2020-1751', aliases: [] },
      component: {
        name: 'libc6',
        version: '2.28-10',
        purl: 'pkg:deb/debian/libc6@2.28-10',
        fixedVersions: [],
      },
      severity: { reported: 'High', normalized: 'high' },
    });
  });
});

describe('gitlabContainerScanningParser detection', () => {
  it('claims cluster image scanning reports', () => {
    expect(
      gitlabContainerScanningParser.detect(report([], 'cluster_image_scanning')),
    ).toBeGreaterThan(0.9);
  });
});

describe('gitlabContainerScanningParser mapping', () => {
  it('builds an apk purl from the operating system and keeps the fix version', async () => {
    const [finding] = await parseText(gitlabContainerScanningParser, report([OPENSSL]));
    expect(finding).toMatchObject({
      title: 'CVE-2022-3602 in libssl3-3.0.2-r0',
      severity: { reported: 'Critical', normalized: 'critical' },
      component: {
        name: 'libssl3',
        version: '3.0.2-r0',
        ecosystem: 'apk',
        purl: 'pkg:apk/alpine/libssl3@3.0.2-r0',
        fixedVersions: ['3.0.7-r0'],
      },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2022-3602',
        packageId: 'pkg:apk/alpine/libssl3',
      },
    });
  });

  it('keeps the basis when the image is rebuilt with another package version', async () => {
    const rebuilt = {
      ...OPENSSL,
      location: {
        ...OPENSSL.location,
        image: 'registry.example.com/shop/api:1.4.3',
        dependency: { package: { name: 'libssl3' }, version: '3.0.5-r0' },
      },
    };
    const [before] = await parseText(gitlabContainerScanningParser, report([OPENSSL]));
    const [after] = await parseText(gitlabContainerScanningParser, report([rebuilt]));
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it('points at the wrong-typed image', async () => {
    const bad = { ...OPENSSL, location: { ...OPENSSL.location, image: 42 } };
    const error = await parseFailure(gitlabContainerScanningParser, report([bad]));
    expect(error.location.pointer).toBe('/vulnerabilities/0/location/image');
  });
});
