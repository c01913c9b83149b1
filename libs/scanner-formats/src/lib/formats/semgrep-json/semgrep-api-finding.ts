import type { Location, ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import type { JsonFields } from '../../core/json-fields';
import { httpUrls, normalizeCwes, truncate, vulnerabilityRef } from '../../core/normalize';
import { packageIdentity } from '../../core/purl';
import type { FingerprintBasis, ParsedFinding } from '../../core/types';
import { plainVersions, semgrepComponent } from './semgrep-dependency';
import { semgrepSeverity } from './semgrep-severity';
import { firstSentence } from './semgrep-text';

/** States of a finding the Semgrep platform no longer considers open. */
const CLOSED_STATES = new Set(['fixed', 'removed', 'muted', 'ignored']);

/**
 * One entry of the Semgrep platform API's `findings` (GET /api/v1/deployments/{slug}/findings,
 * code and supply-chain issue types alike).
 */
export function semgrepApiFinding(finding: JsonFields, tool: ToolRef): ParsedFinding | undefined {
  const state = finding.string('state') ?? finding.string('status');
  if (state !== undefined && CLOSED_STATES.has(state)) return undefined;
  if (finding.string('triage_state') === 'ignored') return undefined;
  const rule = finding.object('rule');
  const ruleId = finding.string('rule_name') ?? rule?.string('name');
  if (ruleId === undefined) {
    const pointer = finding.pointer('rule_name');
    throw new ReportParseError('semgrep-json', 'a finding has no rule_name', { pointer });
  }
  const message = finding.string('rule_message') ?? rule?.string('message');
  const severityWord = finding.string('severity');
  const at = finding.object('location');
  const path = at?.string('file_path');
  const location: Location = {};
  if (path !== undefined) location.path = truncate(path, 2000)!;
  const startLine = at?.count('line');
  const endLine = at?.count('end_line');
  const startColumn = at?.count('column');
  const endColumn = at?.count('end_column');
  if (startLine !== undefined) location.startLine = startLine;
  if (endLine !== undefined) location.endLine = endLine;
  if (startColumn !== undefined) location.startColumn = startColumn;
  if (endColumn !== undefined) location.endColumn = endColumn;

  const lineUrl = finding.string('line_of_code_url');
  const tags = [
    ...finding.strings('categories'),
    ...(rule?.strings('owasp_names') ?? []),
    ...(rule?.strings('vulnerability_classes') ?? []),
    finding.string('confidence') && `confidence:${finding.string('confidence')!}`,
  ]
    .map((tag) => truncate(tag, 100))
    .filter((tag): tag is string => tag !== undefined);
  // The platform's match-based id survives line moves, like a SARIF fingerprint.
  const matchId = finding.string('match_based_id') ?? finding.string('syntactic_id');
  let basis: FingerprintBasis =
    matchId !== undefined
      ? { kind: 'tool', tool: tool.name, ruleId, value: matchId }
      : { kind: 'code', tool: tool.name, ruleId, path: path ?? '', anchor: '' };

  const parsed: ParsedFinding = {
    kind: 'weakness',
    title: firstSentence(message) ?? ruleId,
    description: truncate(message, 32_000),
    rule: { id: truncate(ruleId, 500)! },
    severity: {
      ...(severityWord ? { reported: truncate(severityWord, 100)! } : {}),
      normalized: semgrepSeverity(severityWord),
    },
    cvss: [],
    cwes: normalizeCwes(rule?.strings('cwe_names') ?? []),
    location,
    references: httpUrls([lineUrl]),
    tags: [...new Set(tags)].slice(0, 50),
    tool,
    fingerprintBasis: basis,
  };

  const found = finding.object('found_dependency');
  const name = found?.string('package');
  if (found !== undefined && name !== undefined) {
    const vulnerability = vulnerabilityRef([finding.string('vulnerability_identifier')]);
    const fixes = finding
      .objects('fix_recommendations')
      .filter((fix) => fix.string('package') === undefined || fix.string('package') === name)
      .map((fix) => fix.string('version'));
    const version = found.string('version');
    const component = semgrepComponent(
      name,
      version,
      found.string('ecosystem'),
      plainVersions(fixes),
      path,
    );
    basis = {
      kind: 'dependency',
      vulnerabilityId: vulnerability?.id ?? ruleId,
      packageId: packageIdentity(component),
    };
    const heading = `${vulnerability?.id ?? ruleId} ${name}${version ? ` ${version}` : ''}`;
    parsed.kind = 'vulnerability';
    const sentence = firstSentence(message);
    parsed.title = truncate(sentence ? `${heading}: ${sentence}` : heading, 1000)!;
    parsed.vulnerability = vulnerability;
    parsed.component = component;
    const reachability = finding.string('reachability');
    parsed.tags = [...parsed.tags, reachability, found.string('transitivity')]
      .filter((tag): tag is string => tag !== undefined)
      .map((tag) => truncate(tag, 100)!)
      .slice(0, 50);
    parsed.fingerprintBasis = basis;
  }
  return parsed;
}
