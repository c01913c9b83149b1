import { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { normalizeSnippet } from '../../core/fingerprint';
import { jsonPointer } from '../../core/json-pointer';
import { packageIdentity } from '../../core/purl';
import type {
  FingerprintBasis,
  ParsedFinding,
  ParseOptions,
  ReportParser,
  ReportSource,
} from '../../core/types';
import { readJsonHead } from '../../stream/json-head';
import {
  ContextNotYetRead,
  readWithContext,
  type ContextualSpec,
} from '../../stream/read-with-context';
import { HUM_REPORT_V1, HumFindingSchema, type HumFinding } from './hum-report.schema';

const SPEC: ContextualSpec<'finding', 'marker' | 'tool'> = {
  format: 'hum-canonical',
  elements: { finding: 'findings.#' },
  context: { marker: 'hum', tool: 'tool' },
  expect: { '': 'object', findings: 'array', 'findings.#': 'object', tool: 'object' },
};

function detect(text: string): number {
  const head = readJsonHead(text);
  return head.root === 'object' && head.scalar('hum') === HUM_REPORT_V1 ? 1 : 0;
}

/** The identity a producer did not give, chosen as hum's own parsers choose it. */
export function derivedBasis(finding: HumFinding, tool: ToolRef): FingerprintBasis {
  const ruleId = finding.rule?.id ?? finding.title.slice(0, 500);
  const location = finding.location;
  if (finding.vulnerability !== undefined && finding.component !== undefined) {
    return {
      kind: 'dependency',
      vulnerabilityId: finding.vulnerability.id,
      packageId: packageIdentity(finding.component),
    };
  }
  if (location?.url !== undefined) {
    const resource = [location.method, location.url, location.parameter]
      .filter((part) => part)
      .join(' ');
    return { kind: 'resource', tool: tool.name, ruleId, resource };
  }
  const anchor = normalizeSnippet(location?.snippet) || location?.logical || '';
  if (finding.kind === 'misconfiguration') {
    return {
      kind: 'resource',
      tool: tool.name,
      ruleId,
      resource: `${location?.path ?? ''}#${anchor}`,
    };
  }
  return { kind: 'code', tool: tool.name, ruleId, path: location?.path ?? '', anchor };
}

async function* parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  let marker: unknown;
  let reportTool: ToolRef | undefined;
  yield* readWithContext(
    source,
    SPEC,
    {
      context: (item) => {
        if (item.name === 'marker') {
          marker = item.value;
          if (marker !== HUM_REPORT_V1) {
            throw new ReportParseError(
              'hum-canonical',
              `unsupported hum report version ${JSON.stringify(marker)}; expected "${HUM_REPORT_V1}"`,
              { pointer: '/hum' },
            );
          }
          return;
        }
        const tool = ToolRef.safeParse(item.value);
        if (!tool.success) {
          const issue = tool.error.issues[0]!;
          const pointer = jsonPointer([
            'tool',
            ...issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
          ]);
          throw new ReportParseError('hum-canonical', `invalid tool: ${issue.message}`, {
            pointer,
          });
        }
        reportTool = tool.data;
        options.onTool?.(tool.data);
      },
      element: (item, complete) => {
        const checked = HumFindingSchema.safeParse(item.value);
        if (!checked.success) {
          const issue = checked.error.issues[0]!;
          const pointer = jsonPointer([
            ...item.path,
            ...issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
          ]);
          throw new ReportParseError('hum-canonical', `invalid finding: ${issue.message}`, {
            pointer,
          });
        }
        const finding = checked.data;
        const tool = finding.tool ?? reportTool;
        if (tool === undefined) {
          if (!complete) throw new ContextNotYetRead();
          throw new ReportParseError(
            'hum-canonical',
            'the report has no "tool" and the finding names none',
            {
              pointer: '/tool',
            },
          );
        }
        const { fingerprintBasis, ...rest } = finding;
        return [
          { ...rest, tool, fingerprintBasis: fingerprintBasis ?? derivedBasis(finding, tool) },
        ];
      },
    },
    options,
  );
  if (marker !== HUM_REPORT_V1) {
    throw new ReportParseError(
      'hum-canonical',
      `not a hum report: "hum": "${HUM_REPORT_V1}" is missing`,
      {
        pointer: '/hum',
      },
    );
  }
}

export const humCanonicalParser: ReportParser = {
  format: 'hum-canonical',
  displayName: 'hum canonical JSON',
  detect,
  parse,
};
