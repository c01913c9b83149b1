import type { Component, FindingKind, Location, Severity, VulnerabilityRef } from '@hum/contracts';
import { normalizePath, normalizeSnippet } from '../../core/fingerprint';
import type { JsonFields } from '../../core/json-fields';
import {
  extractCves,
  extractGhsas,
  firstLine,
  httpUrls,
  normalizeCwes,
  percentDecoded,
  severityFromScore,
  severityFromWord,
  truncate,
  vulnerabilityRef,
} from '../../core/normalize';
import { packageIdentity } from '../../core/purl';
import type { FingerprintBasis, ParsedFinding } from '../../core/types';
import { sarifComponent } from './sarif-component';
import { cvssFromProperties } from './sarif-cvss';
import { findRule, type FindingRule, type SarifRule, type SarifRun } from './sarif-run';

/** Result kinds that are not problems (SARIF 3.27.9): a passed check, or information only. */
const NOT_FINDINGS = new Set(['pass', 'notApplicable', 'informational']);

/** SARIF levels on hum's scale: error is the tool's gravest, note its mildest problem. */
const LEVELS: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'info',
};

interface PlaceInRun {
  path: string | undefined;
  url: string | undefined;
  startLine: number | undefined;
  endLine: number | undefined;
  startColumn: number | undefined;
  endColumn: number | undefined;
  snippet: string | undefined;
  logical: string | undefined;
  logicalNames: string[];
}

/**
 * A SARIF artifact URI as a path people recognise: `file:///src/a.js` → `/src/a.js`,
 * `src/a%20b.js` → `src/a b.js`. Relative URIs (to `%SRCROOT%` and the like) stay relative.
 */
function uriToPath(uri: string): string {
  if (/^file:/i.test(uri)) return `/${percentDecoded(uri.replace(/^file:\/*/i, ''))}`;
  return percentDecoded(uri).replace(/^(\.\/)+/, '');
}

function suppressed(result: JsonFields): boolean {
  const suppressions = result.objects('suppressions');
  if (suppressions.length === 0) return false;
  let accepted = false;
  for (const suppression of suppressions) {
    const status = suppression.string('status');
    if (status === 'rejected') return false;
    if (status === undefined || status === 'accepted') accepted = true;
  }
  return accepted;
}

function messageOf(result: JsonFields, rule: SarifRule | undefined): string | undefined {
  const message = result.object('message');
  const text = message?.string('text') ?? message?.string('markdown');
  if (text !== undefined) return text;
  const id = message?.string('id');
  const template = id === undefined ? undefined : rule?.messageStrings.get(id);
  if (template === undefined) return undefined;
  const args = message?.looseStrings('arguments') ?? [];
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => args[Number(n)] ?? whole);
}

function severityOf(
  result: JsonFields,
  rule: SarifRule | undefined,
): { reported: string | undefined; normalized: Severity } {
  // GitHub's convention: a CVSS-like score in `security-severity` outranks the level.
  const score =
    result.object('properties')?.looseText('security-severity') ?? rule?.securitySeverity;
  if (score !== undefined) {
    const numeric = Number(score);
    const normalized = Number.isFinite(numeric)
      ? severityFromScore(numeric)
      : severityFromWord(score);
    if (normalized !== 'unknown') return { reported: score, normalized };
  }
  const level = result.string('level') ?? rule?.level;
  // SARIF 3.27.10: a result without a level is a warning.
  return { reported: level, normalized: LEVELS[level ?? 'warning'] ?? 'unknown' };
}

function placeOf(location: JsonFields | undefined, run: SarifRun): PlaceInRun {
  const physical = location?.object('physicalLocation');
  const artifact = physical?.object('artifactLocation');
  let uri = artifact?.string('uri');
  if (uri === undefined) {
    const index = artifact?.count('index');
    if (index !== undefined) uri = run.artifactUris.get(index);
  }
  const isUrl = uri !== undefined && /^https?:\/\//i.test(uri);
  const region = physical?.object('region');
  const logicalNames: string[] = [];
  for (const logical of location?.objects('logicalLocations') ?? []) {
    const name = logical.string('fullyQualifiedName') ?? logical.string('name');
    if (name !== undefined) logicalNames.push(name);
  }
  return {
    path: uri === undefined || isUrl ? undefined : uriToPath(uri),
    url: isUrl ? uri : undefined,
    startLine: region?.count('startLine'),
    endLine: region?.count('endLine'),
    startColumn: region?.count('startColumn'),
    endColumn: region?.count('endColumn'),
    snippet: region?.object('snippet')?.string('text'),
    logical: logicalNames[0],
    logicalNames,
  };
}

