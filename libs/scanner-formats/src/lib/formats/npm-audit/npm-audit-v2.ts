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
import { ReportParseError } from '../../core/errors';
import { pointerTo } from '../../core/json-pointer';
import {
  expectObject,
  isJsonObject,
  type JsonObject,
  optionalArray,
  text,
  textList,
} from '../../core/json-value';
import { extractGhsas, httpUrls, normalizeCwes, truncate } from '../../core/normalize';
import { purlFromName } from '../../core/purl';
import type { ParsedFinding } from '../../core/types';
import { npmAdvisoryId, npmCvss } from './npm-advisory';
import { vulnerableUpperBounds } from './npm-ranges';

const FORMAT = 'npm-audit';
const MAX_CHAIN = 12;

export interface NpmV2Context {
  tool: ToolRef;
  /** The whole `vulnerabilities` map: `effects` chains are followed through it. */
  entries: JsonObject;
}

/**
 * Maps one entry of npm 7+'s `vulnerabilities` map (`vulnerabilities["<name>"]`) to one finding
 * per advisory object in its `via[]`. Strings in `via` name another vulnerable package: that
 * package's own entry carries the advisory, so they add no finding here.
 */
export function mapNpmV2Entry(
  key: string,
  value: unknown,
  pointer: string,
  context: NpmV2Context,
): ParsedFinding[] {
  const entry = expectObject(FORMAT, value, pointer);
  const via = optionalArray(FORMAT, entry['via'], pointerTo(pointer, 'via'));
  const findings: ParsedFinding[] = [];
  const seen = new Set<unknown>();
  for (let index = 0; index < via.length; index += 1) {
    const advisory = via[index];
    if (!isJsonObject(advisory)) continue;
    // npm lists an advisory once per entry; a repeat would only duplicate the finding.
    const identity = advisory['source'] ?? advisory['url'];
    if (identity !== undefined && seen.has(identity)) continue;
    seen.add(identity);
    const advisoryPointer = pointerTo(pointerTo(pointer, 'via'), index);
    findings.push(mapAdvisory(key, entry, advisory, advisoryPointer, context));
  }
  return findings;
}

function mapAdvisory(
  key: string,
  entry: JsonObject,
  advisory: JsonObject,
  pointer: string,
  context: NpmV2Context,
): ParsedFinding {
  const name = text(advisory['name']) ?? text(entry['name']) ?? key;
  const url = text(advisory['url']);
  const sourceId = npmAdvisoryId(advisory['source']);
  const primaryId = extractGhsas(url)[0] ?? sourceId ?? url;
  if (primaryId === undefined) {
    throw new ReportParseError(FORMAT, 'an advisory in `via` needs a `source` or `url`', {
      pointer,
    });
  }
  const vulnerability = vulnerabilityFor(primaryId, [sourceId]);
  const advisoryTitle = text(advisory['title']);
  const vulnerableRange = text(advisory['range']);
  const nodes = textList(entry['nodes']);
  const component = makeComponent({
    name,
    purl: purlFromName('npm', name, undefined),
    ecosystem: 'npm',
    fixedVersions: vulnerableUpperBounds(vulnerableRange),
    path: nodes[0],
  });

  const direct = entry['isDirect'];
  const tags: string[] = [];
  if (direct === true) tags.push('direct-dependency');
  if (direct === false) tags.push('transitive-dependency');
  const fix = fixAdvice(entry['fixAvailable']);
  if (fix.tag !== undefined) tags.push(fix.tag);

  const finding: ParsedFinding = {
    kind: 'vulnerability',
    title: dependencyTitle(vulnerability.id, name, undefined, advisoryTitle),
    rule: ruleFor(sourceId ?? vulnerability.id, advisoryTitle, url),
    severity: severityOfWord(text(advisory['severity'])),
    vulnerability,
    cvss: npmCvss(advisory['cvss']),
    cwes: normalizeCwes(textList(advisory['cwe'])),
    component,
    references: httpUrls([url]),
    tags: limitTags(tags),
    tool: context.tool,
    fingerprintBasis: dependencyBasis(vulnerability.id, component),
  };
  const installed = text(entry['range']);
  const details = description([
    vulnerableRange === undefined ? undefined : `Vulnerable versions: ${vulnerableRange}`,
    installed === undefined ? undefined : `Installed versions in range: ${installed}`,
    nodes.length === 0 ? undefined : `Installed at:\n${nodes.slice(0, 20).join('\n')}`,
    fix.advice,
  ]);
  if (details !== undefined) finding.description = details;
  const chain = truncate(dependencyChain(key, context.entries), 1000);
  if (chain !== undefined) finding.location = { logical: chain };
  return finding;
}

/**
 * `vercel>@vercel/fun>debug`: from a direct dependency down to the vulnerable package, following
 * the first of each entry's `effects` (the packages that depend on it) upwards.
 */
function dependencyChain(key: string, entries: JsonObject): string {
  const chain = [key];
  let current = entries[key];
  while (chain.length < MAX_CHAIN && isJsonObject(current) && current['isDirect'] !== true) {
    const parent = textList(current['effects'])[0];
    if (parent === undefined || chain.includes(parent)) break;
    chain.unshift(parent);
    current = Object.hasOwn(entries, parent) ? entries[parent] : undefined;
  }
  return chain.join('>');
}

/** npm's `fixAvailable`: true, false, or the top-level install that resolves it. */
function fixAdvice(fixAvailable: unknown): { tag?: string; advice?: string } {
  if (fixAvailable === true)
    return { tag: 'fix-available', advice: '`npm audit fix` resolves it.' };
  if (fixAvailable === false) return { tag: 'no-fix-available' };
  if (!isJsonObject(fixAvailable)) return {};
  const name = text(fixAvailable['name']);
  const version = text(fixAvailable['version']);
  if (name === undefined || version === undefined) return {};
  const major = fixAvailable['isSemVerMajor'] === true;
  return {
    tag: major ? 'fix-semver-major' : 'fix-available',
    advice: `\`npm audit fix${major ? ' --force' : ''}\` installs ${name}@${version}${major ? ' (a semver-major change)' : ''}.`,
  };
}
