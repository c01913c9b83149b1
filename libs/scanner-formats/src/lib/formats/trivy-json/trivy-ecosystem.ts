import { buildPurl } from '../../core/purl';

interface PurlShape {
  /** purl type, e.g. `npm`, `deb`. */
  type: string;
  /** Fixed namespace (the distribution for OS packages), if the type needs one. */
  namespace?: string;
  /** How a package name carries its namespace: `group:artifact` (Maven), `a/b/c` (Go, npm scopes). */
  split?: ':' | '/';
}

/**
 * Trivy's result `Type` (the package manager or OS family it scanned) as a purl type. Trivy
 * names: https://aquasecurity.github.io/trivy/latest/docs/coverage/ ; purl types:
 * https://github.com/package-url/purl-spec/blob/master/PURL-TYPES.rst
 */
const TYPES: Record<string, PurlShape> = {
  alpine: { type: 'apk', namespace: 'alpine' },
  wolfi: { type: 'apk', namespace: 'wolfi' },
  chainguard: { type: 'apk', namespace: 'chainguard' },
  debian: { type: 'deb', namespace: 'debian' },
  ubuntu: { type: 'deb', namespace: 'ubuntu' },
  redhat: { type: 'rpm', namespace: 'redhat' },
  centos: { type: 'rpm', namespace: 'centos' },
  rocky: { type: 'rpm', namespace: 'rocky' },
  alma: { type: 'rpm', namespace: 'alma' },
  amazon: { type: 'rpm', namespace: 'amazon' },
  oracle: { type: 'rpm', namespace: 'oracle' },
  fedora: { type: 'rpm', namespace: 'fedora' },
  photon: { type: 'rpm', namespace: 'photon' },
  suse: { type: 'rpm', namespace: 'suse' },
  'opensuse.leap': { type: 'rpm', namespace: 'opensuse' },
  'opensuse.tumbleweed': { type: 'rpm', namespace: 'opensuse' },
  sles: { type: 'rpm', namespace: 'suse' },
  'cbl-mariner': { type: 'rpm', namespace: 'cbl-mariner' },
  azurelinux: { type: 'rpm', namespace: 'azurelinux' },
  npm: { type: 'npm', split: '/' },
  yarn: { type: 'npm', split: '/' },
  pnpm: { type: 'npm', split: '/' },
  bun: { type: 'npm', split: '/' },
  'node-pkg': { type: 'npm', split: '/' },
  pip: { type: 'pypi' },
  pipenv: { type: 'pypi' },
  poetry: { type: 'pypi' },
  uv: { type: 'pypi' },
  'python-pkg': { type: 'pypi' },
  jar: { type: 'maven', split: ':' },
  pom: { type: 'maven', split: ':' },
  gradle: { type: 'maven', split: ':' },
  sbt: { type: 'maven', split: ':' },
  gomod: { type: 'golang', split: '/' },
  gobinary: { type: 'golang', split: '/' },
  cargo: { type: 'cargo' },
  'rust-binary': { type: 'cargo' },
  composer: { type: 'composer', split: '/' },
  'composer-vendor': { type: 'composer', split: '/' },
  bundler: { type: 'gem' },
  gemspec: { type: 'gem' },
  rubygems: { type: 'gem' },
  nuget: { type: 'nuget' },
  'dotnet-core': { type: 'nuget' },
  'packages-props': { type: 'nuget' },
  conan: { type: 'conan' },
  cocoapods: { type: 'cocoapods' },
  swift: { type: 'swift', split: '/' },
  pub: { type: 'pub' },
  hex: { type: 'hex' },
  'conda-pkg': { type: 'conda' },
  'conda-environment': { type: 'conda' },
  julia: { type: 'julia' },
};

/** The purl type for a Trivy result type, e.g. `alpine` → `apk`. */
export function trivyEcosystem(resultType: string | undefined): string | undefined {
  return resultType === undefined ? undefined : TYPES[resultType.toLowerCase()]?.type;
}

/**
 * A purl for a package Trivy named without one (reports before Trivy 0.38 have no
 * `PkgIdentifier`). Only built when the result type maps to a purl type; a Maven name without
 * `group:` cannot be a correct purl and gets none.
 */
export function trivyPurl(
  resultType: string | undefined,
  name: string,
  version: string | undefined,
): string | undefined {
  if (resultType === undefined) return undefined;
  const shape = TYPES[resultType.toLowerCase()];
  if (shape === undefined) return undefined;
  if (shape.namespace !== undefined) return buildPurl(shape.type, name, version, shape.namespace);
  if (shape.split === ':') {
    const colon = name.lastIndexOf(':');
    if (colon <= 0) return undefined;
    return buildPurl(shape.type, name.slice(colon + 1), version, name.slice(0, colon));
  }
  if (shape.split === '/') {
    const slash = name.lastIndexOf('/');
    if (slash > 0)
      return buildPurl(shape.type, name.slice(slash + 1), version, name.slice(0, slash));
  }
  // The purl spec normalises PyPI names (lowercase, `_` as `-`): `Django_Foo` is `django-foo`.
  const purlName = shape.type === 'pypi' ? name.toLowerCase().replace(/_/g, '-') : name;
  return buildPurl(shape.type, purlName, version);
}
