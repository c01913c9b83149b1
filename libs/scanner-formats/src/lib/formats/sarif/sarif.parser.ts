import { ReportParseError } from '../../core/errors';
import { JsonFields } from '../../core/json-fields';
import type { ParsedFinding, ParseOptions, ReportParser, ReportSource } from '../../core/types';
import { readJsonHead } from '../../stream/json-head';
import {
  ContextNotYetRead,
  readWithContext,
  type ContextualSpec,
} from '../../stream/read-with-context';
import { sarifResultFindings } from './sarif-result';
import { digestRun, type SarifRun } from './sarif-run';

const SPEC: ContextualSpec<'result', 'tool' | 'artifactUri' | 'version'> = {
  format: 'sarif',
  elements: { result: 'runs.#.results.#' },
  context: {
    tool: 'runs.#.tool',
    artifactUri: 'runs.#.artifacts.#.location.uri',
    version: 'version',
  },
  expect: {
    '': 'object',
    runs: ['array', 'null'],
    'runs.#': 'object',
    'runs.#.tool': 'object',
    'runs.#.results': ['array', 'null'],
    'runs.#.results.#': 'object',
    'runs.#.artifacts': ['array', 'null'],
  },
};

function detect(text: string): number {
  const head = readJsonHead(text);
  if (head.root !== 'object' || !head.has('runs')) return 0;
  const version = head.scalar('version');
  const schema = head.scalar('$schema');
  const sarifSchema = typeof schema === 'string' && /sarif/i.test(schema);
  if (version === '2.1.0' && (sarifSchema || head.has('runs.#.tool'))) return 1;
  if (version === '2.1.0' || sarifSchema) return 0.9;
  return head.has('runs.#.tool.driver') ? 0.6 : 0;
}

async function* parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  const runs = new Map<number, SarifRun>();
  const artifacts = new Map<number, Map<number, string>>();
  const artifactsOf = (runIndex: number): Map<number, string> => {
    let uris = artifacts.get(runIndex);
    if (uris === undefined) {
      uris = new Map();
      artifacts.set(runIndex, uris);
    }
    return uris;
  };
  let version: unknown;
  yield* readWithContext(
    source,
    SPEC,
    {
      context: (item) => {
        const runIndex = item.path[1] as number;
        switch (item.name) {
          case 'version':
            version = item.value;
            return;
          case 'tool': {
            const run = digestRun(item.value, item.path, artifactsOf(runIndex));
            runs.set(runIndex, run);
            options.onTool?.(run.tool);
            return;
          }
          case 'artifactUri':
            if (typeof item.value === 'string')
              artifactsOf(runIndex).set(item.path[3] as number, item.value);
            return;
        }
      },
      element: (item, complete) => {
        const runIndex = item.path[1] as number;
        const run = runs.get(runIndex);
        if (run === undefined) {
          if (!complete) throw new ContextNotYetRead();
          const pointer = `/runs/${runIndex}/tool`;
          throw new ReportParseError('sarif', `run ${runIndex} has results but no tool`, {
            pointer,
          });
        }
        return sarifResultFindings(JsonFields.of('sarif', item.value, item.path), run);
      },
    },
    options,
  );
  if (version !== '2.1.0') {
    throw new ReportParseError(
      'sarif',
      version === undefined
        ? 'not a SARIF log: it has no "version"'
        : `SARIF version ${JSON.stringify(version)} is not supported; hum reads SARIF 2.1.0`,
      { pointer: '/version' },
    );
  }
}

export const sarifParser: ReportParser = {
  format: 'sarif',
  displayName: 'SARIF 2.1.0',
  detect,
  parse,
};
