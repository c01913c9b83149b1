import { versionSchemeOf } from '@hum/policy';
import { type Bump, edited, type EditResult, refused } from './manifest-edit';

/** PEP 503: names compare lowercased with runs of `-_.` as one `-`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

// `name[extras] <op>version[,<op>version] [; marker] [# comment] [\]`
const REQUIREMENT =
  /^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(\s*\[[^\]]*\])?(\s*)((?:===|==|~=|>=|<=|!=|<|>)\s*[^;#\s\\,]+(?:\s*,\s*(?:===|==|~=|>=|<=|!=|<|>)\s*[^;#\s\\,]+)*)?(.*)$/;

const pep440 = versionSchemeOf('pypi');

/** Whether an upper-bound or exclusion clause (`<2`, `<=1.9`, `!=1.3`) rules the fix out. */
function excludes(operator: string, bound: string, version: string): boolean {
  const a = pep440.parse(version);
  const b = pep440.parse(bound.replace(/\.\*$/, ''));
  if (a === undefined || b === undefined) return true;
  const order = a.compareTo(b);
  switch (operator) {
    case '<':
      return order >= 0;
    case '<=':
      return order > 0;
    case '!=':
      return order === 0;
    default:
      return false;
  }
}

/**
 * Moves a version specifier to the fix: `==1.2` -> `==1.3`, `>=1.2,<2` -> `>=1.3,<2`.
 * Undefined when there is nothing to move, or an upper bound would exclude the fix.
 */
export function moveSpecifier(specifier: string, bump: Bump): string | undefined {
  const clauses = specifier.split(',').map((c) => c.trim());
  let moved = false;
  const next: string[] = [];
  for (const clause of clauses) {
    const match = /^(===|==|~=|>=|<=|!=|<|>)\s*(.+)$/.exec(clause);
    if (!match) return undefined;
    const [, operator, bound] = match;
    if (operator === '<' || operator === '<=' || operator === '!=') {
      if (excludes(operator, bound!, bump.toVersion)) return undefined;
      next.push(clause);
      continue;
    }
    moved = true;
    // `>` excludes its bound; the fix itself must be allowed.
    next.push(`${operator === '>' ? '>=' : operator}${bump.toVersion}`);
  }
  return moved ? next.join(',') : undefined;
}

/**
 * Upgrades a requirement in a requirements.txt, keeping extras, markers, comments and line
 * continuations. A requirement pinned with `--hash` is refused: the hashes of the new version
 * must come from the index (pip-compile --generate-hashes), not from a bot.
 */
export function bumpRequirementsTxt(text: string, bump: Bump): EditResult {
  const lines = text.split(/(?<=\n)/);
  const wanted = normalizePythonName(bump.name);
  const changes: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const newline = /\r?\n$/.exec(line)?.[0] ?? '';
    const body = line.slice(0, line.length - newline.length);
    if (/^\s*(#|-|$)/.test(body)) continue;
    const match = REQUIREMENT.exec(body);
    if (!match || normalizePythonName(match[2]!) !== wanted) continue;
    const [, lead, name, extras = '', gap, specifier, rest = ''] = match;
    const continued = [rest, ...lines.slice(i + 1, i + 4)].join('');
    if (/--hash[=\s]/.test(rest) || (/\\\s*$/.test(rest) && /^\s*--hash/m.test(continued)))
      return refused(
        'unsupported-manifest',
        `${name} is pinned with --hash in requirements.txt; regenerate the hashes (pip-compile --generate-hashes)`,
      );
    if (specifier === undefined)
      return refused(
        'unsupported-manifest',
        `${name} has no version in requirements.txt; pin ${bump.toVersion} by hand if wanted`,
      );
    const moved = moveSpecifier(specifier, bump);
    if (moved === undefined)
      return refused(
        'unsupported-manifest',
        `${name}${specifier} has no pin or lower bound to move, or an upper bound excludes ${bump.toVersion}`,
      );
    lines[i] = `${lead}${name}${extras}${gap}${moved}${rest}${newline}`;
    changes.push(`${name} ${specifier.replace(/\s+/g, '')} -> ${moved}`);
  }
  if (changes.length === 0)
    return refused('dependency-not-found', `requirements.txt does not list ${bump.name}`);
  return edited(lines.join(''), `requirements.txt: ${changes.join('; ')}`);
}
