import type { Component, FindingKind, Location, ToolRef } from '@hum/contracts';
import { normalizePath } from '../../core/fingerprint';
import {
  httpUrls,
  isVersionToken,
  parseCvssVector,
  severityFromWord,
  truncate,
  vulnerabilityRef,
} from '../../core/normalize';
import { packageIdentity } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';
import type { CheckovFailedCheck } from './checkov-schema';

const FIXED_IN = /^fixed in\s+/i;
const LIST_SEPARATOR = /\s*,\s*/;
const MAX_SNIPPET = 4000;

/** Checkov `package_type` words → purl types, where they differ or are known. */
const PACKAGE_TYPES: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'],
  ['javascript', 'npm'],
  ['pypi', 'pypi'],
  ['python', 'pypi'],
  ['maven', 'maven'],
  ['java', 'maven'],
  ['gradle', 'maven'],
  ['go', 'golang'],
  ['golang', 'golang'],
  ['gem', 'gem'],
  ['ruby', 'gem'],
  ['nuget', 'nuget'],
  ['cargo', 'cargo'],
  ['composer', 'composer'],
  ['php', 'composer'],
  ['deb', 'deb'],
  ['rpm', 'rpm'],
  ['apk', 'apk'],
]);

export interface CheckovContext {
  tool: ToolRef;
  /** The framework that produced the check: `terraform`, `kubernetes`, `secrets`, `sca_package`… */
  checkType: string | undefined;
}

function snippetOf(check: CheckovFailedCheck): string | undefined {
  const lines = check.code_block;
  if (!lines || lines.length === 0) return undefined;
  let text = '';
  for (const [, line] of lines) {
    text += line;
    if (text.length > MAX_SNIPPET) break;
  }
  return text.trim() === '' ? undefined : text.slice(0, MAX_SNIPPET);
}

function locationOf(
  check: CheckovFailedCheck,
  path: string | undefined,
  withCode: boolean,
): Location | undefined {
  const location: Location = {};
  if (path) location.path = truncate(path, 2000);
  const [start, end] = check.file_line_range ?? [];
  if (start !== undefined) location.startLine = start;
  if (end !== undefined) location.endLine = end;
  if (withCode) {
    const snippet = snippetOf(check);
    if (snippet) location.snippet = snippet;
    const logical = truncate(check.resource_address ?? check.resource, 1000);
    if (logical) location.logical = logical;
  }
  return Object.keys(location).length > 0 ? location : undefined;
}

function describe(check: CheckovFailedCheck, prose: string | null | undefined): string | undefined {
  const parts = [prose?.trim(), ...(check.details ?? []).map((line) => line.trim())].filter(
    Boolean,
  );
  return truncate(parts.join('\n'), 32_000);
}

function tagsOf(check: CheckovFailedCheck, context: CheckovContext): string[] {
  const tags: string[] = [];
  if (context.checkType) tags.push(`check-type:${context.checkType}`);
  if (check.bc_category) tags.push(`category:${check.bc_category}`);
  return tags.map((tag) => truncate(tag, 100)!);
}

function fixedVersionsOf(
  details: NonNullable<CheckovFailedCheck['vulnerability_details']>,
): string[] {
  const named = new Set<string>();
  for (const version of details.fixed_versions ?? []) named.add(String(version).trim());
  if (details.lowest_fixed_version) named.add(details.lowest_fixed_version.trim());
  if (details.fix_version) named.add(details.fix_version.trim());
  // Checkov's `status` reads "fixed in 2.4.3, 3.1.0" when the advisory names fixes, else "open".
  if (details.status && FIXED_IN.test(details.status)) {
    for (const version of details.status.replace(FIXED_IN, '').split(LIST_SEPARATOR))
      named.add(version.trim());
  }
  return [...named].filter(isVersionToken).slice(0, 50);
}

