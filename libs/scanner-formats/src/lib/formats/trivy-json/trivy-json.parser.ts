import type { ToolRef } from '@hum/contracts';
import { JsonFields } from '../../core/json-fields';
import type { ParsedFinding, ParseOptions, ReportParser, ReportSource } from '../../core/types';
import { readJsonHead } from '../../stream/json-head';
import type { JsonKind } from '../../stream/path-pattern';
import { readWithContext, type ContextualSpec } from '../../stream/read-with-context';
import { TrivyContext, type TrivyContextName } from './trivy-context';
import { trivyMisconfiguration } from './trivy-misconfiguration';
import { trivySecret } from './trivy-secret';
import { trivyVulnerability } from './trivy-vulnerability';

type TrivyElement = 'vulnerability' | 'misconfiguration' | 'secret';

/**
 * Where results live. Schema 2: `Results[]`. Cluster reports: `Resources[].Results[]` (Trivy
 * 0.4x+) or `Vulnerabilities[]` / `Misconfigurations[]` of resources (earlier). Legacy: a
 * top-level list of results.
 */
const OBJECT_RESULTS = [
  'Results.#',
  'Resources.#.Results.#',
  'Vulnerabilities.#.Results.#',
  'Misconfigurations.#.Results.#',
];
const RESOURCE_LISTS = ['Resources', 'Vulnerabilities', 'Misconfigurations'];
const LIST_RESULTS = ['#'];

const ARRAY_OR_NULL: JsonKind[] = ['array', 'null'];

function streamSpec(
  resultPaths: readonly string[],
  objectRoot: boolean,
): ContextualSpec<TrivyElement, TrivyContextName> {
  const at = (suffix: string): string[] => resultPaths.map((result) => `${result}.${suffix}`);
  const expect: Record<string, JsonKind | JsonKind[]> = {};
  for (const result of resultPaths) {
    expect[result] = 'object';
    for (const list of ['Vulnerabilities', 'Misconfigurations', 'Secrets']) {
      expect[`${result}.${list}`] = ARRAY_OR_NULL;
      expect[`${result}.${list}.#`] = 'object';
    }
  }
  if (objectRoot) {
    // Trivy before schema 2 printed `null` for a scan with no results.
    expect[''] = ['object', 'null'];
    expect['Results'] = ARRAY_OR_NULL;
    for (const list of RESOURCE_LISTS) {
      expect[list] = ARRAY_OR_NULL;
      expect[`${list}.#`] = 'object';
      expect[`${list}.#.Results`] = ARRAY_OR_NULL;
    }
  } else {
    expect[''] = 'array';
  }
  return {
    format: 'trivy-json',
    elements: {
      vulnerability: at('Vulnerabilities.#'),
      misconfiguration: at('Misconfigurations.#'),
      secret: at('Secrets.#'),
    },
    context: {
      target: at('Target'),
      targetClass: at('Class'),
      targetType: at('Type'),
      resourceNamespace: objectRoot ? RESOURCE_LISTS.map((list) => `${list}.#.Namespace`) : [],
      resourceKind: objectRoot ? RESOURCE_LISTS.map((list) => `${list}.#.Kind`) : [],
      resourceName: objectRoot ? RESOURCE_LISTS.map((list) => `${list}.#.Name`) : [],
      trivyVersion: objectRoot ? ['Trivy.Version'] : [],
    },
    expect,
  };
}

const OBJECT_SPEC = streamSpec(OBJECT_RESULTS, true);
const LIST_SPEC = streamSpec(LIST_RESULTS, false);

function detect(text: string): number {
  const head = readJsonHead(text);
  if (head.root === 'object') {
    const schema2 = head.has('SchemaVersion') && (head.has('Results') || head.has('ArtifactName'));
    if (schema2) return head.has('ArtifactType') || head.has('Results') ? 1 : 0.9;
    const cluster =
      head.has('ClusterName') &&
      (head.has('Resources') || head.has('Vulnerabilities') || head.has('Misconfigurations'));
    if (cluster) return 0.95;
    const results =
      head.has('Results.#.Target') &&
      (head.has('Results.#.Vulnerabilities') ||
        head.has('Results.#.Misconfigurations') ||
        head.has('Results.#.Secrets') ||
        head.has('Results.#.Class'));
    // A key-sorted report (jq -S) may fill the window with findings before Target and SchemaVersion.
    const findings =
      head.has('Results.#.Vulnerabilities.#.VulnerabilityID') ||
      (head.has('Results.#.Misconfigurations.#.ID') &&
        head.has('Results.#.Misconfigurations.#.Status'));
    return results || findings ? 0.8 : 0;
  }
  if (head.root === 'array') {
    return head.has('#.Target') && (head.has('#.Vulnerabilities') || head.has('#.Type')) ? 0.8 : 0;
  }
  // Trivy before schema 2 printed `null` for a scan with no results.
  if (head.root === 'null' && head.complete) return 0.2;
  return 0;
}

function rootKind(head: string): 'object' | 'array' | 'other' {
  const first = head.trimStart().charAt(0);
  return first === '{' ? 'object' : first === '[' ? 'array' : 'other';
}

function parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  const root = rootKind(source.head);
  // `null` (old Trivy, nothing found) and anything malformed go through the object spec: the
  // stream reader accepts the former and reports the latter with its position.
  const spec = root === 'array' ? LIST_SPEC : OBJECT_SPEC;
  const context = new TrivyContext();
  let tool: ToolRef = { name: 'Trivy' };
  const toolFor = (): ToolRef => {
    if (context.trivyVersion !== undefined && tool.version !== context.trivyVersion) {
      tool = { name: 'Trivy', version: context.trivyVersion.slice(0, 100) };
    }
    return tool;
  };
  // Returned, not delegated to: one asynchronous step less per finding.
  return readWithContext(
    source,
    spec,
    {
      context: (item) => context.accept(item),
      element: (item, complete) => {
        const place = context.placeOf(item.path, complete);
        const fields = JsonFields.of('trivy-json', item.value, item.path);
        let finding: ParsedFinding | undefined;
        switch (item.name) {
          case 'vulnerability':
            finding = trivyVulnerability(fields, place, toolFor());
            break;
          case 'misconfiguration':
            finding = trivyMisconfiguration(fields, place, toolFor());
            break;
          case 'secret':
            finding = trivySecret(fields, place, toolFor());
            break;
        }
        return finding === undefined ? [] : [finding];
      },
    },
    options,
  );
}

export const trivyJsonParser: ReportParser = {
  format: 'trivy-json',
  displayName: 'Trivy JSON',
  defaultTool: { name: 'Trivy' },
  detect,
  parse,
};
