import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bumpDockerfile } from './dockerfile';
import { bumpGoMod } from './go-mod';
import type { EditResult } from './manifest-edit';
import { manifestDirectory, planManifestEdits } from './manifest-plan';
import { bumpPomXml } from './maven-pom';
import { bumpPackageJson } from './npm-package-json';
import { bumpPackageLock, lockfileNote } from './npm-lockfile';
import { bumpRequirementsTxt } from './pip-requirements';
import { bumpPyproject } from './pyproject';

const fixtures = path.resolve(__dirname, '../../../test-fixtures/manifests');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');
const workspace = path.resolve(__dirname, '../../../../..');

function content(result: EditResult): string {
  if (!result.ok) throw new Error(`expected an edit, got ${result.reason}: ${result.detail}`);
  return result.content;
}

/** The lines that differ, as [before, after] pairs: edits must touch nothing else. */
function changedLines(before: string, after: string): Array<[string, string]> {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]!] as [string, string]]));
}

describe('npm: package.json and package-lock.json (the workspace’s own, real files)', () => {
  const manifest = readFileSync(path.join(workspace, 'package.json'), 'utf8');
  const lock = readFileSync(path.join(workspace, 'package-lock.json'), 'utf8');
  const installed = (JSON.parse(lock) as { packages: Record<string, { version: string }> })
    .packages['node_modules/yaml']!.version;
  const [major, minor, patch] = installed.split('.').map(Number);
  const next = `${major}.${minor}.${patch! + 1}`;
  const bump = { name: 'yaml', fromVersion: installed, toVersion: next };

  it('moves the range, keeping its operator, the key order and the formatting', () => {
    const after = content(bumpPackageJson(manifest, bump));
    expect(changedLines(manifest, after)).toEqual([
      [expect.stringContaining('"yaml": "^'), `    "yaml": "^${next}",`],
    ]);
  });

  it('pins a transitive dependency through overrides', () => {
    const result = bumpPackageJson(manifest, {
      name: 'follow-redirects',
      fromVersion: '1.15.0',
      toVersion: '1.15.6',
    });
    expect(result.ok).toBe(true);
    expect(JSON.parse(content(result)).overrides).toEqual({ 'follow-redirects': '1.15.6' });
    expect(result.ok && result.notes[0]).toContain('every copy of follow-redirects');
  });

  it('refuses ranges a bot must not move', () => {
    const text = '{\n  "dependencies": {\n    "lodash": ">=3 <5"\n  }\n}\n';
    expect(
      bumpPackageJson(text, { name: 'lodash', fromVersion: '4.17.15', toVersion: '4.17.21' }),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported-manifest',
    });
  });

  it('keeps CRLF line endings and tab indentation', () => {
    const text = '{\r\n\t"dependencies": {\r\n\t\t"lodash": "~4.17.15"\r\n\t}\r\n}\r\n';
    expect(
      content(
        bumpPackageJson(text, { name: 'lodash', fromVersion: '4.17.15', toVersion: '4.17.21' }),
      ),
    ).toBe('{\r\n\t"dependencies": {\r\n\t\t"lodash": "~4.17.21"\r\n\t}\r\n}\r\n');
  });

  it('edits the lockfile entry (version, tarball, no stale integrity) or notes the regeneration', () => {
    const after = JSON.parse(content(bumpPackageLock(lock, bump, `^${next}`))) as {
      packages: Record<
        string,
        {
          version?: string;
          resolved?: string;
          integrity?: string;
          dependencies?: Record<string, string>;
        }
      >;
    };
    const entry = after.packages['node_modules/yaml']!;
    expect(entry.version).toBe(next);
    // This lockfile was written without `resolved` URLs; none is invented.
    expect(entry.resolved).toBeUndefined();
    expect(entry.integrity).toBeUndefined();
    expect(after.packages['']!.dependencies!['yaml']).toBe(`^${next}`);
    expect(lockfileNote(lock, bump)).toContain(`pins yaml@${installed} at node_modules/yaml`);
    const withTarball = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { yaml: `^${installed}` } },
        'node_modules/yaml': {
          version: installed,
          resolved: `https://registry.npmjs.org/yaml/-/yaml-${installed}.tgz`,
          integrity: 'sha512-x',
        },
        'node_modules/other/node_modules/yaml': { version: '1.10.2' },
      },
    });
    const moved = JSON.parse(content(bumpPackageLock(withTarball, bump))) as typeof after;
    expect(moved.packages['node_modules/yaml']!.resolved).toBe(
      `https://registry.npmjs.org/yaml/-/yaml-${next}.tgz`,
    );
    expect(moved.packages['node_modules/other/node_modules/yaml']!.version).toBe('1.10.2');
    expect(bumpPackageLock('{"lockfileVersion":1,"dependencies":{}}', bump)).toMatchObject({
      ok: false,
      reason: 'unsupported-manifest',
    });
  });
});

