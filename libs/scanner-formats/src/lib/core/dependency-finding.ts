// Building blocks for dependency findings (a vulnerable package), shared by the Grype, Anchore
// Engine, OSV-Scanner, npm audit, Snyk and CycloneDX parsers: the rules that make those formats
// agree on one title, one package identity and the contract's limits.
import type { Component, CvssVector, VulnerabilityRef } from '@hum/contracts';
import { severityFromWord, truncate, vulnerabilityRef } from './normalize';
import { packageIdentity } from './purl';
import type { FingerprintBasis, ParsedFinding } from './types';

const MAX_TITLE = 1000;
const MAX_DESCRIPTION = 32_000;
const MAX_TAG = 100;
const MAX_TAGS = 50;
const MAX_CVSS = 10;
const MAX_FIXED_VERSIONS = 50;
const MAX_ID = 100;
const ID_RE = /^\S+$/;
const HTTP_RE = /^https?:\/\//;

type Rule = NonNullable<ParsedFinding['rule']>;

/** The rule within the contract's limits; a help link only when it is an http(s) URL. */
export function ruleFor(id: string, name?: string, helpUri?: string): Rule {
  const rule: Rule = { id: id.slice(0, 500) };
  const shortName = truncate(name, 1000);
  if (shortName !== undefined) rule.name = shortName;
  if (helpUri !== undefined && helpUri.length <= 2048 && HTTP_RE.test(helpUri)) {
    rule.helpUri = helpUri;
  }
  return rule;
}

/** A severity word as the tool printed it, and its place on hum's scale. */
export function severityOfWord(word: string | undefined): ParsedFinding['severity'] {
  const severity: ParsedFinding['severity'] = { normalized: severityFromWord(word) };
  if (word !== undefined) severity.reported = word.slice(0, 100);
  return severity;
}

/**
 * `CVE-2021-44228 in log4j-core:2.13.2`, then ` — <advisory title>` when the report has one.
 * Callers pass the id the scanner itself shows (Grype's `vulnerability.id`, Snyk's issue id), so
 * the title matches the scanner's own output; npm audit, whose own ids are bare numbers, passes
 * the CVE or GHSA.
 */
export function dependencyTitle(
  reportedId: string,
  name: string,
  version: string | undefined,
  headline?: string,
): string {
  const subject = version === undefined ? name : `${name}:${version}`;
  const title = `${reportedId} in ${subject}${headline === undefined ? '' : ` — ${headline}`}`;
  return truncate(title, MAX_TITLE) ?? reportedId;
}

export function description(parts: ReadonlyArray<string | undefined>): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined && part.trim() !== '');
  return present.length === 0 ? undefined : truncate(present.join('\n\n'), MAX_DESCRIPTION);
}

/**
 * The finding's vulnerability: CVE preferred, then GHSA, then the reported id; blank, spaced
 * ("alias 2") and over-long values are not ids. The reported id is kept even when it is odd,
 * since a dependency finding is identified by it.
 */
export function vulnerabilityFor(
  reportedId: string,
  otherIds: Iterable<string | undefined>,
): VulnerabilityRef {
  const usable: string[] = [];
  for (const id of [reportedId, ...otherIds]) {
    if (id !== undefined && id.length <= MAX_ID && ID_RE.test(id)) usable.push(id);
  }
  return vulnerabilityRef(usable) ?? { id: reportedId.slice(0, MAX_ID), aliases: [] };
}

export function dependencyBasis(vulnerabilityId: string, component: Component): FingerprintBasis {
  return { kind: 'dependency', vulnerabilityId, packageId: packageIdentity(component) };
}

export function tag(key: string, value: string): string {
  return `${key}:${value.trim()}`.slice(0, MAX_TAG);
}

export function limitTags(tags: string[]): string[] {
  return tags.length <= MAX_TAGS ? tags : tags.slice(0, MAX_TAGS);
}

/** Adds a vector unless the same vector is already there; the contract allows ten. */
export function addCvss(list: CvssVector[], vector: CvssVector | undefined): void {
  if (vector === undefined || list.length >= MAX_CVSS) return;
  for (const existing of list) if (existing.vector === vector.vector) return;
  list.push(vector);
}

export interface ComponentParts {
  name: string;
  version?: string | undefined;
  purl?: string | undefined;
  ecosystem?: string | undefined;
  fixedVersions?: Iterable<string>;
  path?: string | undefined;
}

/** A Component within the contract's limits: long values are cut, not rejected. */
export function makeComponent(parts: ComponentParts): Component {
  const component: Component = {
    name: truncate(parts.name, 500) ?? parts.name,
    fixedVersions: fixedVersionList(parts.fixedVersions ?? []),
  };
  const version = truncate(parts.version, 200);
  if (version !== undefined) component.version = version;
  if (parts.purl !== undefined && parts.purl.startsWith('pkg:') && parts.purl.length <= 1000) {
    component.purl = parts.purl;
  }
  const ecosystem = truncate(parts.ecosystem, 50);
  if (ecosystem !== undefined) component.ecosystem = ecosystem;
  const path = truncate(parts.path, 2000);
  if (path !== undefined) component.path = path;
  return component;
}

function fixedVersionList(versions: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const version of versions) {
    const trimmed = version.trim();
    if (trimmed !== '' && trimmed.length <= 200) out.add(trimmed);
    if (out.size >= MAX_FIXED_VERSIONS) break;
  }
  return [...out];
}
