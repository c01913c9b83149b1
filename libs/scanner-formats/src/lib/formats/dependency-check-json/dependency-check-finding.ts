import type { Component, CvssVector, ToolRef } from '@hum/contracts';
import {
  extractCves,
  extractGhsas,
  httpUrls,
  normalizeCwes,
  parseCvssVector,
  severityFromScore,
  severityFromWord,
  truncate,
  vulnerabilityRef,
} from '../../core/normalize';
import { buildPurl, packageIdentity, parsePurl } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';
import { parseCpe, parseMavenCoordinates, type PackageCoordinates } from './package-identifiers';

// One model for both Dependency-Check report forms: the JSON parser validates into it, the
// XML parser builds it from elements, and one mapper turns it into findings.

export interface DcCvssV2 {
  score?: number;
  accessVector?: string;
  accessComplexity?: string;
  authentication?: string;
  confidentialityImpact?: string;
  integrityImpact?: string;
  availabilityImpact?: string;
  severity?: string;
}

export interface DcCvssV3 {
  baseScore?: number;
  attackVector?: string;
  attackComplexity?: string;
  privilegesRequired?: string;
  userInteraction?: string;
  scope?: string;
  confidentialityImpact?: string;
  integrityImpact?: string;
  availabilityImpact?: string;
  baseSeverity?: string;
  version?: string;
}

export interface DcCvssV4 {
  vectorString?: string;
  baseScore?: number;
  baseSeverity?: string;
  source?: string;
}

export interface DcVulnerableSoftware {
  cpe: string;
  /** The entry Dependency-Check matched the dependency against. */
  matched: boolean;
  versionEndExcluding?: string;
}

export interface DcVulnerability {
  source?: string;
  name: string;
  severity?: string;
  cvssV2?: DcCvssV2;
  cvssV3?: DcCvssV3;
  cvssV4?: DcCvssV4;
  cwes: string[];
  description?: string;
  notes?: string;
  references: { url?: string; name?: string }[];
  vulnerableSoftware: DcVulnerableSoftware[];
  knownExploited: boolean;
}

export interface DcDependency {
  fileName?: string;
  filePath?: string;
  /** Package URLs (`packages[].id`, `<identifiers><package><id>`). */
  packageIds: string[];
  /** CPEs the dependency was matched as (`vulnerabilityIds`). */
  cpes: string[];
  /** Schema 1.x identifiers: `<identifier type="maven"><name>g:a:v</name>`. */
  legacyIdentifiers: { type?: string; name?: string }[];
}

// NVD's metric words → CVSS vector letters.
const V2_ACCESS_VECTOR = new Map([
  ['NETWORK', 'N'],
  ['ADJACENT_NETWORK', 'A'],
  ['LOCAL', 'L'],
]);
const V2_ACCESS_COMPLEXITY = new Map([
  ['LOW', 'L'],
  ['MEDIUM', 'M'],
  ['HIGH', 'H'],
]);
const V2_AUTHENTICATION = new Map([
  ['NONE', 'N'],
  ['SINGLE', 'S'],
  ['SINGLE_INSTANCE', 'S'],
  ['MULTIPLE', 'M'],
  ['MULTIPLE_INSTANCES', 'M'],
]);
const V2_IMPACT = new Map([
  ['NONE', 'N'],
  ['PARTIAL', 'P'],
  ['COMPLETE', 'C'],
]);
const V3_ATTACK_VECTOR = new Map([
  ['NETWORK', 'N'],
  ['ADJACENT_NETWORK', 'A'],
  ['ADJACENT', 'A'],
  ['LOCAL', 'L'],
  ['PHYSICAL', 'P'],
]);
const V3_LOW_HIGH = new Map([
  ['LOW', 'L'],
  ['HIGH', 'H'],
]);
const V3_NONE_LOW_HIGH = new Map([
  ['NONE', 'N'],
  ['LOW', 'L'],
  ['HIGH', 'H'],
]);
const V3_USER_INTERACTION = new Map([
  ['NONE', 'N'],
  ['REQUIRED', 'R'],
]);
const V3_SCOPE = new Map([
  ['UNCHANGED', 'U'],
  ['CHANGED', 'C'],
]);
const HAS_WHITESPACE = /\s/;
const NUMERIC = /^\d+(?:\.\d+)?$/;

