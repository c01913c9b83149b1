import { isJsonObject, type JsonObject, text } from '../../core/json-value';
import { percentDecoded } from '../../core/normalize';
// Versions a CycloneDX vulnerability names as fixing: bounds of `vers:` ranges, the fixed-version
// property some producers add, and the "Upgrade <pkg> to version …" recommendation Snyk and
// Trivy generate from their fixed-version fields. Nothing is inferred beyond those.

const FIXED_VERSION_PROPERTIES = new Set(['grype:fixed_versions']);
const LIST_SPLIT_RE = /\s*,\s*|\s+or\s+|\s+and\s+/;
const RECOMMENDATION_RE =
  /^Upgrade\s+\S+\s+to\s+versions?\s+(.+?)(?:\s+or\s+(?:higher|later|above|newer))?\.?\s*$/i;
const VERSION_TOKEN_RE = /^v?\d[\w.+:~-]*$/;

export function fixedVersions(vulnerability: JsonObject, affectedVersions: unknown): string[] {
  const out: string[] = [];
  collectRangeBounds(out, affectedVersions);
  collectProperties(out, vulnerability['properties']);
  collectRecommendation(out, text(vulnerability['recommendation']));
  return out;
}

/**
 * `vers:semver/2.7.0|<2.8.11.1` with status `affected`: `<X` is the first unaffected release of
 * that line; with status `unaffected`, `>=X` is.
 */
function collectRangeBounds(out: string[], versions: unknown): void {
  if (!Array.isArray(versions)) return;
  for (const entry of versions) {
    if (!isJsonObject(entry)) continue;
    const range = text(entry['range']);
    if (range === undefined || !range.startsWith('vers:')) continue;
    const status = text(entry['status']) ?? 'affected';
    const constraints = range.slice(range.indexOf('/') + 1).split('|');
    for (const raw of constraints) {
      const constraint = raw.trim();
      if (status === 'affected' && constraint.startsWith('<') && !constraint.startsWith('<=')) {
        pushVersion(out, constraint.slice(1));
      } else if (status === 'unaffected' && constraint.startsWith('>=')) {
        pushVersion(out, constraint.slice(2));
      }
    }
  }
}

function collectProperties(out: string[], properties: unknown): void {
  if (!Array.isArray(properties)) return;
  for (const property of properties) {
    if (!isJsonObject(property) || !FIXED_VERSION_PROPERTIES.has(text(property['name']) ?? ''))
      continue;
    for (const version of (text(property['value']) ?? '').split(LIST_SPLIT_RE)) {
      pushVersion(out, version);
    }
  }
}

function collectRecommendation(out: string[], recommendation: string | undefined): void {
  if (recommendation === undefined) return;
  const match = RECOMMENDATION_RE.exec(recommendation);
  if (!match) return;
  const versions = match[1]!.split(LIST_SPLIT_RE);
  // Prose that merely starts like a recommendation ("to version 2 of the API") is not a list.
  if (!versions.every((version) => VERSION_TOKEN_RE.test(version.trim()))) return;
  for (const version of versions) pushVersion(out, version);
}

function pushVersion(out: string[], raw: string): void {
  // vers percent-encodes `|`, `%`, `<` and the like inside versions.
  const version = percentDecoded(raw.trim());
  if (version !== '' && VERSION_TOKEN_RE.test(version) && !out.includes(version)) out.push(version);
}
