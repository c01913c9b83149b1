import { classifyGitlabHead } from './gitlab-detect';
import {
  gitlabPurl,
  packageTypeForFile,
  packageTypeForManager,
  packageTypeForOs,
} from './gitlab-ecosystem';
import { fixedVersionsFromSolution } from './gitlab-solution';

describe('fixedVersionsFromSolution', () => {
  it.each([
    ['Upgrade apt from 1.4.8 to 1.4.9', ['1.4.9']],
    ['Upgrade libc6 from 2.28-10 to 2.28-10+deb10u1', ['2.28-10+deb10u1']],
    ['Upgrade to version 2.2.3 or above.', ['2.2.3']],
    [
      'Upgrade to version v0.0.0-20201216223049-8b5274cf687f or above.',
      ['v0.0.0-20201216223049-8b5274cf687f'],
    ],
    ['Upgrade to versions 2.9.10.7, 2.10.5.1 or above.', ['2.9.10.7', '2.10.5.1']],
    ['Upgrade to versions 1.2.3 and 2.0.1 or later', ['1.2.3', '2.0.1']],
  ])('reads the fix from "%s"', (solution, expected) => {
    expect(fixedVersionsFromSolution(solution)).toEqual(expected);
  });

  it.each([
    'Upgrade to the latest version.',
    'Upgrade to version latest or above.',
    'No solution provided',
    'Unfortunately, there is no solution available yet.',
    '',
  ])('names no version for "%s"', (solution) => {
    expect(fixedVersionsFromSolution(solution)).toEqual([]);
  });
});

describe('GitLab package identities', () => {
  it('maps package managers and dependency files to purl types', () => {
    expect(packageTypeForManager('bundler')).toBe('gem');
    expect(packageTypeForManager('Go')).toBe('golang');
    expect(packageTypeForManager('unknown-pm')).toBeUndefined();
    expect(packageTypeForFile('services/api/Gemfile.lock')).toBe('gem');
    expect(packageTypeForFile('web\\yarn.lock')).toBe('npm');
    expect(packageTypeForFile('docs/readme.md')).toBeUndefined();
  });

  it('maps operating systems to purl types and distributions', () => {
    expect(packageTypeForOs('debian:9.4')).toEqual({ type: 'deb', distro: 'debian' });
    expect(packageTypeForOs('Alpine 3.16.0')).toEqual({ type: 'apk', distro: 'alpine' });
    expect(packageTypeForOs('centos 7')).toEqual({ type: 'rpm', distro: 'centos' });
    expect(packageTypeForOs('Unknown')).toBeUndefined();
  });

  it('splits namespaces the way each ecosystem writes them', () => {
    expect(gitlabPurl('npm', '@babel/core', '7.1.0')).toBe('pkg:npm/%40babel/core@7.1.0');
    expect(gitlabPurl('maven', 'org.apache.logging.log4j:log4j-core', '2.14.1')).toBe(
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    );
    expect(gitlabPurl('pypi', 'Django_Rest', '3.0')).toBe('pkg:pypi/django-rest@3.0');
    expect(gitlabPurl('deb', 'libc6', '2.28-10', 'debian')).toBe('pkg:deb/debian/libc6@2.28-10');
  });
});

describe('classifyGitlabHead', () => {
  it('trusts scan.type over the shape of the findings', () => {
    const head =
      '{"version":"15.0.0","vulnerabilities":[{"location":{"operating_system":"debian"}}],"scan":{"type":"sast"}}';
    expect(classifyGitlabHead(head)).toEqual({ type: 'sast', confidence: 0.95 });
  });

  it('reads the legacy category field', () => {
    const head =
      '{"version":"2.4","vulnerabilities":[{"category":"dependency_scanning","identifiers":[{"type":"cve"}],"location":{}}],"remediations":[]}';
    expect(classifyGitlabHead(head)).toEqual({ type: 'dependency_scanning', confidence: 0.9 });
  });

  it("refuses documents with another format's keys", () => {
    expect(
      classifyGitlabHead('{"bomFormat":"CycloneDX","vulnerabilities":[],"remediations":[]}'),
    ).toBeUndefined();
    expect(classifyGitlabHead('{"vulnerabilities":[{"id":"x"}]}')).toBeUndefined();
  });
});