/** Values a secret scanner says it matched; they are cut out of everything hum keeps. */
function secretValues(result: JsonFields): string[] {
  const properties = result.object('properties');
  if (properties === undefined) return [];
  const values: string[] = [];
  for (const key of ['offender', 'secret', 'Secret', 'match', 'Match']) {
    const value = properties.looseText(key);
    if (value !== undefined && value.length >= 4) values.push(value);
  }
  return values;
}

function redact(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('<redacted>');
  return out;
}

function kindOf(
  run: SarifRun,
  rule: SarifRule | undefined,
  hasAdvisory: boolean,
  component: Component | undefined,
): FindingKind {
  if (hasAdvisory || component !== undefined) return 'vulnerability';
  return rule?.kindHint ?? run.producerKind ?? 'weakness';
}

/** CVE and GHSA ids in a rule id (`CVE-2008-0732-geronimo…`), remembered per run. */
function advisoryOf(run: SarifRun, ruleId: string): VulnerabilityRef | undefined {
  if (run.advisories.has(ruleId)) return run.advisories.get(ruleId);
  const advisory = vulnerabilityRef([...extractCves(ruleId), ...extractGhsas(ruleId)]);
  if (run.advisories.size < 100_000) run.advisories.set(ruleId, advisory);
  return advisory;
}

function fingerprintsOf(result: JsonFields): string | undefined {
  const bag = result.object('fingerprints') ?? result.object('partialFingerprints');
  if (bag === undefined) return undefined;
  const entries = Object.keys(bag.value)
    .sort()
    .map((key) => `${key}=${bag.looseText(key) ?? ''}`);
  return entries.length === 0 ? undefined : entries.join('\n');
}

/**
 * One SARIF result as findings: one per location (a result with several locations reports the
 * same problem in several places, each fixed on its own), one without a location if it has none.
 * Returns nothing for passed checks, suppressed results and results marked absent.
 */
export function sarifResultFindings(result: JsonFields, run: SarifRun): ParsedFinding[] {
  const resultKind = result.string('kind');
  if (resultKind !== undefined && NOT_FINDINGS.has(resultKind)) return [];
  if (result.string('baselineState') === 'absent' || suppressed(result)) return [];

  const ruleRef = result.object('rule');
  const ruleId = result.string('ruleId') ?? ruleRef?.string('id');
  const rule = findRule(
    run,
    ruleId,
    result.count('ruleIndex') ?? ruleRef?.count('index'),
    ruleRef?.object('toolComponent')?.count('index'),
  );
  const message = messageOf(result, rule);
  const effectiveRuleId = truncate(
    ruleId ?? rule?.id ?? firstLine(message, 200) ?? 'unidentified',
    500,
  )!;
  const severity = severityOf(result, rule);
  const properties = result.object('properties');
  const vulnerability = advisoryOf(run, effectiveRuleId);
  // What the rule says is worked out once per run and shared; a result adds to it rarely.
  const resultCvss = cvssFromProperties(properties);
  const cvss =
    resultCvss.length === 0
      ? (rule?.cvss ?? [])
      : [...(rule?.cvss ?? []), ...resultCvss].slice(0, 10);
  const resultCwes = properties?.looseStrings('cwe') ?? [];
  const cwes =
    resultCwes.length === 0
      ? (rule?.cwes ?? [])
      : normalizeCwes([...(rule?.cwes ?? []), ...resultCwes]);
  const resultReferences =
    properties === undefined
      ? []
      : [...properties.looseStrings('reference'), ...properties.looseStrings('references')];
  const references =
    resultReferences.length === 0
      ? (rule?.references ?? [])
      : httpUrls([...(rule?.references ?? []), ...resultReferences]);
  const resultTags = properties?.looseStrings('tags') ?? [];
  const tags =
    resultTags.length === 0
      ? (rule?.tags ?? [])
      : [
          ...new Set(
            [...(rule?.tags ?? []), ...resultTags]
              .map((tag) => truncate(tag, 100)!)
              .filter((tag) => tag),
          ),
        ].slice(0, 50);
  const fingerprints = fingerprintsOf(result);
  const locations = result.objects('locations');
  const webMethod = result.object('webRequest')?.string('method');

  const findings: ParsedFinding[] = [];
  for (const location of locations.length === 0 ? [undefined] : locations) {
    const place = placeOf(location, run);
    const component = sarifComponent(run, rule, result, message, place.logicalNames, place.path);
    const kind = kindOf(run, rule, vulnerability !== undefined, component);
    const secrets = kind === 'secret' ? secretValues(result) : [];
    // A secret scanner's snippet is the line with the secret: kept only when the secret is known
    // and cut out, else dropped.
    const snippet =
      kind === 'secret'
        ? secrets.length > 0
          ? redact(place.snippet, secrets)
          : undefined
        : place.snippet;
    const cleanMessage = redact(message, secrets);
    const title =
      redact(rule?.title, secrets) ??
      firstLine(cleanMessage, 1000) ??
      rule?.name ??
      effectiveRuleId;
    // The rule's full description adds to a result message unless the message already says it.
    const full = rule?.fullDescription;
    const description = [
      cleanMessage !== title ? cleanMessage : undefined,
      full !== undefined && full !== title && !cleanMessage?.includes(full) ? full : undefined,
    ]
      .filter((text): text is string => text !== undefined)
      .join('\n\n');

    const loc: Location = {};
    if (place.path !== undefined && place.path !== '') loc.path = truncate(place.path, 2000)!;
    if (place.url !== undefined) loc.url = truncate(place.url, 4000)!;
    if (webMethod !== undefined && place.url !== undefined) loc.method = truncate(webMethod, 20)!;
    if (place.startLine !== undefined) loc.startLine = place.startLine;
    if (place.endLine !== undefined) loc.endLine = place.endLine;
    if (place.startColumn !== undefined) loc.startColumn = place.startColumn;
    if (place.endColumn !== undefined) loc.endColumn = place.endColumn;
    if (snippet !== undefined)
      loc.snippet = snippet.length <= 4000 ? snippet : snippet.slice(0, 4000);
    if (place.logical !== undefined) loc.logical = truncate(place.logical, 1000)!;

    findings.push({
      kind,
      title: truncate(title, 1000)!,
      description: truncate(description, 32_000),
      rule: findingRule(run, rule, effectiveRuleId),
      severity: sharedSeverity(severity.reported, severity.normalized),
      vulnerability,
      cvss,
      cwes,
      component,
      location: loc,
      references,
      tags,
      tool: run.tool,
      fingerprintBasis: basisFor(
        kind,
        run,
        effectiveRuleId,
        vulnerability?.id,
        component,
        fingerprints,
        locations.length,
        place,
        snippet,
      ),
    });
  }
  return findings;
}

