// Package identities of Dependency-Check's own forms; purls are read by core/purl.ts.
import { percentDecoded } from '../../core/normalize';

export interface PackageCoordinates {
  /** purl type when known (`maven`, `npm`); CPE-only identities have none. */
  type?: string;
  namespace?: string;
  name: string;
  version?: string;
}

const CPE_ESCAPE = /\\(.)/g;
// CPE 2.3 escapes a literal colon as `\:`.
const CPE_SEPARATOR = /(?<!\\):/;

function cpeValue(part: string | undefined): string | undefined {
  if (part === undefined || part === '' || part === '*' || part === '-') return undefined;
  return percentDecoded(part.replace(CPE_ESCAPE, '$1'));
}

/**
 * The product and version of a CPE, 2.3 (`cpe:2.3:a:apache:log4j:2.12.4:*:…`) or 2.2
 * (`cpe:/a:apache:log4j:2.12.4`, optionally in parentheses as schema 1.x writes it).
 */
export function parseCpe(cpe: string): PackageCoordinates | undefined {
  let text = cpe.trim();
  if (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1);
  let parts: string[];
  if (text.startsWith('cpe:2.3:')) parts = text.slice(8).split(CPE_SEPARATOR);
  else if (text.startsWith('cpe:/')) parts = text.slice(5).split(':');
  else return undefined;
  const vendor = cpeValue(parts[1]);
  const product = cpeValue(parts[2]);
  if (product === undefined) return undefined;
  return { namespace: vendor, name: product, version: cpeValue(parts[3]) };
}

/** Schema 1.x `<identifier type="maven"><name>group:artifact:version</name>`. */
export function parseMavenCoordinates(coordinates: string): PackageCoordinates | undefined {
  const parts = coordinates.trim().split(':');
  if (parts.length < 2 || parts.some((part) => part === '')) return undefined;
  return { type: 'maven', namespace: parts[0], name: parts[1]!, version: parts[2] };
}
