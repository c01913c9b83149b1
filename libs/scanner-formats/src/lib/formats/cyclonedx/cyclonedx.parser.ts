import { jsonPointer } from '../../core/json-pointer';
import type { ParsedFinding, ParseOptions, ReportParser, ReportSource } from '../../core/types';
import {
  ContextNotYetRead,
  readWithContext,
  type ContextualSpec,
} from '../../stream/read-with-context';
import { ComponentIndex } from './component-index';
import {
  type CycloneDxContext,
  firstTool,
  mapCycloneDxVulnerability,
} from './cyclonedx-vulnerability';

const FORMAT = 'cyclonedx';

const BOM_FORMAT_RE = /"bomFormat"\s*:\s*"CycloneDX"/;
const SPEC_VERSION_RE = /"specVersion"\s*:\s*"1\.\d+"/;

function detect(head: string): number {
  if (!BOM_FORMAT_RE.test(head)) return 0;
  return SPEC_VERSION_RE.test(head) ? 0.95 : 0.85;
}

type CycloneDxContextName = 'component' | 'metadataComponent' | 'tools';
type CycloneDxMark = 'components' | 'metadata';

const SPEC: ContextualSpec<'vulnerability', CycloneDxContextName, CycloneDxMark> = {
  format: FORMAT,
  elements: { vulnerability: 'vulnerabilities.#' },
  context: {
    component: 'components.#',
    metadataComponent: 'metadata.component',
    tools: 'metadata.tools',
  },
  mark: { components: 'components', metadata: 'metadata' },
  expect: { '': 'object', components: ['array', 'null'], vulnerabilities: ['array', 'null'] },
};

/**
 * Vulnerabilities, each mapped against the index of the BOM's components (any depth), which
 * producers write before the vulnerabilities; a BOM that lists them after is read in a second
 * pass for them. A BOM without `vulnerabilities` is an inventory, not a finding list: nothing.
 */
async function* parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  const context: CycloneDxContext = { tool: undefined, components: new ComponentIndex() };
  let componentsSeen = false;
  let metadataSeen = false;
  yield* readWithContext(
    source,
    SPEC,
    {
      context: (item) => {
        switch (item.name) {
          case 'components':
            componentsSeen = true;
            return;
          case 'metadata':
            metadataSeen = true;
            return;
          case 'component':
            context.components.addComponent(item.value);
            return;
          case 'metadataComponent':
            context.components.setMetadataComponent(item.value);
            return;
          case 'tools':
            context.tool = firstTool(item.value);
            if (context.tool !== undefined) options.onTool?.(context.tool);
            return;
        }
      },
      element: (item, complete) => {
        // Vulnerabilities are never inside `components` or `metadata`: once those have begun,
        // they are read.
        if (!complete && !(componentsSeen && metadataSeen)) throw new ContextNotYetRead();
        return mapCycloneDxVulnerability(item.value, jsonPointer(item.path), context);
      },
    },
    options,
  );
}

export const cyclonedxParser: ReportParser = {
  format: FORMAT,
  displayName: 'CycloneDX JSON (1.4–1.6) with vulnerabilities',
  defaultTool: { name: 'cyclonedx' },
  detect,
  parse,
};