/** The finding's rule: one object per rule and id, shared by the rule's findings. */
function findingRule(run: SarifRun, rule: SarifRule | undefined, id: string): FindingRule {
  let byId = run.findingRules.get(rule);
  if (byId === undefined) {
    byId = new Map();
    run.findingRules.set(rule, byId);
  }
  let built = byId.get(id);
  if (built === undefined) {
    built = { id };
    if (rule?.name) built.name = truncate(rule.name, 1000)!;
    if (rule?.helpUri) built.helpUri = rule.helpUri;
    if (byId.size < 10_000) byId.set(id, built);
  }
  return built;
}

const SEVERITIES = new Map<string, ParsedFinding['severity']>();

/** The few severities a log uses, as shared objects rather than one per finding. */
function sharedSeverity(
  reported: string | undefined,
  normalized: Severity,
): ParsedFinding['severity'] {
  const key = `${normalized}\u0000${reported ?? ''}`;
  let severity = SEVERITIES.get(key);
  if (severity === undefined) {
    severity = reported ? { reported: truncate(reported, 100)!, normalized } : { normalized };
    if (SEVERITIES.size >= 1024) SEVERITIES.clear();
    SEVERITIES.set(key, severity);
  }
  return severity;
}

function basisFor(
  kind: FindingKind,
  run: SarifRun,
  ruleId: string,
  vulnerabilityId: string | undefined,
  component: Component | undefined,
  fingerprints: string | undefined,
  locationCount: number,
  place: PlaceInRun,
  snippet: string | undefined,
): FingerprintBasis {
  // The same CVE in the same package is one finding whichever tool reports it.
  if (vulnerabilityId !== undefined && component !== undefined) {
    return { kind: 'dependency', vulnerabilityId, packageId: packageIdentity(component) };
  }
  // A tool fingerprint identifies a result; with several locations each needs its own identity.
  if (fingerprints !== undefined && locationCount <= 1) {
    return { kind: 'tool', tool: run.tool.name, ruleId, value: fingerprints };
  }
  const anchor = normalizeSnippet(snippet) || place.logical || '';
  if (place.url !== undefined) {
    return { kind: 'resource', tool: run.tool.name, ruleId, resource: place.url };
  }
  if (kind === 'misconfiguration') {
    const path = place.path === undefined ? '' : normalizePath(place.path);
    return { kind: 'resource', tool: run.tool.name, ruleId, resource: `${path}#${anchor}` };
  }
  return { kind: 'code', tool: run.tool.name, ruleId, path: place.path ?? '', anchor };
}
