// Package URLs (https://github.com/package-url/purl-spec): the package identity every
// dependency finding is keyed by, whichever scanner reported it.
import { lookup, percentDecoded } from './normalize';

export interface ParsedPurl {
  /** Lower-case purl type: `npm`, `maven`, `deb`. */
  type: string;
  namespace: string | undefined;
  name: string;
  version: string | undefined;
}

/** Splits `pkg:type/namespace/name@version?qualifiers#subpath`; `undefined` if it is not one. */
export function parsePurl(purl: string): ParsedPurl | undefined {
  if (!purl.startsWith('pkg:')) return undefined;
  let rest = purl.slice(4);
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  if (question !== -1) rest = rest.slice(0, question);
  // The spec tolerates `pkg://type/...`.
  while (rest.startsWith('/')) rest = rest.slice(1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  let path = rest.slice(slash + 1);
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at > 0 && at > path.lastIndexOf('/')) {
    version = percentDecoded(path.slice(at + 1)) || undefined;
    path = path.slice(0, at);
  }
  const lastSlash = path.lastIndexOf('/');
  const name = percentDecoded(path.slice(lastSlash + 1));
  if (name === '') return undefined;
  const namespace =
    lastSlash === -1
      ? undefined
      : path.slice(0, lastSlash).split('/').map(percentDecoded).join('/');
  return { type, namespace: namespace || undefined, name, version };
}

/**
 * The package name people use in that ecosystem: `group:artifact` for Maven, `@scope/name` for
 * npm, `namespace/name` elsewhere.
 */
export function purlDisplayName(purl: ParsedPurl): string {
  if (purl.namespace === undefined) return purl.name;
  return purl.type === 'maven'
    ? `${purl.namespace}:${purl.name}`
    : `${purl.namespace}/${purl.name}`;
}

/** `pkg:npm/%40scope/name@1.2.3?x=y#sub` → `pkg:npm/%40scope/name` (identity without version). */
export function purlWithoutVersion(purl: string): string {
  let end = purl.length;
  const hash = purl.indexOf('#');
  if (hash !== -1) end = hash;
  const question = purl.indexOf('?');
  if (question !== -1 && question < end) end = question;
  // The version's `@` follows the name, after the last `/`: an `@` before it is an npm scope.
  const at = purl.lastIndexOf('@', end - 1);
  const lastSlash = purl.lastIndexOf('/', end - 1);
  if (at > lastSlash && lastSlash !== -1 && at < end) end = at;
  return end === purl.length ? purl : purl.slice(0, end);
}

const PURL_TYPE = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\//;

/** The ecosystem (purl type) of a purl, e.g. `npm`, `maven`, `pypi`. */
export function purlType(purl: string): string | undefined {
  const match = PURL_TYPE.exec(purl);
  return match ? match[1]!.toLowerCase() : undefined;
}

function encodePart(part: string): string {
  return encodeURIComponent(part).replace(/%3A/gi, ':');
}

/** Builds a purl from parts, percent-encoding what the purl spec requires. */
export function buildPurl(
  type: string,
  name: string,
  version?: string,
  namespace?: string,
): string {
  const ns = namespace ? `${namespace.split('/').map(encodePart).join('/')}/` : '';
  return `pkg:${type.toLowerCase()}/${ns}${encodePart(name)}${version ? `@${encodePart(version)}` : ''}`;
}

/** Purl types whose package names carry the namespace after a separator. */
const NAMESPACE_SEPARATOR: Record<string, string> = {
  maven: ':',
  npm: '/',
  golang: '/',
  composer: '/',
  github: '/',
  swift: '/',
};
const UNDERSCORES = /_/g;

/**
 * A purl from an ecosystem's own spelling of a name: `org.group:artifact` (maven), `@scope/pkg`
 * (npm), `github.com/org/mod` (golang). `namespace` is for distros (deb/debian, apk/alpine).
 */
export function purlFromName(
  type: string,
  name: string,
  version: string | undefined,
  namespace?: string,
): string {
  // The purl spec spells PyPI names lower-case with dashes (`Django_Extensions` → `django-extensions`).
  let packageName = type === 'pypi' ? name.toLowerCase().replace(UNDERSCORES, '-') : name;
  let packageNamespace = namespace;
  const separator = lookup(NAMESPACE_SEPARATOR, type);
  if (packageNamespace === undefined && separator !== undefined) {
    const cut = packageName.lastIndexOf(separator);
    if (cut > 0 && cut < packageName.length - 1) {
      packageNamespace = packageName.slice(0, cut);
      packageName = packageName.slice(cut + 1);
    }
  }
  return buildPurl(type, packageName, version, packageNamespace);
}

/** Package identity for dependency fingerprints: purl without version, else ecosystem/name. */
export function packageIdentity(component: {
  purl?: string;
  ecosystem?: string;
  name: string;
}): string {
  if (component.purl) return purlWithoutVersion(component.purl);
  return `${component.ecosystem ?? 'generic'}/${component.name}`;
}
