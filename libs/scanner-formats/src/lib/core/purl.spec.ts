import {
  buildPurl,
  packageIdentity,
  parsePurl,
  purlDisplayName,
  purlFromName,
  purlType,
  purlWithoutVersion,
} from './purl';

describe('parsePurl', () => {
  it.each([
    [
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar',
      {
        type: 'maven',
        namespace: 'org.apache.logging.log4j',
        name: 'log4j-core',
        version: '2.14.1',
      },
    ],
    [
      'pkg:npm/%40angular/core@12.0.0#sub/path',
      { type: 'npm', namespace: '@angular', name: 'core', version: '12.0.0' },
    ],
    ['pkg:npm/@scope/name', { type: 'npm', namespace: '@scope', name: 'name', version: undefined }],
    [
      'pkg:golang/github.com/gin-gonic/gin@v1.7.0',
      { type: 'golang', namespace: 'github.com/gin-gonic', name: 'gin', version: 'v1.7.0' },
    ],
    [
      'pkg://PyPI/Django@3.2',
      { type: 'pypi', namespace: undefined, name: 'Django', version: '3.2' },
    ],
    [
      'pkg:deb/debian/libc6@2.28%7E1',
      { type: 'deb', namespace: 'debian', name: 'libc6', version: '2.28~1' },
    ],
    [
      'pkg:generic/100%',
      { type: 'generic', namespace: undefined, name: '100%', version: undefined },
    ],
  ])('splits %s', (purl, parts) => {
    expect(parsePurl(purl)).toEqual(parts);
  });

  it.each(['log4j-core', 'pkg:', 'pkg:npm', 'pkg:/name', 'pkg:npm/'])('refuses %s', (text) => {
    expect(parsePurl(text)).toBeUndefined();
  });

  it('names packages as their ecosystem does', () => {
    expect(purlDisplayName(parsePurl('pkg:maven/org.acme/core@1')!)).toBe('org.acme:core');
    expect(purlDisplayName(parsePurl('pkg:npm/%40acme/ui@1')!)).toBe('@acme/ui');
    expect(purlDisplayName(parsePurl('pkg:pypi/requests@1')!)).toBe('requests');
  });
});

describe('package identity', () => {
  it.each([
    ['pkg:npm/%40scope/name@1.2.3?x=y#sub', 'pkg:npm/%40scope/name'],
    ['pkg:npm/@scope/name', 'pkg:npm/@scope/name'],
    ['pkg:deb/debian/libc6@2.28?arch=amd64&distro=debian-10', 'pkg:deb/debian/libc6'],
    ['pkg:generic/name#sub@path', 'pkg:generic/name'],
    ['pkg:generic/a?q=@x', 'pkg:generic/a'],
    ['pkg:npm@1', 'pkg:npm@1'],
  ])('%s without its version is %s', (purl, identity) => {
    expect(purlWithoutVersion(purl)).toBe(identity);
  });

  it('falls back to ecosystem/name without a purl', () => {
    expect(packageIdentity({ name: 'lodash', ecosystem: 'npm' })).toBe('npm/lodash');
    expect(packageIdentity({ name: 'lodash' })).toBe('generic/lodash');
    expect(packageIdentity({ name: 'x', purl: 'pkg:npm/lodash@4' })).toBe('pkg:npm/lodash');
  });

  it('reads the purl type', () => {
    expect(purlType('pkg:PyPI/django@1')).toBe('pypi');
    expect(purlType('not a purl')).toBeUndefined();
  });
});

describe('building purls', () => {
  it('percent-encodes what the spec requires', () => {
    expect(buildPurl('NPM', 'core', '1.0.0', '@angular')).toBe('pkg:npm/%40angular/core@1.0.0');
    expect(buildPurl('deb', 'libc6', '2.28:1', 'debian')).toBe('pkg:deb/debian/libc6@2.28:1');
  });

  it("splits an ecosystem's own spelling of a name", () => {
    expect(purlFromName('maven', 'org.acme:core', '1.0')).toBe('pkg:maven/org.acme/core@1.0');
    expect(purlFromName('npm', '@acme/ui', '2.0')).toBe('pkg:npm/%40acme/ui@2.0');
    expect(purlFromName('pypi', 'Django_Extensions', '3.1')).toBe('pkg:pypi/django-extensions@3.1');
    expect(purlFromName('deb', 'libc6', '2.28', 'debian')).toBe('pkg:deb/debian/libc6@2.28');
    // A lookup table never answers for Object.prototype's members.
    expect(purlFromName('constructor', 'x', undefined)).toBe('pkg:constructor/x');
  });
});
