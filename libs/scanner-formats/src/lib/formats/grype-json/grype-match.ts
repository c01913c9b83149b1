import type { CvssVector, ToolRef } from '@hum/contracts';
import {
  addCvss,
  dependencyBasis,
  dependencyTitle,
  description,
  limitTags,
  makeComponent,
  ruleFor,
  severityOfWord,
  tag,
  vulnerabilityFor,
} from '../../core/dependency-finding';
import { pointerTo } from '../../core/json-pointer';
import {
  expectObject,
  finiteNumber,
  isJsonObject,
  type JsonObject,
  optionalArray,
  requiredText,
  text,
  textList,
} from '../../core/json-value';
import { httpUrls, lookup, parseCvssVector, truncate } from '../../core/normalize';
import { purlFromName, purlType } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';

const FORMAT = 'grype-json';

/** What a match needs from the rest of the document. */
export interface GrypeContext {
  tool: ToolRef;
  /** `distro.name` of the scanned image: the namespace of deb/rpm/apk purls built here. */
  distroName: string | undefined;
}

/** Grype artifact types → purl types, for the rare artifact without a purl. */
const PURL_TYPES: Record<string, string> = {
  npm: 'npm',
  python: 'pypi',
  gem: 'gem',
  'go-module': 'golang',
  'rust-crate': 'cargo',
  dotnet: 'nuget',
  'php-composer': 'composer',
  hex: 'hex',
  'dart-pub': 'pub',
  conan: 'conan',
  cocoapods: 'cocoapods',
  hackage: 'hackage',
  swift: 'swift',
  deb: 'deb',
  rpm: 'rpm',
  apk: 'apk',
};
const DISTRO_TYPES = new Set(['deb', 'rpm', 'apk']);

/** States in which Grype's `fix.versions` do not name a fix the patcher may apply. */
const NO_FIX_STATES = new Set(['not-fixed', 'wont-fix']);

/** Maps one element of `matches[]` (at `pointer`) to a finding. */
export function mapGrypeMatch(
  value: unknown,
  pointer: string,
  context: GrypeContext,
): ParsedFinding {
  const match = expectObject(FORMAT, value, pointer);
  const vulnerabilityPointer = pointerTo(pointer, 'vulnerability');
  const vulnerability = expectObject(FORMAT, match['vulnerability'], vulnerabilityPointer);
  const artifactPointer = pointerTo(pointer, 'artifact');
  const artifact = expectObject(FORMAT, match['artifact'], artifactPointer);
  const reportedId = requiredText(FORMAT, vulnerability, 'id', vulnerabilityPointer);
  const name = requiredText(FORMAT, artifact, 'name', artifactPointer);
  const version = text(artifact['version']);
  const related = optionalArray(
    FORMAT,
    match['relatedVulnerabilities'],
    pointerTo(pointer, 'relatedVulnerabilities'),
  ).filter(isJsonObject);

  const severityWord =
    text(vulnerability['severity']) ?? firstText(related, (entry) => entry['severity']);
  const cvss: CvssVector[] = [];
  collectCvss(cvss, vulnerability);
  for (const entry of related) collectCvss(cvss, entry);

  const relatedIds = related.map((entry) => text(entry['id']));
  const advisories = Array.isArray(vulnerability['advisories'])
    ? vulnerability['advisories'].filter(isJsonObject)
    : [];
  const vulnerabilityRef = vulnerabilityFor(reportedId, [
    ...relatedIds,
    ...advisories.map((advisory) => text(advisory['id'])),
  ]);

  const type = text(artifact['type']);
  const purl = text(artifact['purl']) ?? fallbackPurl(type, name, version, context.distroName);
  const locationPath = firstLocationPath(artifact['locations']);
  const component = makeComponent({
    name,
    version,
    purl,
    ecosystem: purl === undefined ? type : (purlType(purl) ?? type),
    fixedVersions: fixedVersions(vulnerability['fix']),
    path: locationPath,
  });

  const dataSource = text(vulnerability['dataSource']);
  const fixState = isJsonObject(vulnerability['fix'])
    ? text(vulnerability['fix']['state'])
    : undefined;
  const tags: string[] = [];
  if (fixState !== undefined) tags.push(tag('fix-state', fixState));
  if (type !== undefined) tags.push(tag('package-type', type));

  const finding: ParsedFinding = {
    kind: 'vulnerability',
    title: dependencyTitle(reportedId, name, version),
    rule: ruleFor(reportedId, undefined, dataSource),
    severity: severityOfWord(severityWord),
    vulnerability: vulnerabilityRef,
    cvss,
    cwes: [],
    component,
    references: httpUrls(referenceUrls(vulnerability, related, advisories)),
    tags: limitTags(tags),
    tool: context.tool,
    fingerprintBasis: dependencyBasis(vulnerabilityRef.id, component),
  };
  const details = description([
    text(vulnerability['description']) ?? firstText(related, (entry) => entry['description']),
    matchedBy(match['matchDetails']),
  ]);
  if (details !== undefined) finding.description = details;
  if (locationPath !== undefined) finding.location = { path: component.path! };
  return finding;
}

