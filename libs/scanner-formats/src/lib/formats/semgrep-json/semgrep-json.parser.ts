import type { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { JsonFields } from '../../core/json-fields';
import { truncate } from '../../core/normalize';
import type { ParsedFinding, ParseOptions, ReportParser, ReportSource } from '../../core/types';
import { readJsonHead } from '../../stream/json-head';
import { parseJsonText } from '../../stream/json-stream';
import { semgrepApiFinding } from './semgrep-api-finding';
import { semgrepCliResult } from './semgrep-cli-result';

function detect(text: string): number {
  const head = readJsonHead(text);
  if (head.root !== 'object') return 0;
  if (head.kind('results') === 'array') {
    if (head.has('results.#.check_id')) return 1;
    // An empty CLI report: `{"results": [], "errors": []}` plus, in newer versions, paths/version.
    if (head.kind('errors') === 'array' && !head.has('results.#')) {
      return head.has('paths') || head.has('version') ? 0.8 : 0.6;
    }
    return 0;
  }
  if (head.kind('findings') === 'array' && head.has('findings.#.rule_name')) {
    return head.has('findings.#.match_based_id') || head.has('findings.#.syntactic_id') ? 0.9 : 0.7;
  }
  return 0;
}

async function* parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  // Semgrep reports are small (one entry per match, no advisories): read in one piece.
  const report = JsonFields.of(
    'semgrep-json',
    parseJsonText(await source.text(), 'semgrep-json'),
    [],
  );
  const version = report.string('version');
  const tool: ToolRef = {
    name: 'Semgrep',
    ...(version ? { version: truncate(version, 100)! } : {}),
  };
  options.onTool?.(tool);
  const api = !report.has('results') && report.has('findings');
  if (!api && !report.has('results')) {
    throw new ReportParseError(
      'semgrep-json',
      'not a Semgrep report: no "results" (CLI) or "findings" (API)',
      {
        pointer: '/results',
      },
    );
  }
  const limit = new FindingLimit('semgrep-json', options.maxFindings);
  for (const entry of report.objects(api ? 'findings' : 'results')) {
    const finding = api ? semgrepApiFinding(entry, tool) : semgrepCliResult(entry, tool);
    if (finding === undefined) continue;
    limit.take({ pointer: entry.pointer() });
    yield finding;
  }
}

export const semgrepJsonParser: ReportParser = {
  format: 'semgrep-json',
  displayName: 'Semgrep JSON',
  defaultTool: { name: 'Semgrep' },
  detect,
  parse,
};
