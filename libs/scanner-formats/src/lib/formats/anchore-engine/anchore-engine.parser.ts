import { FindingLimit } from '../../core/finding-limit';
import { pointerTo } from '../../core/json-pointer';
import { expectArray, expectObject, text } from '../../core/json-value';
import type { ParsedFinding, ReportParser } from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import { type AnchoreContext, mapAnchoreVulnerability } from './anchore-vulnerability';

const FORMAT = 'anchore-engine';

const IMAGE_DIGEST_RE = /"imageDigest"\s*:\s*"/;
const VULNERABILITIES_RE = /"vulnerabilities"\s*:\s*\[/;
const VULNERABILITY_TYPE_RE = /"vulnerability_type"\s*:\s*"/;
const FEED_GROUP_RE = /"feed_group"\s*:\s*"/;
const PACKAGE_NAME_RE = /"package_name"\s*:\s*"/;
const VULN_KEY_RE = /"vuln"\s*:\s*"/;

function detect(head: string): number {
  if (!VULNERABILITIES_RE.test(head)) return 0;
  const entryShape =
    FEED_GROUP_RE.test(head) && PACKAGE_NAME_RE.test(head) && VULN_KEY_RE.test(head);
  if (IMAGE_DIGEST_RE.test(head) && (entryShape || VULNERABILITY_TYPE_RE.test(head))) return 0.95;
  return entryShape ? 0.8 : 0;
}

/** The walk over `anchore-cli --json image vuln <image> all` output. */
function* anchoreFindings(document: unknown): Generator<ParsedFinding> {
  const root = expectObject(FORMAT, document, '');
  const entries = expectArray(FORMAT, root['vulnerabilities'], '/vulnerabilities');
  const context: AnchoreContext = {
    tool: { name: 'anchore-engine' },
    vulnerabilityType: text(root['vulnerability_type']),
  };
  for (let index = 0; index < entries.length; index += 1) {
    yield mapAnchoreVulnerability(entries[index], pointerTo('/vulnerabilities', index), context);
  }
}

export const anchoreEngineParser: ReportParser = {
  format: FORMAT,
  displayName: 'Anchore Engine vulnerability JSON',
  defaultTool: { name: 'anchore-engine' },
  detect,
  async *parse(source, options) {
    const document = parseJsonText(await source.text(), FORMAT);
    yield* new FindingLimit(FORMAT, options.maxFindings).through(anchoreFindings(document));
  },
};
