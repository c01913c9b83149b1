import type { Component, CvssVector, Severity, ToolRef } from '@hum/contracts';
import {
  addCvss,
  dependencyBasis,
  dependencyTitle,
  description,
  limitTags,
  makeComponent,
  ruleFor,
  tag,
  vulnerabilityFor,
} from '../../core/dependency-finding';
import { pointerTo } from '../../core/json-pointer';
import {
  expectObject,
  isJsonObject,
  type JsonObject,
  optionalArray,
  requiredText,
  text,
  textList,
} from '../../core/json-value';
import {
  httpUrls,
  lookup,
  normalizeCwes,
  parseCvssVector,
  severityFromScore,
  severityFromWord,
} from '../../core/normalize';
import { purlFromName } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';

const FORMAT = 'osv-scanner';

/** What a package entry needs from its enclosing `results[]` element. */
export interface OsvSourceContext {
  tool: ToolRef;
  /** `source.path`: the lockfile, SBOM or directory osv-scanner read. */
  path: string | undefined;
  /** `source.type`: lockfile, sbom, git, docker… */
  type: string | undefined;
}

/** OSV ecosystem (before any `:release` suffix) → purl type and, for distros, namespace. */
const ECOSYSTEM_PURLS: Record<string, { type: string; namespace?: string }> = {
  npm: { type: 'npm' },
  pypi: { type: 'pypi' },
  maven: { type: 'maven' },
  go: { type: 'golang' },
  'crates.io': { type: 'cargo' },
  rubygems: { type: 'gem' },
  nuget: { type: 'nuget' },
  packagist: { type: 'composer' },
  hex: { type: 'hex' },
  pub: { type: 'pub' },
  cran: { type: 'cran' },
  hackage: { type: 'hackage' },
  conancenter: { type: 'conan' },
  swifturl: { type: 'swift' },
  debian: { type: 'deb', namespace: 'debian' },
  ubuntu: { type: 'deb', namespace: 'ubuntu' },
  alpine: { type: 'apk', namespace: 'alpine' },
  almalinux: { type: 'rpm', namespace: 'almalinux' },
  'rocky linux': { type: 'rpm', namespace: 'rocky-linux' },
  'red hat': { type: 'rpm', namespace: 'redhat' },
  suse: { type: 'rpm', namespace: 'suse' },
  opensuse: { type: 'rpm', namespace: 'opensuse' },
};

/** Keys of `database_specific` / `ecosystem_specific` that carry an advisory's severity word. */
const SEVERITY_KEYS = ['severity', 'urgency'] as const;

/**
 * Maps one element of `results[].packages[]` to its findings: one per osv-scanner `groups[]`
 * entry (records that are aliases of each other), each record outside any group on its own.
 */
export function mapOsvPackage(
  value: unknown,
  pointer: string,
  context: OsvSourceContext,
): ParsedFinding[] {
  const entry = expectObject(FORMAT, value, pointer);
  const packagePointer = pointerTo(pointer, 'package');
  const pkg = expectObject(FORMAT, entry['package'], packagePointer);
  const name = requiredText(FORMAT, pkg, 'name', packagePointer);
  const version = text(pkg['version']);
  const ecosystem = text(pkg['ecosystem']);

  const recordsPointer = pointerTo(pointer, 'vulnerabilities');
  const records = optionalArray(FORMAT, entry['vulnerabilities'], recordsPointer).map(
    (record, index) => expectObject(FORMAT, record, pointerTo(recordsPointer, index)),
  );
  const ids = records.map((record, index) =>
    requiredText(FORMAT, record, 'id', pointerTo(recordsPointer, index)),
  );
  const groups = optionalArray(FORMAT, entry['groups'], pointerTo(pointer, 'groups')).filter(
    isJsonObject,
  );

  const osvPackage: OsvPackage = { name, version, ecosystem, purl: text(pkg['purl']) };
  const findings: ParsedFinding[] = [];
  const grouped = new Set<number>();
  for (const group of groups) {
    const members: number[] = [];
    for (const id of textList(group['ids'])) {
      const index = ids.indexOf(id);
      if (index !== -1 && !grouped.has(index)) members.push(index);
    }
    if (members.length === 0) continue;
    for (const index of members) grouped.add(index);
    findings.push(
      mapGroup(
        members.map((index) => records[index]!),
        group,
        osvPackage,
        context,
      ),
    );
  }
  records.forEach((record, index) => {
    if (!grouped.has(index)) {
      findings.push(mapGroup([record], {}, osvPackage, context));
    }
  });
  return findings;
}

interface OsvPackage {
  name: string;
  version: string | undefined;
  ecosystem: string | undefined;
  purl: string | undefined;
}

function mapGroup(
  records: readonly JsonObject[],
  group: JsonObject,
  pkg: OsvPackage,
  context: OsvSourceContext,
): ParsedFinding {
  const primary = records[0]!;
  const reportedId = text(primary['id'])!;
  const summary = text(primary['summary']);

  const ids: Array<string | undefined> = [];
  const cvss: CvssVector[] = [];
  const cweSources: string[] = [];
  const urls: string[] = [];
  const fixed: string[] = [];
  for (const record of records) {
    ids.push(text(record['id']), ...textList(record['aliases']));
    collectCvss(cvss, record);
    collectCwes(cweSources, record);
    for (const reference of Array.isArray(record['references']) ? record['references'] : []) {
      const url = isJsonObject(reference) ? text(reference['url']) : undefined;
      if (url !== undefined) urls.push(url);
    }
    collectFixedVersions(fixed, record, pkg);
  }
  ids.push(...textList(group['aliases']));

  const vulnerability = vulnerabilityFor(reportedId, ids);
  const component = osvComponent(pkg, fixed, context.path);
  const severity = groupSeverity(records, group);

  const tags: string[] = [];
  if (context.type !== undefined) tags.push(tag('source-type', context.type));
  if (ids.some((id) => id?.startsWith('MAL-'))) tags.push('malicious-package');

  const finding: ParsedFinding = {
    kind: 'vulnerability',
    title: dependencyTitle(reportedId, pkg.name, pkg.version, summary),
    rule: ruleFor(reportedId, summary),
    severity,
    vulnerability,
    cvss,
    cwes: normalizeCwes(cweSources),
    component,
    references: httpUrls(urls),
    tags: limitTags(tags),
    tool: context.tool,
    fingerprintBasis: dependencyBasis(vulnerability.id, component),
  };
  const details = description([text(primary['details']) ?? summary]);
  if (details !== undefined) finding.description = details;
  if (component.path !== undefined) finding.location = { path: component.path };
  return finding;
}

