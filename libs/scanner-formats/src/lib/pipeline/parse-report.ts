import { PermanentError } from '@hum/common';
import {
  AssetRef,
  FINDING_OBJECT_KEYS,
  findingContentProblem,
  FindingV1,
  markConforming,
  SEVERITIES,
  Timestamp,
  type SeverityCounts,
  type ToolRef,
  unexpectedKey,
} from '@hum/contracts';
import { z } from 'zod';
import { ReportParseError } from '../core/errors';
import { computeFingerprint } from '../core/fingerprint';
import type {
  FormatId,
  ParseOptions,
  ParsedFinding,
  ReportParser,
  ReportSource,
  ScanContext,
} from '../core/types';
import { detectFormat, rankFormats, supportedFormats } from './detect-format';
import { parserFor, REPORT_PARSERS } from './registry';

export interface ParseReportOptions {
  /** Skip detection and read the report as this format (`--format`). */
  format?: FormatId;
  context: ScanContext;
  /** Fail instead of reading more than this many findings. */
  maxFindings?: number;
  /** The parsers to choose from; all of hum's by default. */
  parsers?: readonly ReportParser[];
}

export interface ReportSummary {
  /** Distinct findings (by fingerprint) delivered so far. */
  count: number;
  /** Findings dropped because an earlier one in the same report had the same fingerprint. */
  duplicates: number;
  severityCounts: SeverityCounts;
  tools: ToolRef[];
}

export interface ParsedReport {
  format: FormatId;
  displayName: string;
  /**
   * Canonical findings, deduplicated by fingerprint; iterate once. Findings from the same rule
   * or target share nested objects and arrays (severity, tags, rule data): treat them as
   * read-only.
   */
  findings: AsyncIterable<FindingV1>;
  /** Counts so far; final once `findings` has been read to the end. */
  summary(): ReportSummary;
}

const ScanContextSchema = z
  .object({ scanId: z.uuid(), asset: AssetRef, detectedAt: Timestamp })
  .strict();

// The scan context is the same for every finding and is checked once up front. Each finding is
// checked by findingProblem (Finding v1 without zod's overhead); zod words the error.
const FindingWithoutContext = FindingV1.omit({
  scanId: true,
  asset: true,
  detectedAt: true,
}).extend({ scanId: z.unknown(), asset: z.unknown(), detectedAt: z.unknown() });

function chooseParser(source: ReportSource, options: ParseReportOptions): ReportParser {
  const parsers = options.parsers ?? REPORT_PARSERS;
  if (options.format === undefined) return detectFormat(source.head, parsers);
  const parser = parserFor(options.format, parsers);
  if (parser === undefined) {
    throw new ReportParseError(
      'unknown',
      `unknown format "${String(options.format)}"; supported: ${supportedFormats(parsers)}`,
    );
  }
  // An empty body named as a format is the parser's call (osv-scanner writes nothing when clean).
  if (source.head.trim() !== '' && parser.detect(source.head) === 0) {
    const likely = rankFormats(source.head, parsers)[0];
    throw new ReportParseError(
      parser.format,
      `the report is not ${parser.displayName}${
        likely ? `; it looks like ${likely.parser.displayName} (${likely.parser.format})` : ''
      }`,
    );
  }
  return parser;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '(finding)';
  return `${field}: ${issue.message}`;
}

/**
 * Reads a report into canonical findings: picks the parser (or checks the one named), computes
 * each finding's fingerprint for the asset, completes it with the scan context, checks it
 * against Finding v1, and keeps the first of several findings with one fingerprint.
 */
