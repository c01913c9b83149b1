import { apkScheme, debianScheme, rpmScheme } from './distro';
import { ecosystemOf, versionSchemeOf } from './ecosystems';
import { mavenScheme } from './maven';
import { ociTagScheme } from './oci-tag';
import { pep440Scheme } from './pep440';
import { rubygemsScheme } from './rubygems';
import { goScheme, semverScheme } from './semver';
import type { VersionScheme } from './version';

/** Asserts that `versions` is strictly ascending under the scheme, pairwise in both directions. */
function expectAscending(scheme: VersionScheme, versions: readonly string[]): void {
  const parsed = versions.map((text) => {
    const version = scheme.parse(text);
    if (version === undefined) throw new Error(`${scheme.name} did not parse "${text}"`);
    return version;
  });
  for (let i = 0; i < parsed.length; i += 1) {
    for (let j = 0; j < parsed.length; j += 1) {
      const order = Math.sign(parsed[i]!.compareTo(parsed[j]!));
      const expected = Math.sign(i - j);
      if (order !== expected)
        throw new Error(
          `${scheme.name}: compare("${versions[i]}", "${versions[j]}") = ${order}, expected ${expected}`,
        );
    }
  }
}

function expectEqual(scheme: VersionScheme, a: string, b: string): void {
  expect(scheme.parse(a)!.compareTo(scheme.parse(b)!)).toBe(0);
}

describe('semver (npm, cargo, nuget...)', () => {
  it('orders releases and pre-releases as semver.org §11 does', () => {
    expectAscending(semverScheme, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.2.0',
      '1.10.0',
      '2.0.0',
    ]);
  });

  it('ignores build metadata, accepts v and missing minor/patch, and knows majors', () => {
    expectEqual(semverScheme, '1.2.3+build.5', '1.2.3');
    expectEqual(semverScheme, 'v1.2', '1.2.0');
    expect(semverScheme.parse('4.17.21')!.series).toBe('4');
    expect(semverScheme.parse('0.4.2')!.series).toBe('0.4');
    expect(semverScheme.parse('1.0.0-rc.1')!.prerelease).toBe(true);
    for (const bad of ['latest', '*', '>=1.2.3', '^1.2.3', '1.2.3 || 2.0.0', '']) {
      expect(semverScheme.parse(bad)).toBeUndefined();
    }
  });

  it('compares numbers beyond 2^53 exactly', () => {
    expectAscending(semverScheme, ['1.0.9007199254740993', '1.0.9007199254740994']);
  });
});

describe('Go module versions', () => {
  it('orders pseudo-versions below the release they precede and treats v0/v1 as one line', () => {
    expectAscending(goScheme, [
      'v0.0.0-20201216223049-8b5274cf687f',
      'v0.0.0-20211202192323-5770296d904e',
      'v0.17.0',
      'v1.2.3',
      'v2.0.0+incompatible',
    ]);
    expect(goScheme.parse('v0.0.0-20201216223049-8b5274cf687f')!.series).toBe('v0-v1');
    expect(goScheme.parse('v1.9.0')!.series).toBe('v0-v1');
    expect(goScheme.parse('v2.1.0')!.series).toBe('v2');
    expect(goScheme.parse('1.2.3')).toBeUndefined();
  });
});

describe('PEP 440 (PyPI)', () => {
  it('orders dev, pre, final and post releases as packaging does', () => {
    expectAscending(pep440Scheme, [
      '1.0.dev0',
      '1.0a1',
      '1.0a2.dev1',
      '1.0a2',
      '1.0b1',
      '1.0rc1',
      '1.0',
      '1.0.post1.dev0',
      '1.0.post1',
      '1.0.1',
      '1.1',
      '2!0.1',
    ]);
  });

  it('normalises spellings and trailing zeros', () => {
    expectEqual(pep440Scheme, '1.0', '1.0.0');
    expectEqual(pep440Scheme, '1.0-alpha-1', '1.0a1');
    expectEqual(pep440Scheme, '1.0c1', '1.0rc1');
    expectEqual(pep440Scheme, '1.0-1', '1.0.post1');
    expect(pep440Scheme.parse('2.31.0')!.prerelease).toBe(false);
    expect(pep440Scheme.parse('2.32.0rc1')!.prerelease).toBe(true);
    expect(pep440Scheme.parse('3.0.dev2')!.prerelease).toBe(true);
    expect(pep440Scheme.parse('1.0+ubuntu1')!.compareTo(pep440Scheme.parse('1.0')!)).toBe(1);
  });
});

