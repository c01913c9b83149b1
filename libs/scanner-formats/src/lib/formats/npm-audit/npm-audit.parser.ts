import type { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { pointerTo } from '../../core/json-pointer';
import { expectObject, isJsonObject, type JsonObject, text } from '../../core/json-value';
import type { ParsedFinding, ReportParser } from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import { mapNpmV1Advisory } from './npm-audit-v1';
import { mapNpmV2Entry } from './npm-audit-v2';

const FORMAT = 'npm-audit';

const V2_RE = /"auditReportVersion"\s*:\s*2\b/;
const ADVISORIES_RE = /"advisories"\s*:\s*\{/;
const V1_TOP_KEYS_RE = /"(?:actions|muted)"\s*:\s*\[/;
const V1_ADVISORY_KEYS_RE = /"module_name"\s*:\s*"/;
const V1_FINDINGS_RE = /"findings"\s*:\s*\[/;
const NPM_ERROR_RE = /^\s*\{\s*"error"\s*:\s*\{\s*"code"\s*:\s*"E[A-Z0-9]+"/;
const NPM_ERROR_SUMMARY_RE = /"summary"\s*:\s*"/;

function detect(head: string): number {
  if (V2_RE.test(head)) return 0.95;
  if (ADVISORIES_RE.test(head)) {
    if (V1_TOP_KEYS_RE.test(head)) return 0.9;
    if (V1_ADVISORY_KEYS_RE.test(head) && V1_FINDINGS_RE.test(head)) return 0.85;
  }
  // `npm audit --json` prints npm's error object when the registry cannot audit: claiming it
  // lets the parser say so instead of "unknown format".
  if (NPM_ERROR_RE.test(head) && NPM_ERROR_SUMMARY_RE.test(head)) return 0.5;
  return 0;
}

const TOOL: ToolRef = { name: 'npm-audit' };

/** The walk: npm 6 `advisories{}` or npm 7+ `vulnerabilities{}` (auditReportVersion 2). */
function* npmAuditFindings(document: unknown): Generator<ParsedFinding> {
  const root = expectObject(FORMAT, document, '');
  if (root['error'] !== undefined) throw npmError(root['error']);
  const version = root['auditReportVersion'];
  if (version === 2) {
    const entries = expectObject(FORMAT, root['vulnerabilities'], '/vulnerabilities');
    const context = { tool: TOOL, entries };
    for (const key of Object.keys(entries)) {
      yield* mapNpmV2Entry(key, entries[key], pointerTo('/vulnerabilities', key), context);
    }
    return;
  }
  if (version !== undefined) {
    throw new ReportParseError(
      FORMAT,
      `unsupported auditReportVersion ${JSON.stringify(version)}`,
      {
        pointer: '/auditReportVersion',
      },
    );
  }
  const advisories: JsonObject = expectObject(FORMAT, root['advisories'], '/advisories');
  for (const key of Object.keys(advisories)) {
    yield* mapNpmV1Advisory(advisories[key], pointerTo('/advisories', key), TOOL);
  }
}

function npmError(error: unknown): ReportParseError {
  const details = isJsonObject(error) ? error : {};
  const parts = [text(details['code']), text(details['summary']) ?? text(error)].filter(
    (part): part is string => part !== undefined,
  );
  return new ReportParseError(
    FORMAT,
    `npm audit report contains errors: ${parts.join(': ') || 'no details'}`,
    { pointer: '/error' },
  );
}

export const npmAuditParser: ReportParser = {
  format: FORMAT,
  displayName: 'npm audit JSON (npm 6 and npm 7+)',
  defaultTool: { name: 'npm-audit' },
  detect,
  async *parse(source, options) {
    const document = parseJsonText(await source.text(), FORMAT);
    yield* new FindingLimit(FORMAT, options.maxFindings).through(npmAuditFindings(document));
  },
};