function ecosystemPurl(
  ecosystem: string | undefined,
): { type: string; namespace?: string } | undefined {
  if (ecosystem === undefined) return undefined;
  const base = ecosystem.split(':')[0]!.trim().toLowerCase();
  return lookup(ECOSYSTEM_PURLS, base);
}

function osvComponent(pkg: OsvPackage, fixed: string[], path: string | undefined): Component {
  const purlSpec = ecosystemPurl(pkg.ecosystem);
  const purl =
    pkg.purl ??
    (purlSpec === undefined
      ? undefined
      : purlFromName(purlSpec.type, pkg.name, pkg.version, purlSpec.namespace));
  return makeComponent({
    name: pkg.name,
    version: pkg.version,
    purl,
    ecosystem: purlSpec?.type ?? pkg.ecosystem,
    fixedVersions: fixed,
    path,
  });
}

/**
 * The advisory's own word first (GHSA `database_specific.severity`, distro `ecosystem_specific`
 * severities), then osv-scanner's `groups[].max_severity` CVSS score; otherwise unknown.
 */
function groupSeverity(
  records: readonly JsonObject[],
  group: JsonObject,
): { reported?: string; normalized: Severity } {
  for (const record of records) {
    const word = severityWord(record['database_specific']);
    if (word !== undefined) return word;
  }
  for (const record of records) {
    for (const affected of Array.isArray(record['affected']) ? record['affected'] : []) {
      if (!isJsonObject(affected)) continue;
      const word =
        severityWord(affected['ecosystem_specific']) ?? severityWord(affected['database_specific']);
      if (word !== undefined) return word;
    }
  }
  const maxSeverity = text(group['max_severity']);
  const score = maxSeverity === undefined ? Number.NaN : Number(maxSeverity);
  if (Number.isFinite(score)) {
    return { reported: maxSeverity!.slice(0, 100), normalized: severityFromScore(score) };
  }
  return { normalized: 'unknown' };
}

function severityWord(holder: unknown): { reported: string; normalized: Severity } | undefined {
  if (!isJsonObject(holder)) return undefined;
  for (const key of SEVERITY_KEYS) {
    const word = text(holder[key]);
    if (word === undefined) continue;
    const normalized = severityFromWord(word);
    if (normalized !== 'unknown') return { reported: word.slice(0, 100), normalized };
  }
  return undefined;
}

function collectCvss(into: CvssVector[], record: JsonObject): void {
  const severities = record['severity'];
  if (!Array.isArray(severities)) return;
  const source = text(record['id']);
  for (const entry of severities) {
    if (!isJsonObject(entry)) continue;
    addCvss(into, parseCvssVector(text(entry['score']), { source }));
  }
}

function collectCwes(into: string[], record: JsonObject): void {
  const databaseSpecific = record['database_specific'];
  if (isJsonObject(databaseSpecific)) into.push(...textList(databaseSpecific['cwe_ids']));
  for (const affected of Array.isArray(record['affected']) ? record['affected'] : []) {
    if (!isJsonObject(affected) || !isJsonObject(affected['database_specific'])) continue;
    const cwes = affected['database_specific']['cwes'];
    for (const cwe of Array.isArray(cwes) ? cwes : []) {
      const id = isJsonObject(cwe) ? text(cwe['cweId']) : text(cwe);
      if (id !== undefined) into.push(id);
    }
  }
}

/**
 * `fixed` events of the record's ranges for this package (matched by name and ecosystem). GIT
 * ranges are skipped: their events are commit hashes, not versions a package manager installs.
 */
function collectFixedVersions(into: string[], record: JsonObject, pkg: OsvPackage): void {
  const affectedList = Array.isArray(record['affected'])
    ? record['affected'].filter(isJsonObject)
    : [];
  const own = affectedList.filter((affected) => affectsPackage(affected, pkg));
  for (const affected of own.length > 0 ? own : affectedList) {
    for (const range of Array.isArray(affected['ranges']) ? affected['ranges'] : []) {
      if (!isJsonObject(range) || text(range['type']) === 'GIT') continue;
      for (const event of Array.isArray(range['events']) ? range['events'] : []) {
        const fixed = isJsonObject(event) ? text(event['fixed']) : undefined;
        if (fixed !== undefined) into.push(fixed);
      }
    }
  }
}

function affectsPackage(affected: JsonObject, pkg: OsvPackage): boolean {
  const target = affected['package'];
  if (!isJsonObject(target)) return false;
  const name = text(target['name']);
  if (name === undefined || name.toLowerCase() !== pkg.name.toLowerCase()) return false;
  const ecosystem = text(target['ecosystem']);
  if (ecosystem === undefined || pkg.ecosystem === undefined) return true;
  return ecosystem.split(':')[0]!.toLowerCase() === pkg.ecosystem.split(':')[0]!.toLowerCase();
}
