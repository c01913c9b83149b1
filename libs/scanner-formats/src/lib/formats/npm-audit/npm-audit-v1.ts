import type { ToolRef } from '@hum/contracts';
import {
  dependencyBasis,
  dependencyTitle,
  description,
  limitTags,
  makeComponent,
  ruleFor,
  severityOfWord,
  vulnerabilityFor,
} from '../../core/dependency-finding';
import { pointerTo } from '../../core/json-pointer';
import {
  expectObject,
  isJsonObject,
  type JsonObject,
  optionalArray,
  requiredText,
  text,
  textList,
} from '../../core/json-value';
import { httpUrls, normalizeCwes, truncate } from '../../core/normalize';
import { purlFromName } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';
import { npmAdvisoryId, npmCvss } from './npm-advisory';
import { patchedLowerBounds } from './npm-ranges';

const FORMAT = 'npm-audit';
const MARKDOWN_URL_RE = /https?:\/\/[^\s)\]>"]+/g;
// npm 6 replaces the names of private packages in paths with their SHA-256.
const CENSORED_SEGMENT_RE = /^[a-f0-9]{64}$/;
const MAX_PATHS_IN_DESCRIPTION = 20;

/**
 * Maps one npm 6 advisory (`advisories["<id>"]`) to one finding per installed version in its
 * `findings[]` (each with its own dependency paths).
 */
export function mapNpmV1Advisory(value: unknown, pointer: string, tool: ToolRef): ParsedFinding[] {
  const advisory = expectObject(FORMAT, value, pointer);
  const name = requiredText(FORMAT, advisory, 'module_name', pointer);
  const advisoryNumber = npmAdvisoryId(advisory['id']);
  const title = text(advisory['title']);
  const vulnerability = vulnerabilityFor(
    advisoryNumber === undefined ? requiredText(FORMAT, advisory, 'url', pointer) : advisoryNumber,
    [...textList(advisory['cves']), text(advisory['github_advisory_id'])],
  );
  const cvss = npmCvss(advisory['cvss']);
  const cwe = advisory['cwe'];
  const cwes = normalizeCwes(Array.isArray(cwe) ? textList(cwe) : [text(cwe)]);
  const url = text(advisory['url']);
  const references = httpUrls([
    url,
    ...(text(advisory['references'])?.match(MARKDOWN_URL_RE) ?? []),
  ]);
  const fixedVersions = patchedLowerBounds(text(advisory['patched_versions']));

  const rule = ruleFor(advisoryNumber ?? vulnerability.id, title, url);
  const severity = severityOfWord(text(advisory['severity']));

  const installs = optionalArray(FORMAT, advisory['findings'], pointerTo(pointer, 'findings'));
  const perVersion = installs.length === 0 ? [{}] : installs.filter(isJsonObject);
  return perVersion.map((install: JsonObject) => {
    const version = text(install['version']);
    const paths = textList(install['paths']).map(uncensorPath);
    const component = makeComponent({
      name,
      version,
      purl: purlFromName('npm', name, version),
      ecosystem: 'npm',
      fixedVersions,
    });
    const tags: string[] = [];
    if (install['dev'] === true) tags.push('dev-dependency');
    if (install['optional'] === true) tags.push('optional-dependency');
    if (install['bundled'] === true) tags.push('bundled-dependency');
    const finding: ParsedFinding = {
      kind: 'vulnerability',
      title: dependencyTitle(vulnerability.id, name, version, title),
      rule,
      severity,
      vulnerability,
      cvss,
      cwes,
      component,
      references,
      tags: limitTags(tags),
      tool,
      fingerprintBasis: dependencyBasis(vulnerability.id, component),
    };
    const details = description([
      text(advisory['overview']),
      text(advisory['recommendation']),
      dependencyPaths(paths),
    ]);
    if (details !== undefined) finding.description = details;
    const logical = truncate(paths[0], 1000);
    if (logical !== undefined) finding.location = { logical };
    return finding;
  });
}

function uncensorPath(path: string): string {
  return path
    .split('>')
    .map((segment) => (CENSORED_SEGMENT_RE.test(segment) ? 'censored_by_npm_audit' : segment))
    .join('>');
}

function dependencyPaths(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const shown = paths.slice(0, MAX_PATHS_IN_DESCRIPTION).join('\n');
  const more = paths.length - MAX_PATHS_IN_DESCRIPTION;
  return `Dependency paths:\n${shown}${more > 0 ? `\n… and ${more} more` : ''}`;
}
