import type { Component } from '@hum/contracts';
import { chooseFixVersion } from './fix-version';

const component = (overrides: Partial<Component>): Component => ({
  name: 'lodash',
  version: '4.17.15',
  ecosystem: 'npm',
  fixedVersions: ['4.17.21'],
  ...overrides,
});

describe('chooseFixVersion', () => {
  it('picks the lowest fixed version above the installed one, never the newest', () => {
    const choice = chooseFixVersion(
      component({ version: '4.17.15', fixedVersions: ['4.17.21', '4.17.19', '4.17.12'] }),
    );
    expect(choice).toEqual({
      ok: true,
      fix: { component: 'lodash', ecosystem: 'npm', fromVersion: '4.17.15', toVersion: '4.17.19' },
    });
  });

  it('orders by the ecosystem, not by text (Maven qualifiers, PEP 440 post releases)', () => {
    expect(
      chooseFixVersion({
        name: 'org.apache.logging.log4j:log4j-core',
        version: '2.14.1',
        ecosystem: 'maven',
        fixedVersions: ['2.15.0', '2.15.0-rc2', '2.3.1', '2.12.2'],
      }),
    ).toMatchObject({ ok: true, fix: { toVersion: '2.15.0' } });
    expect(
      chooseFixVersion({
        name: 'django',
        version: '3.2.10',
        ecosystem: 'PyPI',
        fixedVersions: ['3.2.10.post1', '3.2.11'],
      }),
    ).toMatchObject({ ok: true, fix: { ecosystem: 'pypi', toVersion: '3.2.10.post1' } });
  });

  it('splits advisory lists and strips >= prefixes, but never takes words or ranges', () => {
    expect(
      chooseFixVersion(component({ version: '1.2.0', fixedVersions: ['>= 1.2.5, 2.0.1'] })),
    ).toMatchObject({ ok: true, fix: { toVersion: '1.2.5' } });
    expect(
      chooseFixVersion(component({ version: '1.2.0', fixedVersions: ['latest', '*', '<2.0.0'] })),
    ).toMatchObject({ ok: false, reason: 'no-fix-above-installed' });
  });

  it('skips pre-releases unless the installed version is one', () => {
    expect(
      chooseFixVersion(component({ version: '1.0.0', fixedVersions: ['1.0.1-rc.1', '1.0.2'] })),
    ).toMatchObject({ ok: true, fix: { toVersion: '1.0.2' } });
    expect(
      chooseFixVersion(
        component({ version: '2.0.0-beta.1', fixedVersions: ['2.0.0-beta.3', '2.0.0'] }),
      ),
    ).toMatchObject({ ok: true, fix: { toVersion: '2.0.0-beta.3' } });
  });

  it('refuses a fix on another major line unless allowed', () => {
    const lodash = component({ version: '3.10.1', fixedVersions: ['4.17.21'] });
    expect(chooseFixVersion(lodash)).toMatchObject({
      ok: false,
      reason: 'fix-requires-major-upgrade',
    });
    expect(chooseFixVersion(lodash, { allowMajorUpgrade: true })).toMatchObject({
      ok: true,
      fix: { toVersion: '4.17.21' },
    });
    // A same-line fix wins over a major one.
    expect(
      chooseFixVersion(component({ version: '3.10.1', fixedVersions: ['4.17.21', '3.10.2'] })),
    ).toMatchObject({ ok: true, fix: { toVersion: '3.10.2' } });
  });

  it('moves Go modules from a pseudo-version to a v0 release but not to /v2', () => {
    const crypto = {
      name: 'golang.org/x/crypto',
      version: 'v0.0.0-20201216223049-8b5274cf687f',
      ecosystem: 'golang',
    };
    expect(chooseFixVersion({ ...crypto, fixedVersions: ['v0.17.0'] })).toMatchObject({
      ok: true,
      fix: { toVersion: 'v0.17.0' },
    });
    expect(
      chooseFixVersion({
        name: 'github.com/x/y',
        version: 'v1.4.0',
        ecosystem: 'go',
        fixedVersions: ['v2.0.1'],
      }),
    ).toMatchObject({ ok: false, reason: 'fix-requires-major-upgrade' });
  });

  it('keeps container base images on their variant', () => {
    expect(
      chooseFixVersion({
        name: 'node',
        version: '18.19.0-alpine3.19',
        ecosystem: 'docker',
        fixedVersions: ['18.20.1-slim', '18.20.1-alpine3.19'],
      }),
    ).toMatchObject({ ok: true, fix: { ecosystem: 'oci', toVersion: '18.20.1-alpine3.19' } });
  });

  it('backports distro fixes without a major-line check', () => {
    expect(
      chooseFixVersion({
        name: 'openssl',
        version: '1.1.1n-0+deb11u3',
        purl: 'pkg:deb/debian/openssl@1.1.1n-0+deb11u3',
        fixedVersions: ['1.1.1n-0+deb11u4'],
      }),
    ).toMatchObject({ ok: true, fix: { ecosystem: 'deb', toVersion: '1.1.1n-0+deb11u4' } });
  });

  it('names why no fix can be chosen', () => {
    expect(chooseFixVersion(undefined)).toMatchObject({ ok: false, reason: 'no-component' });
    expect(chooseFixVersion(component({ fixedVersions: [] }))).toMatchObject({
      ok: false,
      reason: 'no-fix-version',
    });
    expect(chooseFixVersion(component({ ecosystem: 'cobol' }))).toMatchObject({
      ok: false,
      reason: 'unknown-version-ordering',
    });
    expect(chooseFixVersion(component({ version: undefined }))).toMatchObject({
      ok: false,
      reason: 'installed-version-unknown',
    });
    expect(chooseFixVersion(component({ version: 'main' }))).toMatchObject({
      ok: false,
      reason: 'installed-version-unparseable',
    });
    expect(
      chooseFixVersion(component({ version: '4.17.21', fixedVersions: ['4.17.21', '4.17.20'] })),
    ).toMatchObject({ ok: false, reason: 'no-fix-above-installed' });
  });
});
