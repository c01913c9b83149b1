import type { ToolRef } from '@hum/contracts';
import { FindingLimit } from '../../core/finding-limit';
import { pointerTo } from '../../core/json-pointer';
import {
  expectArray,
  expectObject,
  isJsonObject,
  optionalArray,
  text,
} from '../../core/json-value';
import type { ParsedFinding, ReportParser } from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import { mapOsvPackage, type OsvSourceContext } from './osv-package';

const FORMAT = 'osv-scanner';

const RESULTS_RE = /"results"\s*:\s*\[/;
const PACKAGE_ENTRY_RE = /"packages"\s*:\s*\[\s*\{\s*"package"\s*:\s*\{/;
const SOURCE_PATH_RE = /"source"\s*:\s*\{\s*"path"\s*:/;
const PACKAGES_RE = /"packages"\s*:\s*\[/;
const EMPTY_RESULTS_RE = /^\s*\{\s*"results"\s*:\s*\[\s*\]/;
const EXPERIMENTAL_CONFIG_RE = /"experimental_config"\s*:\s*\{/;

function detect(head: string): number {
  if (!RESULTS_RE.test(head)) return 0;
  if (PACKAGE_ENTRY_RE.test(head)) return 0.95;
  if (SOURCE_PATH_RE.test(head) && PACKAGES_RE.test(head)) return 0.9;
  if (EMPTY_RESULTS_RE.test(head) && EXPERIMENTAL_CONFIG_RE.test(head)) return 0.8;
  return 0;
}

const TOOL: ToolRef = { name: 'osv-scanner' };

/** The walk: results[] (one per scanned source) → packages[] → mapOsvPackage. */
function* osvFindings(document: unknown): Generator<ParsedFinding> {
  const root = expectObject(FORMAT, document, '');
  const results = expectArray(FORMAT, root['results'], '/results');
  for (let r = 0; r < results.length; r += 1) {
    const resultPointer = pointerTo('/results', r);
    const result = expectObject(FORMAT, results[r], resultPointer);
    const source = isJsonObject(result['source']) ? result['source'] : {};
    const context: OsvSourceContext = {
      tool: TOOL,
      path: text(source['path']),
      type: text(source['type']),
    };
    const packagesPointer = pointerTo(resultPointer, 'packages');
    const packages = optionalArray(FORMAT, result['packages'], packagesPointer);
    for (let p = 0; p < packages.length; p += 1) {
      yield* mapOsvPackage(packages[p], pointerTo(packagesPointer, p), context);
    }
  }
}

export const osvScannerParser: ReportParser = {
  format: FORMAT,
  displayName: 'OSV-Scanner JSON',
  defaultTool: { name: 'osv-scanner' },
  detect,
  async *parse(source, options) {
    const text = await source.text();
    // osv-scanner prints nothing on stdout when it finds no package source to scan.
    if (text.trim() === '') return;
    const document = parseJsonText(text, FORMAT);
    yield* new FindingLimit(FORMAT, options.maxFindings).through(osvFindings(document));
  },
};