describe('pip: requirements.txt', () => {
  const text = fixture('requirements.txt');

  it('moves pins and lower bounds, keeping extras, markers and comments', () => {
    const django = content(
      bumpRequirementsTxt(text, { name: 'django', fromVersion: '3.2.10', toVersion: '3.2.11' }),
    );
    expect(changedLines(text, django)).toEqual([
      [
        'Django==3.2.10  # LTS, upgrade plan in ORD-412',
        'Django==3.2.11  # LTS, upgrade plan in ORD-412',
      ],
    ]);
    const celery = content(
      bumpRequirementsTxt(text, { name: 'Celery', fromVersion: '5.2.3', toVersion: '5.2.7' }),
    );
    expect(changedLines(text, celery)).toEqual([['celery[redis]==5.2.3', 'celery[redis]==5.2.7']]);
    const psycopg = content(
      bumpRequirementsTxt(text, {
        name: 'psycopg2_binary',
        fromVersion: '2.9.3',
        toVersion: '2.9.4',
      }),
    );
    expect(changedLines(text, psycopg)).toEqual([
      [
        'psycopg2-binary==2.9.3 ; platform_python_implementation == "CPython"',
        'psycopg2-binary==2.9.4 ; platform_python_implementation == "CPython"',
      ],
    ]);
    const drf = content(
      bumpRequirementsTxt(text, {
        name: 'djangorestframework',
        fromVersion: '3.12.4',
        toVersion: '3.14.0',
      }),
    );
    expect(changedLines(text, drf)).toEqual([
      ['djangorestframework>=3.12.4,<3.15', 'djangorestframework>=3.14.0,<3.15'],
    ]);
  });

  it('refuses hash-pinned lines, unpinned ones and fixes an upper bound excludes', () => {
    expect(
      bumpRequirementsTxt(text, { name: 'urllib3', fromVersion: '1.26.5', toVersion: '1.26.18' }),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported-manifest',
      detail: expect.stringContaining('--hash'),
    });
    expect(
      bumpRequirementsTxt(text, { name: 'gunicorn', fromVersion: '20.0.4', toVersion: '22.0.0' }),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported-manifest',
    });
    expect(
      bumpRequirementsTxt(text, {
        name: 'djangorestframework',
        fromVersion: '3.12.4',
        toVersion: '3.15.2',
      }),
    ).toMatchObject({ ok: false, reason: 'unsupported-manifest' });
    expect(
      bumpRequirementsTxt(text, { name: 'flask', fromVersion: '1.0', toVersion: '2.0' }),
    ).toMatchObject({
      ok: false,
      reason: 'dependency-not-found',
    });
  });
});

describe('pip: pyproject.toml', () => {
  it('edits PEP 621 dependency arrays in place', () => {
    const text = fixture('pyproject-pep621.toml');
    const yaml = content(
      bumpPyproject(text, { name: 'pyyaml', fromVersion: '5.4.1', toVersion: '5.4.2' }),
    );
    expect(changedLines(text, yaml)).toEqual([['    "PyYAML==5.4.1",', '    "PyYAML==5.4.2",']]);
    const jinja = content(
      bumpPyproject(text, { name: 'Jinja2', fromVersion: '3.0.0', toVersion: '3.1.3' }),
    );
    expect(changedLines(text, jinja)).toEqual([
      [
        `    'jinja2 >=3.0.0, <3.2 ; python_version >= "3.9"',`,
        `    'jinja2>=3.1.3,<3.2 ; python_version >= "3.9"',`,
      ],
    ]);
    // requests appears in [project] and, as requests-mock, in an optional group: only the former.
    const requests = content(
      bumpPyproject(text, { name: 'requests', fromVersion: '2.25.1', toVersion: '2.31.0' }),
    );
    expect(changedLines(text, requests)).toEqual([
      ['    "requests>=2.25.1",', '    "requests>=2.31.0",'],
    ]);
    // The project's own name is not a dependency.
    expect(
      bumpPyproject(text, { name: 'ledger-sync', fromVersion: '1.4.0', toVersion: '1.4.1' }),
    ).toMatchObject({
      ok: false,
      reason: 'dependency-not-found',
    });
  });

  it('edits Poetry constraints, plain and inline tables', () => {
    const text = fixture('pyproject-poetry.toml');
    const pillow = content(
      bumpPyproject(text, { name: 'pillow', fromVersion: '9.0.1', toVersion: '9.3.0' }),
    );
    expect(changedLines(text, pillow)).toEqual([
      [
        'Pillow = { version = "^9.0.1", extras = ["fpx"] }',
        'Pillow = { version = "^9.3.0", extras = ["fpx"] }',
      ],
    ]);
    const crypto = content(
      bumpPyproject(text, { name: 'cryptography', fromVersion: '38.0.1', toVersion: '39.0.1' }),
    );
    expect(changedLines(text, crypto)).toEqual([
      ['cryptography = "38.0.1"', 'cryptography = "39.0.1"'],
    ]);
    const numpy = content(
      bumpPyproject(text, { name: 'numpy', fromVersion: '1.23.1', toVersion: '1.24.0' }),
    );
    expect(changedLines(text, numpy)).toEqual([['numpy = ">=1.23,<2"', 'numpy = ">=1.24.0,<2"']]);
  });
});

