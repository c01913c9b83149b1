import type { Location, ToolRef } from '@hum/contracts';
import { normalizeSnippet } from '../../core/fingerprint';
import type { JsonFields } from '../../core/json-fields';
import { truncate } from '../../core/normalize';
import type { ParsedFinding } from '../../core/types';
import type { TrivyPlace } from './trivy-context';
import { trivySeverity } from './trivy-vulnerability';

/**
 * Trivy masks the secret in `Match` with asterisks. hum keeps the match only when it carries
 * that mask, so a report from a tool version (or a hand-made file) that did not mask never puts a
 * secret into a finding.
 */
function maskedMatch(match: string | undefined): string | undefined {
  if (match === undefined || !match.includes('***')) return undefined;
  return match.length <= 4000 ? match : match.slice(0, 4000);
}

/** One entry of `Secrets`: a credential found in a file or an image layer. */
export function trivySecret(fields: JsonFields, place: TrivyPlace, tool: ToolRef): ParsedFinding {
  const ruleId = fields.string('RuleID') ?? 'unknown-secret';
  const title = fields.string('Title') ?? ruleId;
  const severityWord = fields.string('Severity');
  const target = place.target.target;
  const snippet = maskedMatch(fields.string('Match'));

  const location: Location = {};
  if (target !== undefined) location.path = truncate(target, 2000)!;
  const startLine = fields.count('StartLine');
  const endLine = fields.count('EndLine');
  if (startLine) location.startLine = startLine;
  if (endLine) location.endLine = endLine;
  if (snippet !== undefined) location.snippet = snippet;
  if (place.resourceRef !== undefined) location.logical = truncate(place.resourceRef, 1000)!;

  const category = fields.string('Category');
  return {
    kind: 'secret',
    title: truncate(`Secret detected in ${target ?? 'the artifact'} - ${title}`, 1000)!,
    rule: { id: truncate(ruleId, 500)!, name: truncate(title, 1000)! },
    severity: trivySeverity(severityWord),
    cvss: [],
    cwes: [],
    location,
    references: [],
    tags: [place.target.class ?? 'secret', category]
      .filter((tag): tag is string => !!tag)
      .map((tag) => truncate(tag, 100)!),
    tool,
    fingerprintBasis: {
      kind: 'code',
      tool: tool.name,
      ruleId,
      path: place.resourceRef ? `${place.resourceRef}/${target ?? ''}` : (target ?? ''),
      // The masked line: stable when the file shifts, and free of the secret itself.
      anchor: normalizeSnippet(snippet),
    },
  };
}