/** An SCA record (`sca_package`, `sca_image`): an advisory against a package. */
function mapPackageVulnerability(
  check: CheckovFailedCheck,
  details: NonNullable<CheckovFailedCheck['vulnerability_details']>,
  context: CheckovContext,
  path: string | undefined,
): ParsedFinding | undefined {
  const name = details.package_name?.trim();
  const advisory = vulnerabilityRef([details.id]);
  if (!name || !advisory) return undefined;
  const component: Component = {
    name: truncate(name, 500)!,
    fixedVersions: fixedVersionsOf(details),
  };
  const version = details.package_version?.trim();
  if (version) component.version = truncate(version, 200);
  const ecosystem = details.package_type
    ? PACKAGE_TYPES.get(details.package_type.toLowerCase())
    : undefined;
  if (ecosystem) component.ecosystem = ecosystem;
  if (path) component.path = truncate(path, 2000);
  const reported = details.severity ?? check.severity ?? undefined;
  const cvss = parseCvssVector(details.vector, { reportedScore: details.cvss ?? undefined });
  const finding: ParsedFinding = {
    kind: 'vulnerability',
    title: truncate(
      check.short_description ?? `${advisory.id} - ${name}${version ? `: ${version}` : ''}`,
      1000,
    )!,
    description: describe(check, details.description ?? check.description),
    rule: { id: truncate(check.check_id, 500)!, name: truncate(check.check_name, 1000) },
    severity: reported
      ? { reported: truncate(reported, 100), normalized: severityFromWord(reported) }
      : { normalized: 'unknown' },
    vulnerability: advisory,
    cvss: cvss ? [cvss] : [],
    cwes: [],
    component,
    location: locationOf(check, path, false),
    references: httpUrls([details.link, check.guideline]),
    tags: tagsOf(check, context),
    tool: context.tool,
    fingerprintBasis: {
      kind: 'dependency',
      vulnerabilityId: advisory.id,
      packageId: packageIdentity(component),
    },
  };
  return finding;
}

/** One failed check: a misconfigured resource, a secret, or a vulnerable package. */
export function mapCheckovFailedCheck(
  check: CheckovFailedCheck,
  context: CheckovContext,
): ParsedFinding {
  const path = (check.repo_file_path ?? check.file_path)?.trim() || undefined;
  const details = check.vulnerability_details;
  if (details) {
    const vulnerability = mapPackageVulnerability(check, details, context, path);
    if (vulnerability) return vulnerability;
  }
  const kind: FindingKind = context.checkType === 'secrets' ? 'secret' : 'misconfiguration';
  const resource = check.resource_address ?? check.resource ?? '';
  const reported = check.severity ?? undefined;
  return {
    kind,
    title: truncate(check.check_name, 1000) ?? truncate(check.check_id, 1000)!,
    description: describe(check, check.description ?? check.short_description),
    rule: {
      id: truncate(check.check_id, 500)!,
      name: truncate(check.check_name, 1000),
      helpUri: httpUrls([check.guideline])[0],
    },
    severity: reported
      ? { reported: truncate(reported, 100), normalized: severityFromWord(reported) }
      : { normalized: 'unknown' },
    cvss: [],
    cwes: [],
    // Checkov masks secrets only partly in code_block, so a secret's code is never copied.
    location: locationOf(check, path, kind !== 'secret'),
    references: httpUrls([check.guideline]),
    tags: tagsOf(check, context),
    tool: context.tool,
    fingerprintBasis:
      kind === 'secret'
        ? // For secrets Checkov's `resource` is a hash of the secret: it tells two secrets
          // in one file apart without revealing either.
          {
            kind: 'code',
            tool: context.tool.name,
            ruleId: check.check_id,
            path: path ?? '',
            anchor: resource,
          }
        : {
            kind: 'resource',
            tool: context.tool.name,
            ruleId: check.check_id,
            resource: `${normalizePath(path ?? '')}:${resource}`,
          },
  };
}