describe('Maven: pom.xml', () => {
  const text = fixture('pom.xml');

  it('moves a properties-based version, and says who else shares it', () => {
    const result = bumpPomXml(text, {
      name: 'org.apache.logging.log4j:log4j-core',
      fromVersion: '2.14.1',
      toVersion: '2.17.1',
    });
    expect(changedLines(text, content(result))).toEqual([
      [
        '        <log4j2.version>2.14.1</log4j2.version>',
        '        <log4j2.version>2.17.1</log4j2.version>',
      ],
    ]);
    expect(result.ok && result.notes[0]).toContain('log4j2.version is used 2 times');
  });

  it('moves a literal version but never one inside a comment', () => {
    const after = content(
      bumpPomXml(text, { name: 'commons-io:commons-io', fromVersion: '2.6', toVersion: '2.7' }),
    );
    const changes = changedLines(text, after);
    expect(changes).toEqual([
      ['            <version>2.6</version>', '            <version>2.7</version>'],
    ]);
    expect(after).toContain(
      '<!--\n        <dependency>\n            <groupId>commons-io</groupId>\n            <artifactId>commons-io</artifactId>\n            <version>2.6</version>',
    );
  });

  it('follows dependencyManagement, and refuses versions the parent manages', () => {
    expect(
      changedLines(
        text,
        content(
          bumpPomXml(text, {
            name: 'com.fasterxml.jackson.core:jackson-databind',
            fromVersion: '2.13.2',
            toVersion: '2.13.4.2',
          }),
        ),
      ),
    ).toEqual([
      [
        '        <jackson-databind.version>2.13.2</jackson-databind.version>',
        '        <jackson-databind.version>2.13.4.2</jackson-databind.version>',
      ],
    ]);
    expect(
      bumpPomXml(text, { name: 'org.yaml:snakeyaml', fromVersion: '1.29', toVersion: '1.33' }),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported-manifest',
    });
    expect(
      bumpPomXml(text, { name: 'org.example:absent', fromVersion: '1', toVersion: '2' }),
    ).toMatchObject({
      ok: false,
      reason: 'dependency-not-found',
    });
  });
});

describe('Go: go.mod', () => {
  const text = fixture('go.mod');

  it('moves direct and indirect requirements in blocks and single lines', () => {
    expect(
      changedLines(
        text,
        content(
          bumpGoMod(text, {
            name: 'golang.org/x/net',
            fromVersion: 'v0.7.0',
            toVersion: 'v0.17.0',
          }),
        ),
      ),
    ).toEqual([['\tgolang.org/x/net v0.7.0', '\tgolang.org/x/net v0.17.0']]);
    const crypto = bumpGoMod(text, {
      name: 'golang.org/x/crypto',
      fromVersion: 'v0.0.0-20201216223049-8b5274cf687f',
      toVersion: 'v0.17.0',
    });
    expect(changedLines(text, content(crypto))).toEqual([
      [
        '\tgolang.org/x/crypto v0.0.0-20201216223049-8b5274cf687f // indirect',
        '\tgolang.org/x/crypto v0.17.0 // indirect',
      ],
    ]);
    expect(crypto.ok && crypto.notes[0]).toContain('go mod tidy');
    expect(
      changedLines(
        text,
        content(
          bumpGoMod(text, {
            name: 'gopkg.in/yaml.v3',
            fromVersion: 'v3.0.0-20210107192922-496545a6307b',
            toVersion: 'v3.0.1',
          }),
        ),
      ),
    ).toEqual([
      [
        'require gopkg.in/yaml.v3 v3.0.0-20210107192922-496545a6307b',
        'require gopkg.in/yaml.v3 v3.0.1',
      ],
    ]);
  });

  it('refuses a replaced module and a version that is not the one required', () => {
    expect(
      bumpGoMod(text, {
        name: 'github.com/example/internal-auth',
        fromVersion: 'v1.0.0',
        toVersion: 'v1.0.1',
      }),
    ).toMatchObject({ ok: false, reason: 'unsupported-manifest' });
    expect(
      bumpGoMod(text, { name: 'golang.org/x/net', fromVersion: 'v0.6.0', toVersion: 'v0.17.0' }),
    ).toMatchObject({
      ok: false,
      reason: 'dependency-not-found',
    });
  });
});

