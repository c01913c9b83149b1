import { apkScheme, debianScheme, rpmScheme } from './distro';
import { mavenScheme } from './maven';
import { ociTagScheme } from './oci-tag';
import { pep440Scheme } from './pep440';
import { rubygemsScheme } from './rubygems';
import { goScheme, semverScheme } from './semver';
import type { VersionScheme } from './version';

/** The ecosystems hum can patch or plan for, by their purl type. */
export const ECOSYSTEMS = [
  'npm',
  'pypi',
  'maven',
  'golang',
  'cargo',
  'nuget',
  'composer',
  'gem',
  'hex',
  'pub',
  'swift',
  'deb',
  'rpm',
  'apk',
  'oci',
] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

// Scanners spell ecosystems their own way (Trivy `jar`, OSV `PyPI`, `crates.io`, Grype
// `java-archive`...). Anything not listed has no known version order and is never patched.
const ALIASES: Readonly<Record<string, Ecosystem>> = {
  npm: 'npm',
  node: 'npm',
  'node-pkg': 'npm',
  nodejs: 'npm',
  javascript: 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  pypi: 'pypi',
  pip: 'pypi',
  python: 'pypi',
  'python-pkg': 'pypi',
  poetry: 'pypi',
  pipenv: 'pypi',
  maven: 'maven',
  jar: 'maven',
  pom: 'maven',
  gradle: 'maven',
  java: 'maven',
  'java-archive': 'maven',
  golang: 'golang',
  go: 'golang',
  gomod: 'golang',
  gobinary: 'golang',
  'go-module': 'golang',
  cargo: 'cargo',
  'crates.io': 'cargo',
  rust: 'cargo',
  'rust-crate': 'cargo',
  nuget: 'nuget',
  dotnet: 'nuget',
  'dotnet-core': 'nuget',
  composer: 'composer',
  packagist: 'composer',
  php: 'composer',
  'php-composer': 'composer',
  gem: 'gem',
  gems: 'gem',
  rubygems: 'gem',
  bundler: 'gem',
  ruby: 'gem',
  gemspec: 'gem',
  hex: 'hex',
  pub: 'pub',
  swift: 'swift',
  deb: 'deb',
  dpkg: 'deb',
  debian: 'deb',
  ubuntu: 'deb',
  rpm: 'rpm',
  redhat: 'rpm',
  rhel: 'rpm',
  centos: 'rpm',
  fedora: 'rpm',
  amazon: 'rpm',
  amzn: 'rpm',
  oracle: 'rpm',
  rocky: 'rpm',
  alma: 'rpm',
  suse: 'rpm',
  opensuse: 'rpm',
  'cbl-mariner': 'rpm',
  apk: 'apk',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  oci: 'oci',
  docker: 'oci',
  'container-image': 'oci',
};

const SCHEMES: Readonly<Record<Ecosystem, VersionScheme>> = {
  npm: semverScheme,
  pypi: pep440Scheme,
  maven: mavenScheme,
  golang: goScheme,
  cargo: semverScheme,
  nuget: semverScheme,
  composer: semverScheme,
  gem: rubygemsScheme,
  hex: semverScheme,
  pub: semverScheme,
  swift: semverScheme,
  deb: debianScheme,
  rpm: rpmScheme,
  apk: apkScheme,
  oci: ociTagScheme,
};

/** The ecosystem of a component: its own `ecosystem`, else its purl's type; undefined if unknown. */
export function ecosystemOf(component: {
  ecosystem?: string | undefined;
  purl?: string | undefined;
}): Ecosystem | undefined {
  const named = component.ecosystem?.trim().toLowerCase();
  if (named !== undefined && named !== '') return alias(named);
  const purlType = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\//.exec(component.purl ?? '')?.[1];
  return purlType === undefined ? undefined : alias(purlType.toLowerCase());
}

// Own keys only: a scanner-supplied `__proto__` must not reach Object.prototype.
function alias(name: string): Ecosystem | undefined {
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
}

export function versionSchemeOf(ecosystem: Ecosystem): VersionScheme {
  return SCHEMES[ecosystem];
}
