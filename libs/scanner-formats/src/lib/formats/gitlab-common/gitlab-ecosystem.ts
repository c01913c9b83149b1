import { buildPurl } from '../../core/purl';

/** GitLab `dependency_files[].package_manager` → purl type. */
const PACKAGE_MANAGER_TYPES: ReadonlyMap<string, string> = new Map([
  ['bundler', 'gem'],
  ['composer', 'composer'],
  ['conan', 'conan'],
  ['go', 'golang'],
  ['gradle', 'maven'],
  ['maven', 'maven'],
  ['sbt', 'maven'],
  ['npm', 'npm'],
  ['yarn', 'npm'],
  ['pnpm', 'npm'],
  ['nuget', 'nuget'],
  ['pip', 'pypi'],
  ['pipenv', 'pypi'],
  ['poetry', 'pypi'],
  ['setuptools', 'pypi'],
  ['cargo', 'cargo'],
]);

/** Dependency file name (the last path segment) → purl type, for reports without dependency_files. */
const DEPENDENCY_FILE_TYPES: ReadonlyMap<string, string> = new Map([
  ['go.sum', 'golang'],
  ['go.mod', 'golang'],
  ['gemfile.lock', 'gem'],
  ['gems.locked', 'gem'],
  ['composer.lock', 'composer'],
  ['conan.lock', 'conan'],
  ['pom.xml', 'maven'],
  ['build.gradle', 'maven'],
  ['build.gradle.kts', 'maven'],
  ['gradle.lockfile', 'maven'],
  ['build.sbt', 'maven'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
  ['yarn.lock', 'npm'],
  ['pnpm-lock.yaml', 'npm'],
  ['packages.lock.json', 'nuget'],
  ['requirements.txt', 'pypi'],
  ['requirements.pip', 'pypi'],
  ['pipfile.lock', 'pypi'],
  ['poetry.lock', 'pypi'],
  ['setup.py', 'pypi'],
  ['cargo.lock', 'cargo'],
]);

/** First word of `location.operating_system` (`debian:9.4`, `alpine 3.12`) → purl type. */
const OS_PACKAGE_TYPES: ReadonlyMap<string, string> = new Map([
  ['debian', 'deb'],
  ['ubuntu', 'deb'],
  ['alpine', 'apk'],
  ['wolfi', 'apk'],
  ['chainguard', 'apk'],
  ['centos', 'rpm'],
  ['rhel', 'rpm'],
  ['redhat', 'rpm'],
  ['fedora', 'rpm'],
  ['amazon', 'rpm'],
  ['amzn', 'rpm'],
  ['oracle', 'rpm'],
  ['ol', 'rpm'],
  ['rocky', 'rpm'],
  ['alma', 'rpm'],
  ['almalinux', 'rpm'],
  ['photon', 'rpm'],
  ['mariner', 'rpm'],
  ['cbl-mariner', 'rpm'],
  ['suse', 'rpm'],
  ['sles', 'rpm'],
  ['opensuse', 'rpm'],
  ['opensuse-leap', 'rpm'],
]);

export function packageTypeForManager(
  packageManager: string | null | undefined,
): string | undefined {
  return packageManager ? PACKAGE_MANAGER_TYPES.get(packageManager.toLowerCase()) : undefined;
}

export function packageTypeForFile(path: string | null | undefined): string | undefined {
  if (!path) return undefined;
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return DEPENDENCY_FILE_TYPES.get(path.slice(slash + 1).toLowerCase());
}

export interface OsPackageType {
  type: string;
  /** The distribution, used as the purl namespace (`pkg:deb/debian/apt@1.4.8`). */
  distro: string;
}

export function packageTypeForOs(
  operatingSystem: string | null | undefined,
): OsPackageType | undefined {
  if (!operatingSystem) return undefined;
  const trimmed = operatingSystem.trim().toLowerCase();
  let end = 0;
  while (end < trimmed.length && trimmed[end] !== ' ' && trimmed[end] !== ':') end += 1;
  const distro = trimmed.slice(0, end);
  const type = OS_PACKAGE_TYPES.get(distro);
  return type ? { type, distro } : undefined;
}

/**
 * A purl from a GitLab package name: the part before the last `/` (or `:` for Maven) is the
 * namespace, as in `golang.org/x/crypto`, `@babel/core`, `org.apache.logging.log4j/log4j-core`.
 */
export function gitlabPurl(
  type: string,
  name: string,
  version: string | undefined,
  namespace?: string,
): string {
  if (namespace !== undefined) return buildPurl(type, name, version, namespace);
  const separator =
    type === 'maven' && !name.includes('/') ? name.lastIndexOf(':') : name.lastIndexOf('/');
  const packageName = type === 'pypi' ? name.toLowerCase().replace(/_/g, '-') : name;
  if (separator <= 0) return buildPurl(type, packageName, version);
  return buildPurl(
    type,
    packageName.slice(separator + 1),
    version,
    packageName.slice(0, separator),
  );
}
