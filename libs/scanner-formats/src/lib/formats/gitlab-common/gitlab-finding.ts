import type { Component, CvssVector, FindingKind, Location, ToolRef } from '@hum/contracts';
import { normalizeSnippet } from '../../core/fingerprint';
import {
  extractCves,
  httpUrls,
  normalizeCwes,
  parseCvssVector,
  severityFromWord,
  truncate,
  vulnerabilityRef,
} from '../../core/normalize';
import { packageIdentity } from '../../core/purl';
import type { FingerprintBasis, ParsedFinding } from '../../core/types';
import { gitlabPurl, packageTypeForFile, packageTypeForOs } from './gitlab-ecosystem';
import type { GitlabIdentifier, GitlabVulnerability } from './gitlab-schema';
import { fixedVersionsFromSolution } from './gitlab-solution';

/** What the walk over one report knows that a single vulnerability does not. */
export interface GitlabReportContext {
  tool: ToolRef;
  /** `scan.type` when the report has one. */
  scanType: string | undefined;
  /** Dependency file path → purl type, from `dependency_files[].package_manager`. */
  packageTypes: ReadonlyMap<string, string>;
}

/** Identifier types that are taxonomies, not the id of this finding's rule or advisory. */
const CLASSIFICATION_TYPES = new Set([
  'cwe',
  'owasp',
  'wasc',
  'cve',
  'ghsa',
  'osvdb',
  'usn',
  'rhsa',
  'elsa',
]);
const ADVISORY_TYPES = new Set(['cve', 'ghsa']);
const TAXONOMY_TYPES = new Set(['cwe', 'owasp', 'wasc']);
const SECRET_RULE_TYPES = new Set(['gitleaks_rule_id', 'trufflehog_rule_id']);
// Tracking algorithms that survive line shifts; `location` is the line itself and is never used.
const STABLE_SIGNATURES = ['scope_offset_compressed', 'scope_offset', 'hash'];
const MAX_DESCRIPTION = 32_000;
const MAX_TITLE = 1000;
const CWE_TEXT = /^(?:CWE-)?\d+\b/i;

function hasWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 10 || code === 13) return true;
  }
  return false;
}

/**
 * The rule id from the primary (first) identifier: its value, unless the value is prose and
 * the name is not (njsscan puts the rule id in `name` and its message in `value`).
 */
function ruleIdOf(identifier: GitlabIdentifier | undefined): string | undefined {
  const value = identifier?.value?.trim();
  const name = identifier?.name?.trim();
  if (value && (!hasWhitespace(value) || !name || hasWhitespace(name))) return value;
  return name || value || undefined;
}

function primaryIdentifier(identifiers: readonly GitlabIdentifier[]): GitlabIdentifier | undefined {
  return (
    identifiers.find((id) => !CLASSIFICATION_TYPES.has((id.type ?? '').toLowerCase())) ??
    identifiers[0]
  );
}

function cwesOf(identifiers: readonly GitlabIdentifier[]): string[] {
  const candidates: string[] = [];
  for (const id of identifiers) {
    if ((id.type ?? '').toLowerCase() !== 'cwe') continue;
    // njsscan writes the rule name into a CWE identifier's value; only CWE-looking text counts.
    for (const text of [id.value, id.name]) {
      if (text && CWE_TEXT.test(text.trim())) candidates.push(text.trim());
    }
  }
  return normalizeCwes(candidates);
}

function describe(vulnerability: GitlabVulnerability, secret?: string): string | undefined {
  const parts = [
    vulnerability.description?.trim(),
    vulnerability.solution?.trim() && `Solution: ${vulnerability.solution.trim()}`,
  ];
  // Scrubbed before truncating, so no cut can leave part of a secret behind.
  return truncate(redact(parts.filter(Boolean).join('\n\n'), secret), MAX_DESCRIPTION);
}

function tagsOf(vulnerability: GitlabVulnerability, extra: readonly string[]): string[] {
  const tags = [...extra];
  if (vulnerability.confidence) tags.push(`confidence:${vulnerability.confidence.toLowerCase()}`);
  for (const flag of vulnerability.flags ?? []) if (flag.type) tags.push(`flag:${flag.type}`);
  return tags
    .map((tag) => truncate(tag, 100)!)
    .filter(Boolean)
    .slice(0, 50);
}