function letter(map: ReadonlyMap<string, string>, word: string | undefined): string | undefined {
  return word === undefined ? undefined : map.get(word.trim().toUpperCase());
}

function vectorFromParts(
  prefix: string,
  parts: [string, string | undefined][],
): string | undefined {
  const out: string[] = prefix ? [prefix] : [];
  for (const [metric, value] of parts) {
    if (value === undefined) return undefined;
    out.push(`${metric}:${value}`);
  }
  return out.join('/');
}

function cvssV2Vector(cvss: DcCvssV2): string | undefined {
  return vectorFromParts('', [
    ['AV', letter(V2_ACCESS_VECTOR, cvss.accessVector)],
    ['AC', letter(V2_ACCESS_COMPLEXITY, cvss.accessComplexity)],
    ['Au', letter(V2_AUTHENTICATION, cvss.authentication)],
    ['C', letter(V2_IMPACT, cvss.confidentialityImpact)],
    ['I', letter(V2_IMPACT, cvss.integrityImpact)],
    ['A', letter(V2_IMPACT, cvss.availabilityImpact)],
  ]);
}

function cvssV3Vector(cvss: DcCvssV3): string | undefined {
  // Reports before Dependency-Check 6 omit the minor version; 3.0 and 3.1 share base metrics.
  const version = cvss.version?.replace('CVSS:', '').trim() === '3.0' ? '3.0' : '3.1';
  return vectorFromParts(`CVSS:${version}`, [
    ['AV', letter(V3_ATTACK_VECTOR, cvss.attackVector)],
    ['AC', letter(V3_LOW_HIGH, cvss.attackComplexity)],
    ['PR', letter(V3_NONE_LOW_HIGH, cvss.privilegesRequired)],
    ['UI', letter(V3_USER_INTERACTION, cvss.userInteraction)],
    ['S', letter(V3_SCOPE, cvss.scope)],
    ['C', letter(V3_NONE_LOW_HIGH, cvss.confidentialityImpact)],
    ['I', letter(V3_NONE_LOW_HIGH, cvss.integrityImpact)],
    ['A', letter(V3_NONE_LOW_HIGH, cvss.availabilityImpact)],
  ]);
}

function cvssOf(vulnerability: DcVulnerability): CvssVector[] {
  const out: CvssVector[] = [];
  const source = vulnerability.source;
  const { cvssV2, cvssV3, cvssV4 } = vulnerability;
  if (cvssV4) {
    const vector = parseCvssVector(cvssV4.vectorString, {
      reportedScore: cvssV4.baseScore,
      source: cvssV4.source ?? source,
    });
    if (vector) out.push(vector);
  }
  if (cvssV3) {
    const vector = parseCvssVector(cvssV3Vector(cvssV3), {
      reportedScore: cvssV3.baseScore,
      source,
    });
    if (vector) out.push(vector);
  }
  if (cvssV2) {
    const vector = parseCvssVector(cvssV2Vector(cvssV2), { reportedScore: cvssV2.score, source });
    if (vector) out.push(vector);
  }
  return out;
}

function severityOf(vulnerability: DcVulnerability): ParsedFinding['severity'] {
  const { cvssV2, cvssV3, cvssV4 } = vulnerability;
  const reported =
    vulnerability.severity ?? cvssV4?.baseSeverity ?? cvssV3?.baseSeverity ?? cvssV2?.severity;
  let normalized = severityFromWord(reported);
  // Unscored advisories (npm, OSS Index) carry their score as the severity text.
  if (normalized === 'unknown' && reported !== undefined && NUMERIC.test(reported.trim())) {
    normalized = severityFromScore(Number(reported));
  }
  if (normalized === 'unknown') {
    normalized = severityFromScore(cvssV4?.baseScore ?? cvssV3?.baseScore ?? cvssV2?.score);
  }
  return reported === undefined
    ? { normalized }
    : { reported: truncate(reported, 100), normalized };
}

function coordinatesOf(
  dependency: DcDependency,
): { coordinates: PackageCoordinates; purl?: string } | undefined {
  for (const id of dependency.packageIds) {
    const coordinates = parsePurl(id);
    if (coordinates) return { coordinates, purl: id };
  }
  for (const identifier of dependency.legacyIdentifiers) {
    const type = identifier.type?.toLowerCase();
    const coordinates =
      type === 'maven' && identifier.name
        ? parseMavenCoordinates(identifier.name)
        : type === 'cpe' && identifier.name
          ? parseCpe(identifier.name)
          : undefined;
    if (coordinates) return { coordinates };
  }
  for (const cpe of dependency.cpes) {
    const coordinates = parseCpe(cpe);
    if (coordinates) return { coordinates };
  }
  return undefined;
}