describe('Dockerfile base images', () => {
  const text = fixture('Dockerfile');

  it('moves a literal tag, keeping the stage name', () => {
    expect(
      changedLines(
        text,
        content(
          bumpDockerfile(text, {
            name: 'docker.io/library/nginx',
            fromVersion: '1.25.3-alpine',
            toVersion: '1.25.4-alpine',
          }),
        ),
      ),
    ).toEqual([['FROM nginx:1.25.3-alpine AS runtime', 'FROM nginx:1.25.4-alpine AS runtime']]);
  });

  it('moves the ARG defaults a templated tag is built from', () => {
    const after = content(
      bumpDockerfile(text, {
        name: 'node',
        fromVersion: '18.19.0-alpine3.19',
        toVersion: '18.20.1-alpine3.19',
      }),
    );
    expect(changedLines(text, after)).toEqual([
      ['ARG NODE_VERSION=18.19.0', 'ARG NODE_VERSION=18.20.1'],
    ]);
  });

  it('refuses a digest-pinned base image', () => {
    const pinned = `FROM python:3.11.4-slim@sha256:${'a'.repeat(64)}\n`;
    expect(
      bumpDockerfile(pinned, {
        name: 'python',
        fromVersion: '3.11.4-slim',
        toVersion: '3.11.6-slim',
      }),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported-manifest',
    });
  });
});

describe('planManifestEdits', () => {
  const files = new Map<string, string>([
    ['services/orders/requirements.txt', fixture('requirements.txt')],
    ['services/orders/pyproject.toml', fixture('pyproject-pep621.toml')],
    ['pom.xml', fixture('pom.xml')],
  ]);
  const read = (file: string): Promise<string | undefined> => Promise.resolve(files.get(file));

  it('finds the manifest beside the component path and falls through to the next one', async () => {
    const plan = await planManifestEdits({
      ecosystem: 'pypi',
      componentPath: 'services/orders/requirements.txt',
      bump: { name: 'PyYAML', fromVersion: '5.4.1', toVersion: '5.4.2' },
      lockfile: 'note',
      read,
    });
    expect(plan).toMatchObject({ ok: true, files: [{ path: 'services/orders/pyproject.toml' }] });
  });

  it('uses the root pom.xml for a jar found in an image, and names missing manifests', async () => {
    expect(
      await planManifestEdits({
        ecosystem: 'maven',
        componentPath: 'app/lib/log4j-core-2.14.1.jar',
        bump: {
          name: 'org.apache.logging.log4j:log4j-core',
          fromVersion: '2.14.1',
          toVersion: '2.17.1',
        },
        lockfile: 'note',
        read,
      }),
    ).toMatchObject({ ok: true, files: [{ path: 'pom.xml' }] });
    expect(
      await planManifestEdits({
        ecosystem: 'golang',
        componentPath: 'go.sum',
        bump: { name: 'x', fromVersion: 'v1.0.0', toVersion: 'v1.0.1' },
        lockfile: 'note',
        read,
      }),
    ).toMatchObject({ ok: false, reason: 'manifest-not-found' });
    expect(
      await planManifestEdits({
        ecosystem: 'cargo',
        componentPath: 'Cargo.lock',
        bump: { name: 'x', fromVersion: '1.0.0', toVersion: '1.0.1' },
        lockfile: 'note',
        read,
      }),
    ).toMatchObject({ ok: false, reason: 'unsupported-manifest' });
  });

  it('never leaves the repository through a component path', () => {
    expect(manifestDirectory('../../etc/passwd')).toBe('');
    expect(manifestDirectory('/etc/pom.xml')).toBe('');
    expect(manifestDirectory('web/node_modules/lodash/package.json')).toBe('web');
    expect(manifestDirectory('./services/api/package-lock.json')).toBe('services/api');
  });
});