function cvssOf(vulnerability: GitlabVulnerability): CvssVector[] {
  const out: CvssVector[] = [];
  for (const entry of vulnerability.cvss_vectors ?? []) {
    const vector = parseCvssVector(entry.vector, { source: entry.vendor ?? undefined });
    if (vector) out.push(vector);
  }
  return out.slice(0, 10);
}

function referencesOf(
  vulnerability: GitlabVulnerability,
  identifiers: readonly GitlabIdentifier[],
): string[] {
  return httpUrls([
    ...(vulnerability.links ?? []).map((link) => link.url),
    ...identifiers.map((id) => id.url),
  ]);
}

function redact(text: string | undefined, secret: string | undefined): string | undefined {
  return text !== undefined && secret ? text.split(secret).join('[REDACTED]') : text;
}

/** The tool's own line-independent signature (GitLab vulnerability tracking), if any. */
function trackingSignature(vulnerability: GitlabVulnerability): string | undefined {
  for (const item of vulnerability.tracking?.items ?? []) {
    for (const algorithm of STABLE_SIGNATURES) {
      const signature = item.signatures?.find((s) => s.algorithm === algorithm);
      if (signature) return `${item.file ?? ''}|${algorithm}:${signature.value}`;
    }
  }
  return undefined;
}

function logicalLocation(vulnerability: GitlabVulnerability): string | undefined {
  const className = vulnerability.location?.class?.trim();
  const method = vulnerability.location?.method?.trim();
  const logical = className && method ? `${className}.${method}` : className || method;
  return truncate(logical, 1000);
}

function isSecret(
  vulnerability: GitlabVulnerability,
  identifiers: readonly GitlabIdentifier[],
  scanType: string | undefined,
): boolean {
  return (
    scanType === 'secret_detection' ||
    vulnerability.category === 'secret_detection' ||
    identifiers.some((id) => SECRET_RULE_TYPES.has((id.type ?? '').toLowerCase()))
  );
}

/** A SAST or secret-detection vulnerability: a weakness or secret at a place in the code. */
export function mapGitlabCodeFinding(
  vulnerability: GitlabVulnerability,
  context: GitlabReportContext,
): ParsedFinding {
  const identifiers = vulnerability.identifiers ?? [];
  const primary = primaryIdentifier(identifiers);
  const kind: FindingKind = isSecret(vulnerability, identifiers, context.scanType)
    ? 'secret'
    : 'weakness';
  // Secret detection once copied the match into raw_source_code_extract; hum never reads it
  // into the finding, and scrubs it from prose in case an analyzer echoed it there.
  const secret = kind === 'secret' ? rawExtract(vulnerability) : undefined;
  const ruleId = ruleIdOf(primary) || vulnerability.name?.trim() || 'unknown';
  const path = vulnerability.location?.file?.trim() || undefined;
  const logical = logicalLocation(vulnerability);
  const location: Location = {};
  if (path) location.path = truncate(path, 2000);
  if (vulnerability.location?.start_line != null)
    location.startLine = vulnerability.location.start_line;
  if (vulnerability.location?.end_line != null) location.endLine = vulnerability.location.end_line;
  if (logical) location.logical = logical;
  const advisory = vulnerabilityRef([
    ...identifiers
      .filter((id) => ADVISORY_TYPES.has((id.type ?? '').toLowerCase()))
      .map((id) => id.value),
  ]);
  const signature = trackingSignature(vulnerability);
  const fingerprintBasis: FingerprintBasis = signature
    ? { kind: 'tool', tool: context.tool.name, ruleId, value: signature }
    : {
        kind: 'code',
        tool: context.tool.name,
        ruleId,
        path: path ?? '',
        anchor: normalizeSnippet(logical),
      };
  const title =
    truncate(redact(vulnerability.name ?? vulnerability.message ?? undefined, secret), MAX_TITLE) ??
    truncate(primary?.name?.trim() || ruleId, MAX_TITLE)!;
  const finding: ParsedFinding = {
    kind,
    title,
    description: describe(vulnerability, secret),
    rule: {
      id: truncate(ruleId, 500)!,
      name: truncate(primary?.name ?? vulnerability.name ?? undefined, 1000),
      helpUri: httpUrls([primary?.url])[0],
    },
    severity: severityOf(vulnerability),
    cvss: cvssOf(vulnerability),
    cwes: cwesOf(identifiers),
    location: Object.keys(location).length > 0 ? location : undefined,
    references: referencesOf(vulnerability, identifiers),
    tags: tagsOf(vulnerability, []),
    tool: context.tool,
    fingerprintBasis,
  };
  if (advisory) finding.vulnerability = advisory;
  return finding;
}

