import type { Location, ToolRef } from '@hum/contracts';
import type { JsonFields } from '../../core/json-fields';
import { httpUrls, truncate } from '../../core/normalize';
import type { ParsedFinding } from '../../core/types';
import type { TrivyPlace } from './trivy-context';
import { trivySeverity } from './trivy-vulnerability';

/** The lines Trivy marks as the cause (`CauseMetadata.Code.Lines[].IsCause`), as one snippet. */
function causeSnippet(cause: JsonFields | undefined): string | undefined {
  const lines = cause?.object('Code')?.objects('Lines') ?? [];
  const causes: string[] = [];
  for (const line of lines) {
    if (line.boolean('IsCause') === false) continue;
    const content = line.string('Content');
    if (content !== undefined) causes.push(content);
  }
  if (causes.length === 0) return undefined;
  const snippet = causes.join('\n');
  return snippet.length <= 4000 ? snippet : snippet.slice(0, 4000);
}

/** One entry of `Misconfigurations`: a failed check on an IaC file or a Kubernetes resource. */
export function trivyMisconfiguration(
  fields: JsonFields,
  place: TrivyPlace,
  tool: ToolRef,
): ParsedFinding | undefined {
  // With --include-non-failures Trivy also lists passed checks; only failures are findings.
  const status = fields.string('Status');
  if (status !== undefined && status !== 'FAIL') return undefined;
  const id = fields.string('ID') ?? fields.string('AVDID') ?? 'unknown-check';
  const title = fields.string('Title');
  const message = fields.string('Message');
  const resolution = fields.string('Resolution');
  const severityWord = fields.string('Severity');
  const primaryUrl = fields.string('PrimaryURL');
  const cause = fields.object('CauseMetadata');
  const resourceName = cause?.string('Resource');
  const { target } = place;

  const location: Location = {};
  // Cluster findings name a live resource, not a file.
  if (target.target !== undefined && place.resource === undefined) {
    location.path = truncate(target.target, 2000)!;
  }
  const startLine = cause?.count('StartLine');
  const endLine = cause?.count('EndLine');
  // Trivy writes 0 when it has no line.
  if (startLine) location.startLine = startLine;
  if (endLine) location.endLine = endLine;
  const snippet = causeSnippet(cause);
  if (snippet !== undefined) location.snippet = snippet;
  const logical = resourceName ?? place.resourceRef;
  if (logical !== undefined) location.logical = truncate(logical, 1000)!;

  const description = [
    fields.string('Description'),
    message,
    resolution && `Resolution: ${resolution}`,
  ]
    .filter((part) => part)
    .join('\n\n');
  const tags = [target.type, target.class, fields.string('Type')]
    .filter((tag): tag is string => !!tag)
    .map((tag) => truncate(tag, 100)!);

  return {
    kind: 'misconfiguration',
    title: truncate(title ? `${id} - ${title}` : id, 1000)!,
    description: truncate(description, 32_000),
    rule: {
      id: truncate(id, 500)!,
      ...(title ? { name: truncate(title, 1000)! } : {}),
      ...(primaryUrl && primaryUrl.length <= 2048 ? { helpUri: primaryUrl } : {}),
    },
    severity: trivySeverity(severityWord),
    cvss: [],
    cwes: [],
    location,
    references: httpUrls([primaryUrl, ...fields.strings('References')]),
    tags: [...new Set(tags)],
    tool,
    fingerprintBasis: {
      kind: 'resource',
      tool: tool.name,
      ruleId: id,
      // The file (or cluster resource) and the IaC resource inside it; lines move, these do not.
      resource: [place.resourceRef ?? target.target ?? '', resourceName ?? ''].join('#'),
    },
  };
}