function firstText(
  entries: readonly JsonObject[],
  pick: (entry: JsonObject) => unknown,
): string | undefined {
  for (const entry of entries) {
    const value = text(pick(entry));
    if (value !== undefined) return value;
  }
  return undefined;
}

function collectCvss(into: CvssVector[], source: JsonObject): void {
  const entries = source['cvss'];
  if (!Array.isArray(entries)) return;
  const namespace = text(source['namespace']);
  for (const entry of entries) {
    if (!isJsonObject(entry)) continue;
    const metrics = isJsonObject(entry['metrics']) ? entry['metrics'] : undefined;
    const score = metrics === undefined ? undefined : finiteNumber(metrics['baseScore']);
    const origin = text(entry['source']) ?? namespace;
    addCvss(into, parseCvssVector(text(entry['vector']), { reportedScore: score, source: origin }));
  }
}

function fixedVersions(fix: unknown): string[] {
  if (!isJsonObject(fix)) return [];
  const state = text(fix['state']);
  if (state !== undefined && NO_FIX_STATES.has(state)) return [];
  return textList(fix['versions']);
}

function firstLocationPath(locations: unknown): string | undefined {
  if (!Array.isArray(locations)) return undefined;
  for (const location of locations) {
    if (isJsonObject(location)) {
      const path = text(location['path']);
      if (path !== undefined) return path;
    }
  }
  return undefined;
}

function fallbackPurl(
  type: string | undefined,
  name: string,
  version: string | undefined,
  distroName: string | undefined,
): string | undefined {
  const purlType = lookup(PURL_TYPES, type);
  if (purlType === undefined) return undefined;
  if (DISTRO_TYPES.has(purlType)) {
    return distroName === undefined ? undefined : purlFromName(purlType, name, version, distroName);
  }
  return purlFromName(purlType, name, version);
}

function referenceUrls(
  vulnerability: JsonObject,
  related: readonly JsonObject[],
  advisories: readonly JsonObject[],
): string[] {
  const urls: string[] = [];
  for (const source of [vulnerability, ...related]) {
    const dataSource = text(source['dataSource']);
    if (dataSource !== undefined) urls.push(dataSource);
    urls.push(...textList(source['urls']));
  }
  for (const advisory of advisories) {
    const link = text(advisory['link']);
    if (link !== undefined) urls.push(link);
  }
  return urls;
}

/** "Matched by javascript-matcher (<= 5.9.3)": how Grype tied the package to the advisory. */
function matchedBy(matchDetails: unknown): string | undefined {
  const details = Array.isArray(matchDetails) ? matchDetails : [matchDetails];
  const lines: string[] = [];
  for (const detail of details) {
    if (!isJsonObject(detail)) continue;
    const matcher = text(detail['matcher']);
    if (matcher === undefined) continue;
    const found = isJsonObject(detail['found']) ? detail['found'] : undefined;
    const constraint = found === undefined ? undefined : text(found['versionConstraint']);
    lines.push(constraint === undefined ? matcher : `${matcher} (${constraint})`);
  }
  return lines.length === 0 ? undefined : truncate(`Matched by ${lines.join(', ')}.`, 4000);
}
