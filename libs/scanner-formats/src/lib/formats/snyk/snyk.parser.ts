import type { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { normalizePath } from '../../core/fingerprint';
import { jsonPointer, pointerTo, type JsonPathSegment } from '../../core/json-pointer';
import { isJsonObject, text } from '../../core/json-value';
import type { ParsedFinding, ParseOptions, ReportParser, ReportSource } from '../../core/types';
import { readWithContext, type ContextualSpec } from '../../stream/read-with-context';
import {
  isLicenseIssue,
  mapSnykVulnerability,
  type SnykProjectContext,
} from './snyk-vulnerability';

const FORMAT = 'snyk';

const VULNERABILITIES_RE = /"vulnerabilities"\s*:\s*\[/;
const UPGRADE_PATH_RE = /"upgradePath"\s*:\s*\[/;
const IS_UPGRADABLE_RE = /"isUpgradable"\s*:\s*(?:true|false)/;
const OK_RE = /"ok"\s*:\s*(?:true|false)/;
const DEPENDENCY_COUNT_RE = /"dependencyCount"\s*:\s*\d/;
const PROJECT_KEYS_RE = /"(?:packageManager|uniqueCount|projectName)"\s*:/;
const ERROR_RE = /"ok"\s*:\s*false[\s\S]*"error"\s*:\s*"|"error"\s*:\s*"[\s\S]*"ok"\s*:\s*false/;

function detect(head: string): number {
  const issueKeys = UPGRADE_PATH_RE.test(head) && IS_UPGRADABLE_RE.test(head);
  if (VULNERABILITIES_RE.test(head) && issueKeys) return 0.95;
  if (OK_RE.test(head) && DEPENDENCY_COUNT_RE.test(head) && PROJECT_KEYS_RE.test(head)) return 0.9;
  // `snyk test --json` failing prints `{ ok: false, error, path }`: claim it to report the error.
  if (ERROR_RE.test(head) && !VULNERABILITIES_RE.test(head)) return 0.5;
  return 0;
}

const TOOL: ToolRef = { name: 'snyk' };

type SnykContextName =
  'projectName' | 'displayTargetFile' | 'targetFile' | 'packageManager' | 'error';
type SnykMark = 'project' | 'vulnerabilities';

/** A project's fields, at the root (one project) or in each element of the root array. */
function projectPatterns(field: string): string[] {
  return [field, `#.${field}`];
}

const SPEC: ContextualSpec<'issue', SnykContextName, SnykMark> = {
  format: FORMAT,
  elements: { issue: projectPatterns('vulnerabilities.#') },
  context: {
    projectName: projectPatterns('projectName'),
    displayTargetFile: projectPatterns('displayTargetFile'),
    targetFile: projectPatterns('targetFile'),
    packageManager: projectPatterns('packageManager'),
    error: projectPatterns('error'),
  },
  mark: { project: ['', '#'], vulnerabilities: projectPatterns('vulnerabilities') },
  // Snyk writes a project's fields after its issues.
  contextFirst: true,
  expect: {
    '': ['object', 'array'],
    '#': 'object',
    vulnerabilities: 'array',
    '#.vulnerabilities': 'array',
  },
};

/** What the context pass learns about one project (the root, or one element of the root array). */
interface SnykProject {
  pointer: string;
  fields: Partial<Record<SnykContextName, string>>;
  hasVulnerabilities: boolean;
  context: SnykProjectContext | undefined;
}

/** `snyk test --json`: one project object, or the array `--all-projects` prints. */
async function* parse(source: ReportSource, options: ParseOptions): AsyncGenerator<ParsedFinding> {
  const projects = new Map<string, SnykProject>();
  // A value's project is the root (one project), else the element of the root array it is in.
  const projectOf = (path: readonly JsonPathSegment[]): SnykProject => {
    const pointer = typeof path[0] === 'number' ? `/${path[0]}` : '';
    let project = projects.get(pointer);
    if (project === undefined) {
      project = { pointer, fields: {}, hasVulnerabilities: false, context: undefined };
      projects.set(pointer, project);
    }
    return project;
  };
  yield* readWithContext(
    source,
    SPEC,
    {
      context: (item) => {
        if (item.name === 'project') {
          // The root array itself is not a project; its elements are.
          if (item.kind === 'object') projectOf(item.path);
          return;
        }
        const project = projectOf(item.path);
        if (item.name === 'vulnerabilities') project.hasVulnerabilities = true;
        else project.fields[item.name] = text(item.value);
      },
      element: (item) => {
        const project = projectOf(item.path);
        if (isJsonObject(item.value) && isLicenseIssue(item.value)) return [];
        project.context ??= projectContext(project);
        return [mapSnykVulnerability(item.value, jsonPointer(item.path), project.context)];
      },
    },
    options,
  );
  for (const project of projects.values()) checkProject(project);
}

/** A project without issues is Snyk's error object, or not a Snyk project at all. */
function checkProject(project: SnykProject): void {
  if (project.hasVulnerabilities) return;
  const error = project.fields.error;
  if (error !== undefined) {
    throw new ReportParseError(FORMAT, `snyk reported an error: ${error.slice(0, 500)}`, {
      pointer: pointerTo(project.pointer, 'error'),
    });
  }
  throw new ReportParseError(FORMAT, 'expected an array, found nothing', {
    pointer: pointerTo(project.pointer, 'vulnerabilities'),
  });
}

function projectContext(project: SnykProject): SnykProjectContext {
  const { fields } = project;
  // Snyk on Windows writes `project-a\\pom.xml`; the same file from any runner is one path.
  const targetFile = fields.displayTargetFile ?? fields.targetFile;
  return {
    tool: TOOL,
    projectName: fields.projectName,
    targetFile: targetFile === undefined ? undefined : normalizePath(targetFile),
    packageManager: fields.packageManager,
  };
}

export const snykParser: ReportParser = {
  format: FORMAT,
  displayName: 'Snyk Open Source / Container JSON',
  defaultTool: { name: 'snyk' },
  detect,
  parse,
};