function displayName(coordinates: PackageCoordinates): string {
  if (!coordinates.namespace || coordinates.type === undefined) return coordinates.name;
  return coordinates.type === 'maven'
    ? `${coordinates.namespace}:${coordinates.name}`
    : `${coordinates.namespace}/${coordinates.name}`;
}

function fixedVersionsOf(vulnerability: DcVulnerability): string[] {
  const fixed = new Set<string>();
  for (const software of vulnerability.vulnerableSoftware) {
    const version = software.versionEndExcluding?.trim();
    if (software.matched && version) fixed.add(truncate(version, 200)!);
  }
  return [...fixed];
}

function componentOf(dependency: DcDependency, vulnerability: DcVulnerability): Component {
  const found = coordinatesOf(dependency);
  const component: Component = {
    name: truncate(
      found
        ? displayName(found.coordinates)
        : (dependency.fileName ?? dependency.filePath ?? 'unknown'),
      500,
    )!,
    fixedVersions: fixedVersionsOf(vulnerability),
  };
  const coordinates = found?.coordinates;
  if (coordinates?.version) component.version = truncate(coordinates.version, 200);
  if (coordinates?.type) {
    component.ecosystem = coordinates.type;
    const purl =
      found?.purl ??
      buildPurl(coordinates.type, coordinates.name, coordinates.version, coordinates.namespace);
    if (purl.length <= 1000) component.purl = purl;
  }
  if (dependency.filePath) component.path = truncate(dependency.filePath, 2000);
  return component;
}

function advisoryOf(vulnerability: DcVulnerability): ParsedFinding['vulnerability'] {
  const name = vulnerability.name.trim();
  // RetireJS names an advisory by its summary sentence: only id-like names are ids.
  const idLike = name.length <= 100 && !HAS_WHITESPACE.test(name) ? [name] : [];
  return vulnerabilityRef([...idLike, ...extractCves(name), ...extractGhsas(name)]);
}

function referencesOf(vulnerability: DcVulnerability): string[] {
  const urls: string[] = [];
  for (const reference of vulnerability.references) {
    if (reference.url) urls.push(reference.url);
    // Dependency-Check often repeats the URL as the name; other names are prose, and
    // checking prose with the URL parser costs an exception each.
    if (reference.name?.startsWith('http')) urls.push(reference.name);
  }
  return httpUrls(urls);
}

function describe(vulnerability: DcVulnerability): string | undefined {
  const parts = [
    vulnerability.description?.trim(),
    vulnerability.notes?.trim() && `Notes: ${vulnerability.notes.trim()}`,
  ];
  return truncate(parts.filter(Boolean).join('\n\n'), 32_000);
}

/** One finding per vulnerability of a dependency. */
export function mapDependencyCheckFinding(
  dependency: DcDependency,
  vulnerability: DcVulnerability,
  tool: ToolRef,
): ParsedFinding {
  const component = componentOf(dependency, vulnerability);
  const advisory = advisoryOf(vulnerability);
  const label = component.version ? `${component.name}:${component.version}` : component.name;
  const tags: string[] = [];
  if (vulnerability.source)
    tags.push(truncate(`source:${vulnerability.source.toLowerCase()}`, 100)!);
  if (vulnerability.knownExploited) tags.push('cisa-kev');
  const finding: ParsedFinding = {
    kind: 'vulnerability',
    title: truncate(`${label} | ${vulnerability.name.trim()}`, 1000)!,
    description: describe(vulnerability),
    severity: severityOf(vulnerability),
    cvss: cvssOf(vulnerability),
    cwes: normalizeCwes(vulnerability.cwes),
    component,
    location: component.path ? { path: component.path } : undefined,
    references: referencesOf(vulnerability),
    tags,
    tool,
    fingerprintBasis: {
      kind: 'dependency',
      vulnerabilityId: advisory?.id ?? vulnerability.name.trim(),
      packageId: packageIdentity(component),
    },
  };
  if (advisory) finding.vulnerability = advisory;
  return finding;
}
