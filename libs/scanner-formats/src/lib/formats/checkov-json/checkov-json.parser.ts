import type { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { isJsonObject } from '../../core/json-value';
import { truncate } from '../../core/normalize';
import { readWithSchema } from '../../core/read-with-schema';
import type { ParseOptions, ParsedFinding, ReportParser, ReportSource } from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import { mapCheckovFailedCheck } from './checkov-finding';
import { CheckovCheckTypeResult, CheckovFailedCheck, CheckovSummaryOnly } from './checkov-schema';

const FORMAT = 'checkov-json';
const CHECK_TYPE = /"check_type"\s*:\s*"/;
const CHECK_LISTS = /"(?:failed|passed)_checks"\s*:\s*\[/;
const CHECKOV_VERSION = /"checkov_version"\s*:\s*"/;
const SUMMARY_COUNTERS = /"(?:resource_?count|parsing_?errors)"\s*:/;
const CHECKOV_CHECK_ID = /"check_id"\s*:\s*"(?:CKV|BC)_/;

interface Part {
  result: CheckovCheckTypeResult;
  pointer: string;
}

/**
 * Checkov prints one framework's result as an object, several as an array, and only the
 * counters when it scanned nothing. Returns the framework results (none for counters).
 */
function frameworkResults(document: unknown): Part[] {
  const items = Array.isArray(document)
    ? document.map((value, index) => ({ value, pointer: `/${index}` }))
    : [{ value: document, pointer: '' }];
  const parts: Part[] = [];
  for (const { value, pointer } of items) {
    if (isJsonObject(value) && !('results' in value) && !('check_type' in value)) {
      if (!('checkov_version' in value) && !('passed' in value) && !('failed' in value)) {
        throw new ReportParseError(
          FORMAT,
          'neither a Checkov check_type result nor a Checkov summary',
          { pointer },
        );
      }
      readWithSchema(CheckovSummaryOnly, value, FORMAT, pointer);
      continue;
    }
    parts.push({ result: readWithSchema(CheckovCheckTypeResult, value, FORMAT, pointer), pointer });
  }
  return parts;
}

async function* parseCheckovJson(
  source: ReportSource,
  options: ParseOptions,
): AsyncGenerator<ParsedFinding> {
  const parts = frameworkResults(parseJsonText(await source.text(), FORMAT));
  const version = truncate(
    parts.find((part) => part.result.summary?.checkov_version)?.result.summary?.checkov_version,
    100,
  );
  const tool: ToolRef = version ? { name: 'Checkov', version } : { name: 'Checkov' };
  const limit = new FindingLimit(FORMAT, options.maxFindings);
  for (const { result, pointer } of parts) {
    const failed = result.results?.failed_checks ?? [];
    const context = { tool, checkType: result.check_type?.trim() || undefined };
    for (let index = 0; index < failed.length; index += 1) {
      const checkPointer = `${pointer}/results/failed_checks/${index}`;
      const check = readWithSchema(CheckovFailedCheck, failed[index], FORMAT, checkPointer);
      limit.take({ pointer: checkPointer });
      yield mapCheckovFailedCheck(check, context);
    }
  }
}

export const checkovJsonParser: ReportParser = {
  format: FORMAT,
  displayName: 'Checkov JSON',
  defaultTool: { name: 'Checkov' },
  detect(head: string): number {
    if (CHECK_TYPE.test(head) && CHECK_LISTS.test(head)) return 0.95;
    if (CHECKOV_VERSION.test(head) && SUMMARY_COUNTERS.test(head)) return 0.9;
    if (CHECKOV_CHECK_ID.test(head) && CHECK_LISTS.test(head)) return 0.8;
    return 0;
  },
  parse: parseCheckovJson,
};
