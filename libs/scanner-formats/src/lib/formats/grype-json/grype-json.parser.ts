import type { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { jsonPointer } from '../../core/json-pointer';
import { text } from '../../core/json-value';
import type { ParsedFinding, ParseOptions, ReportParser, ReportSource } from '../../core/types';
import {
  ContextNotYetRead,
  readWithContext,
  type ContextualSpec,
} from '../../stream/read-with-context';
import { type GrypeContext, mapGrypeMatch } from './grype-match';

const FORMAT = 'grype-json';

const MATCHES_RE = /"matches"\s*:\s*\[/;
const EMPTY_MATCHES_RE = /^\s*\{\s*"matches"\s*:\s*\[\s*\]/;
const MATCH_KEYS_RE = /"(?:matchDetails|relatedVulnerabilities)"\s*:/;
const ARTIFACT_RE = /"artifact"\s*:\s*\{/;
const GRYPE_DESCRIPTOR_RE = /"descriptor"\s*:\s*\{\s*"name"\s*:\s*"grype"/;
const SYFT_SOURCE_RE = /"source"\s*:\s*\{\s*"(?:type|id)"\s*:/;

function detect(head: string): number {
  if (!MATCHES_RE.test(head)) return 0;
  if (MATCH_KEYS_RE.test(head) && ARTIFACT_RE.test(head)) return 0.95;
  if (GRYPE_DESCRIPTOR_RE.test(head)) return 0.9;
  // An empty report whose descriptor lies beyond the window behind a large image source.
  if (EMPTY_MATCHES_RE.test(head) && SYFT_SOURCE_RE.test(head)) return 0.6;
  return 0;
}

type GrypeContextName = 'toolVersion' | 'distroName';
type GrypeMark = 'matches' | 'descriptor' | 'distro';

const SPEC: ContextualSpec<'match', GrypeContextName, GrypeMark> = {
  format: FORMAT,
  elements: { match: 'matches.#' },
  context: { toolVersion: 'descriptor.version', distroName: 'distro.name' },
  mark: { matches: 'matches', descriptor: 'descriptor', distro: 'distro' },
  expect: { '': 'object', matches: 'array' },
};

/**
 * Grype writes `matches` first and `distro` and `descriptor` (the tool version) last: the
 * reader finds that out at the first match and reads the document's tail in a pass of its own
 * before the matches. A key-sorted report has them first and is read in one pass.
 */
async function* parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  const tool: ToolRef = { name: 'grype' };
  const context: GrypeContext = { tool, distroName: undefined };
  let descriptorSeen = false;
  let distroSeen = false;
  let matchesSeen = false;
  yield* readWithContext(
    source,
    SPEC,
    {
      context: (item) => {
        switch (item.name) {
          case 'matches':
            matchesSeen = true;
            return;
          case 'descriptor':
            descriptorSeen = true;
            return;
          case 'distro':
            distroSeen = true;
            return;
          case 'toolVersion': {
            const version = text(item.value);
            if (version !== undefined) tool.version = version.slice(0, 100);
            return;
          }
          case 'distroName':
            context.distroName = text(item.value);
            return;
        }
      },
      element: (item, complete) => {
        // Matches are never inside `descriptor` or `distro`: once those have begun, they are read.
        if (!complete && !(descriptorSeen && distroSeen)) throw new ContextNotYetRead();
        return [mapGrypeMatch(item.value, jsonPointer(item.path), context)];
      },
    },
    options,
  );
  if (!matchesSeen) {
    throw new ReportParseError(FORMAT, 'expected an array, found nothing', { pointer: '/matches' });
  }
}

export const grypeJsonParser: ReportParser = {
  format: FORMAT,
  displayName: 'Grype JSON',
  defaultTool: { name: 'grype' },
  detect,
  parse,
};
