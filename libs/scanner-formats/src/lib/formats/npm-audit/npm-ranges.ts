// Fixed versions from the semver ranges npm audit prints. Only versions a range names as a
// boundary of "not vulnerable" count; nothing is computed or guessed from the registry.

const OPERATOR_SPACE_RE = /([<>]=?|=)\s+/g;
const TOKEN_SPLIT_RE = /\s+|\|\|/;
const VERSION_RE = /^v?(\d[\w.+-]*)$/;

function tokens(range: string): string[] {
  return range.replace(OPERATOR_SPACE_RE, '$1').split(TOKEN_SPLIT_RE);
}

function versionOf(text: string): string | undefined {
  const match = VERSION_RE.exec(text);
  return match ? match[1] : undefined;
}

/**
 * The `>=X` bounds of npm 6's `patched_versions` (`>= 2.11.2 < 3.0.0 || >= 3.6.4`): each X is the
 * first patched release of a line.
 */
export function patchedLowerBounds(patchedVersions: string | undefined): string[] {
  if (patchedVersions === undefined) return [];
  const out: string[] = [];
  for (const token of tokens(patchedVersions)) {
    if (!token.startsWith('>=')) continue;
    const version = versionOf(token.slice(2));
    if (version !== undefined && !out.includes(version)) out.push(version);
  }
  return out;
}

/**
 * The `<X` bounds of an advisory's vulnerable range (`>=4.0.0 <4.3.1`): the advisory's first
 * patched version of each line. `<=X` names the last vulnerable version, not a fix.
 */
export function vulnerableUpperBounds(vulnerableRange: string | undefined): string[] {
  if (vulnerableRange === undefined) return [];
  const out: string[] = [];
  for (const token of tokens(vulnerableRange)) {
    if (!token.startsWith('<') || token.startsWith('<=')) continue;
    const version = versionOf(token.slice(1));
    if (version !== undefined && version !== '0.0.0' && !out.includes(version)) out.push(version);
  }
  return out;
}