/**
 * A dependency-scanning or container-scanning vulnerability: an advisory against a package
 * found in a dependency file or an image.
 */
export function mapGitlabDependencyFinding(
  vulnerability: GitlabVulnerability,
  context: GitlabReportContext,
): ParsedFinding {
  const identifiers = vulnerability.identifiers ?? [];
  const primary = identifiers[0];
  const advisory = vulnerabilityRef([
    ...identifiers
      .filter((id) => !TAXONOMY_TYPES.has((id.type ?? '').toLowerCase()))
      .map((id) => id.value),
    ...extractCves(vulnerability.cve),
  ]);
  const component = componentOf(vulnerability, context);
  const file = vulnerability.location?.file?.trim() || undefined;
  const image = vulnerability.location?.image?.trim() || undefined;
  const advisoryId = advisory?.id ?? ruleIdOf(primary) ?? 'unknown';
  const fingerprintBasis: FingerprintBasis = component
    ? { kind: 'dependency', vulnerabilityId: advisoryId, packageId: packageIdentity(component) }
    : { kind: 'code', tool: context.tool.name, ruleId: advisoryId, path: file ?? '', anchor: '' };
  const location: Location = {};
  if (file) location.path = truncate(file, 2000);
  if (image) location.logical = truncate(image, 1000);
  const fallbackTitle = component
    ? `${advisoryId} in ${component.name}${component.version ? `-${component.version}` : ''}`
    : advisoryId;
  const operatingSystem = vulnerability.location?.operating_system?.trim();
  const finding: ParsedFinding = {
    kind: 'vulnerability',
    title:
      truncate(vulnerability.name ?? vulnerability.message ?? fallbackTitle, MAX_TITLE) ??
      truncate(fallbackTitle, MAX_TITLE)!,
    description: describe(vulnerability),
    rule: primary
      ? {
          id: truncate(ruleIdOf(primary) ?? advisoryId, 500)!,
          name: truncate(primary.name ?? undefined, 1000),
        }
      : undefined,
    severity: severityOf(vulnerability),
    cvss: cvssOf(vulnerability),
    cwes: cwesOf(identifiers),
    component,
    location: Object.keys(location).length > 0 ? location : undefined,
    references: referencesOf(vulnerability, identifiers),
    tags: tagsOf(vulnerability, operatingSystem ? [`os:${operatingSystem}`] : []),
    tool: context.tool,
    fingerprintBasis,
  };
  if (advisory) finding.vulnerability = advisory;
  return finding;
}

function componentOf(
  vulnerability: GitlabVulnerability,
  context: GitlabReportContext,
): Component | undefined {
  const dependency = vulnerability.location?.dependency;
  const name = dependency?.package?.name?.trim();
  if (!name) return undefined;
  const version = dependency?.version?.trim() || undefined;
  const file = vulnerability.location?.file?.trim() || undefined;
  const os = packageTypeForOs(vulnerability.location?.operating_system);
  const type =
    os?.type ?? (file ? (context.packageTypes.get(file) ?? packageTypeForFile(file)) : undefined);
  const component: Component = {
    name: truncate(name, 500)!,
    fixedVersions: fixedVersionsFromSolution(vulnerability.solution),
  };
  if (version) component.version = truncate(version, 200);
  if (type) {
    component.ecosystem = type;
    const purl = gitlabPurl(type, name, version, os?.distro);
    if (purl.length <= 1000) component.purl = purl;
  }
  if (file) component.path = truncate(file, 2000);
  return component;
}

function severityOf(vulnerability: GitlabVulnerability): ParsedFinding['severity'] {
  const reported = vulnerability.severity ?? undefined;
  return reported === undefined
    ? { normalized: 'unknown' }
    : { reported: truncate(reported, 100), normalized: severityFromWord(reported) };
}

function rawExtract(vulnerability: GitlabVulnerability): string | undefined {
  return vulnerability.raw_source_code_extract?.trim() || undefined;
}
