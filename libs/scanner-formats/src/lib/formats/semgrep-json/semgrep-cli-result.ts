import type { FindingKind, Location, ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { normalizeSnippet } from '../../core/fingerprint';
import type { JsonFields } from '../../core/json-fields';
import {
  extractCves,
  extractGhsas,
  httpUrls,
  normalizeCwes,
  truncate,
  vulnerabilityRef,
} from '../../core/normalize';
import { packageIdentity } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';
import { plainVersions, semgrepComponent } from './semgrep-dependency';
import { semgrepSeverity } from './semgrep-severity';
import { firstSentence } from './semgrep-text';

/** Rule families whose findings are infrastructure settings rather than code. */
const IAC_PREFIXES = [
  'terraform.',
  'hcl.',
  'dockerfile.',
  'yaml.kubernetes.',
  'yaml.docker-compose.',
];

/** Semgrep prints this instead of the matched lines for Pro rules when not logged in. */
const HIDDEN_LINES = 'requires login';

function kindOf(checkId: string, metadata: JsonFields | undefined): FindingKind {
  const segments = checkId.split('.');
  if (
    segments.includes('secrets') ||
    metadata?.looseText('secret_type') !== undefined ||
    metadata?.looseText('product') === 'secrets'
  ) {
    return 'secret';
  }
  if (IAC_PREFIXES.some((prefix) => checkId.startsWith(prefix))) return 'misconfiguration';
  return 'weakness';
}

function tagsOf(
  metadata: JsonFields | undefined,
  extra: readonly (string | undefined)[],
): string[] {
  const tags = [
    metadata?.looseText('category'),
    ...(metadata?.looseStrings('subcategory') ?? []),
    ...(metadata?.looseStrings('owasp') ?? []),
    ...(metadata?.looseStrings('technology') ?? []),
    ...extra,
  ]
    .map((tag) => truncate(tag, 100))
    .filter((tag): tag is string => tag !== undefined);
  return [...new Set(tags)].slice(0, 50);
}

/** `sca-fix-versions: [{ "lodash": "4.17.21" }]` → the versions named for this package. */
function scaFixVersions(metadata: JsonFields | undefined, name: string): string[] {
  const versions: (string | undefined)[] = [];
  for (const entry of metadata?.array('sca-fix-versions') ?? []) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    for (const [pkg, version] of Object.entries(entry as Record<string, unknown>)) {
      if (pkg === name && typeof version === 'string') versions.push(version);
    }
  }
  return plainVersions(versions);
}

/** One entry of a Semgrep CLI report's `results`. */
export function semgrepCliResult(result: JsonFields, tool: ToolRef): ParsedFinding | undefined {
  const checkId = result.string('check_id');
  if (checkId === undefined) {
    const pointer = result.pointer('check_id');
    throw new ReportParseError('semgrep-json', 'a result has no check_id', { pointer });
  }
  const extra = result.object('extra');
  // `# nosemgrep` matches are reported with is_ignored when --disable-nosem is not set.
  if (extra?.boolean('is_ignored') === true) return undefined;
  const metadata = extra?.object('metadata');
  const message = extra?.string('message');
  const path = result.string('path');
  const start = result.object('start');
  const end = result.object('end');
  const lines = extra?.string('lines');
  const fix = extra?.string('fix');
  const sca = extra?.object('sca_info');
  const found = sca?.object('dependency_match')?.object('found_dependency');

  let kind: FindingKind = kindOf(checkId, metadata);
  const snippet =
    kind === 'secret' || lines === undefined || lines.trim() === HIDDEN_LINES ? undefined : lines;

  const location: Location = {};
  if (path !== undefined) location.path = truncate(path, 2000)!;
  const startLine = start?.count('line');
  const endLine = end?.count('line');
  const startColumn = start?.count('col');
  const endColumn = end?.count('col');
  if (startLine !== undefined) location.startLine = startLine;
  if (endLine !== undefined) location.endLine = endLine;
  if (startColumn !== undefined) location.startColumn = startColumn;
  if (endColumn !== undefined) location.endColumn = endColumn;
  if (snippet !== undefined) location.snippet = snippet.slice(0, 4000);

  const severityWord =
    (sca !== undefined ? metadata?.looseText('sca-severity') : undefined) ??
    extra?.string('severity');
  const helpUri =
    metadata?.looseText('shortlink') ??
    metadata?.looseText('semgrep.url') ??
    metadata?.looseText('source');
  const references = httpUrls([
    ...(metadata?.looseStrings('references') ?? []),
    metadata?.looseText('source-rule-url'),
    helpUri,
  ]);
  const description = [message?.trim(), fix && `Suggested fix: ${fix.trim()}`]
    .filter((part) => part)
    .join('\n\n');

  const finding: ParsedFinding = {
    kind,
    title: firstSentence(message) ?? checkId,
    description: truncate(description, 32_000),
    rule: {
      id: truncate(checkId, 500)!,
      ...(helpUri && helpUri.length <= 2048 ? { helpUri } : {}),
    },
    severity: {
      ...(severityWord ? { reported: truncate(severityWord, 100)! } : {}),
      normalized: semgrepSeverity(severityWord),
    },
    cvss: [],
    cwes: normalizeCwes(metadata?.looseStrings('cwe') ?? []),
    location,
    references,
    tags: tagsOf(metadata, []),
    tool,
    fingerprintBasis: {
      kind: 'code',
      tool: tool.name,
      ruleId: checkId,
      path: path ?? '',
      anchor: normalizeSnippet(snippet),
    },
  };

  if (found !== undefined) {
    const name = found.string('package');
    if (name !== undefined) {
      kind = 'vulnerability';
      const version = found.string('version');
      const ids = [
        metadata?.looseText('sca-vuln-database-identifier'),
        ...(metadata?.looseStrings('cve') ?? []),
        ...(metadata?.looseStrings('ghsa') ?? []),
        ...extractCves(checkId),
        ...extractGhsas(checkId),
      ];
      const vulnerability = vulnerabilityRef(ids);
      const component = semgrepComponent(
        name,
        version,
        found.string('ecosystem'),
        scaFixVersions(metadata, name),
        found.string('lockfile_path') ?? sca?.object('dependency_match')?.string('lockfile'),
      );
      const heading = `${vulnerability?.id ?? checkId} ${name}${version ? ` ${version}` : ''}`;
      finding.kind = kind;
      const sentence = firstSentence(message);
      finding.title = truncate(sentence ? `${heading}: ${sentence}` : heading, 1000)!;
      finding.vulnerability = vulnerability;
      finding.component = component;
      finding.tags = tagsOf(metadata, [
        sca?.boolean('reachable') === true ? 'reachable' : undefined,
        found.string('transitivity'),
      ]);
      finding.fingerprintBasis = {
        kind: 'dependency',
        vulnerabilityId: vulnerability?.id ?? checkId,
        packageId: packageIdentity(component),
      };
    }
  }
  return finding;
}