export function parseReport(source: ReportSource, options: ParseReportOptions): ParsedReport {
  const context = ScanContextSchema.safeParse(options.context);
  if (!context.success) {
    throw new PermanentError(
      `invalid scan context: ${context.error.issues.map(describeIssue).join('; ')}`,
    );
  }
  const parser = chooseParser(source, options);
  const { scanId, asset, detectedAt } = options.context;
  const seen = new Set<string>();
  const severityCounts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  const tools = new Map<string, ToolRef>();
  let duplicates = 0;
  let started = false;
  let lastTool: ToolRef | undefined;

  async function* findings(): AsyncGenerator<FindingV1> {
    if (started) throw new Error('the findings of a parsed report can be read only once');
    started = true;
    const announce = (tool: ToolRef): void => {
      const toolKey = `${tool.name}\u0000${tool.version ?? ''}`;
      if (!tools.has(toolKey)) tools.set(toolKey, { ...tool });
    };
    const parseOptions: ParseOptions = { onTool: announce };
    if (options.maxFindings !== undefined) parseOptions.maxFindings = options.maxFindings;
    let index = 0;
    for await (const parsed of parser.parse(source, parseOptions)) {
      if (options.maxFindings !== undefined && index >= options.maxFindings) {
        throw new ReportParseError(
          parser.format,
          `the report has more than ${options.maxFindings} findings (the configured limit)`,
        );
      }
      const finding = complete(parsed, scanId, asset, detectedAt);
      const extra = unexpectedKey(parsed, PARSED_FIELDS);
      const problem =
        extra === undefined
          ? findingContentProblem(finding)
          : `(finding): unrecognized key "${extra}"`;
      if (problem !== undefined) {
        // What the parser set beyond the contract (a defect) goes along, for zod to name it.
        const { fingerprintBasis: _basis, ...fromParser } = parsed;
        const checked = FindingWithoutContext.safeParse({ ...fromParser, ...finding });
        const problems = checked.success
          ? problem
          : checked.error.issues.slice(0, 3).map(describeIssue).join('; ');
        throw new ReportParseError(
          parser.format,
          `finding ${index} does not fit Finding v1 (${problems}); this is a defect in the ${parser.displayName} parser`,
          {},
          checked.success ? {} : { cause: checked.error },
        );
      }
      index++;
      if (seen.has(finding.fingerprint)) {
        duplicates++;
        continue;
      }
      seen.add(finding.fingerprint);
      severityCounts[finding.severity.normalized]++;
      // Parsers share one tool object across findings: look it up only when it changes.
      if (finding.tool !== lastTool) {
        lastTool = finding.tool;
        const toolKey = `${lastTool.name}\u0000${lastTool.version ?? ''}`;
        if (!tools.has(toolKey)) tools.set(toolKey, { ...lastTool });
      }
      // Checked above and in the scan context: the producer need not check it against Finding
      // v1 a second time on the way out.
      markConforming(FindingV1, finding);
      yield finding;
    }
    if (tools.size === 0 && parser.defaultTool !== undefined) announce(parser.defaultTool);
  }

  return {
    format: parser.format,
    displayName: parser.displayName,
    findings: { [Symbol.asyncIterator]: findings },
    summary: () => ({
      count: seen.size,
      duplicates,
      severityCounts: { ...severityCounts },
      tools: [...tools.values()],
    }),
  };
}

const ADDED_BY_PIPELINE = new Set(['fingerprint', 'scanId', 'asset', 'detectedAt']);

function complete(
  parsed: ParsedFinding,
  scanId: string,
  asset: AssetRef,
  detectedAt: string,
): FindingV1 {
  // Built field by field in contract order (not with rest/spread): one allocation and one object
  // shape for every finding. Absent optional fields are undefined, which JSON leaves out.
  const finding: FindingV1 = {
    fingerprint: computeFingerprint(parsed.fingerprintBasis, asset.id),
    scanId,
    kind: parsed.kind,
    title: parsed.title,
    description: parsed.description,
    rule: parsed.rule,
    severity: parsed.severity,
    vulnerability: parsed.vulnerability,
    cvss: parsed.cvss,
    cwes: parsed.cwes,
    component: parsed.component,
    location: parsed.location,
    references: parsed.references,
    tags: parsed.tags,
    tool: parsed.tool,
    asset,
    detectedAt,
  };
  return finding;
}

/** What a parser may set: Finding v1 without what the pipeline adds, and the fingerprint basis. */
const PARSED_FIELDS: ReadonlySet<string> = new Set([
  ...[...FINDING_OBJECT_KEYS.finding].filter((key) => !ADDED_BY_PIPELINE.has(key)),
  'fingerprintBasis',
]);