describe('Maven ComparableVersion', () => {
  it('orders qualifiers alpha < beta < milestone < rc < snapshot < release < sp', () => {
    expectAscending(mavenScheme, [
      '1.0-alpha-1',
      '1.0-beta-1',
      '1.0-milestone-1',
      '1.0-rc-1',
      '1.0-SNAPSHOT',
      '1.0',
      '1.0-sp-1',
      '1.0.1',
      '1.1',
      '2.0',
    ]);
  });

  it('treats trailing zeros, ga/final/release and cr as Maven does', () => {
    expectEqual(mavenScheme, '1.0', '1.0.0');
    expectEqual(mavenScheme, '1.0', '1.0-ga');
    expectEqual(mavenScheme, '1.0.FINAL', '1');
    expectEqual(mavenScheme, '1.0-cr1', '1.0-rc1');
    expectEqual(mavenScheme, '1a1', '1-alpha-1');
  });

  it('orders real log4j, jackson and spring versions', () => {
    expectAscending(mavenScheme, ['2.14.1', '2.15.0-rc1', '2.15.0', '2.16.0', '2.17.1', '2.17.10']);
    expectAscending(mavenScheme, ['2.13.4', '2.13.4.1', '2.13.4.2', '2.14.0-rc1', '2.14.0']);
    expectAscending(mavenScheme, ['5.3.17', '5.3.18', '6.0.0-M1', '6.0.0-RC1', '6.0.0']);
    expect(mavenScheme.parse('6.0.0-M1')!.prerelease).toBe(true);
    expect(mavenScheme.parse('31.1-jre')!.prerelease).toBe(false);
    expect(mavenScheme.parse('[1.0,2.0)')).toBeUndefined();
  });
});

describe('Debian (dpkg)', () => {
  it('orders epochs, upstream versions, tildes and revisions as dpkg does', () => {
    expectAscending(debianScheme, [
      '1.1.1n-0+deb11u3',
      '1.1.1n-0+deb11u4',
      '1.1.1n-0+deb11u10',
      '1.1.1w-0+deb11u1',
      '3.0.11~rc1-1',
      '3.0.11-1~deb12u1',
      '3.0.11-1',
      '3.0.11-1+b1',
      '1:0.9-1',
    ]);
    expect(debianScheme.parse('3.0.11~rc1-1')!.prerelease).toBe(true);
    expect(debianScheme.parse('3.0.11-1')!.series).toBeUndefined();
  });
});

describe('RPM (rpmvercmp)', () => {
  it('orders versions and releases, ~ before and ^ after the base version', () => {
    expectAscending(rpmScheme, [
      '1.0~rc1-1.el9',
      '1.0-1.el9',
      '1.0-1.el9_2',
      '1.0-2.el9',
      '1.0^git1-1',
      '1.0a-1',
      '1.0.1-1',
      '1:0.5-1',
    ]);
    expectEqual(rpmScheme, '2.5.3', '2.5.3-1.el8');
  });
});

describe('Alpine (apk)', () => {
  it('orders suffixes, letters and revisions', () => {
    expectAscending(apkScheme, [
      '3.1.4_rc1-r0',
      '3.1.4-r0',
      '3.1.4-r5',
      '3.1.4_p1-r0',
      '3.1.4a-r0',
      '3.1.5-r0',
    ]);
    expect(apkScheme.parse('3.1.4_rc1-r0')!.prerelease).toBe(true);
  });
});

describe('RubyGems', () => {
  it('orders pre-releases below releases and ignores trailing zeros', () => {
    expectAscending(rubygemsScheme, ['1.0.0.a', '1.0.0.rc1', '1.0.0', '1.0.1', '1.13.6', '2.0']);
    expectEqual(rubygemsScheme, '1.0', '1.0.0');
    expectEqual(rubygemsScheme, '1.0.0-rc1', '1.0.0.pre.rc1');
  });
});

describe('container image tags', () => {
  it('orders tags of one variant and precision, and refuses to cross variants', () => {
    expectAscending(ociTagScheme, [
      '18.19.0-alpine3.19',
      '18.19.1-alpine3.19',
      '18.20.1-alpine3.20',
    ]);
    const alpine = ociTagScheme.parse('3.12.1-alpine')!;
    expect(alpine.comparableWith(ociTagScheme.parse('3.12.2-slim')!)).toBe(false);
    expect(alpine.comparableWith(ociTagScheme.parse('3.13-alpine')!)).toBe(false);
    expect(alpine.comparableWith(ociTagScheme.parse('3.12.4-alpine')!)).toBe(true);
    expect(ociTagScheme.parse('latest')).toBeUndefined();
    expect(ociTagScheme.parse('bookworm')).toBeUndefined();
  });
});

describe('ecosystems', () => {
  it('maps scanner spellings and purl types, and knows nothing else', () => {
    expect(ecosystemOf({ ecosystem: 'PyPI' })).toBe('pypi');
    expect(ecosystemOf({ ecosystem: 'crates.io' })).toBe('cargo');
    expect(ecosystemOf({ ecosystem: 'jar' })).toBe('maven');
    expect(ecosystemOf({ purl: 'pkg:deb/debian/openssl@1.1.1n-0+deb11u3' })).toBe('deb');
    expect(ecosystemOf({ ecosystem: 'cobol' })).toBeUndefined();
    expect(ecosystemOf({ ecosystem: '__proto__' })).toBeUndefined();
    expect(ecosystemOf({})).toBeUndefined();
    expect(versionSchemeOf('golang').name).toBe('go-semver');
  });
});
