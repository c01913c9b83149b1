/** A compiled asset-id / rule-id pattern: compiled once at load, tested many times per second. */
export interface Glob {
  readonly pattern: string;
  /** Characters other than wildcards: the more, the more specific the pattern. */
  readonly literalLength: number;
  readonly isExact: boolean;
  matches(value: string): boolean;
}

const WILDCARD = /[*?]/;
const REGEX_SPECIAL = /[.+^${}()|[\]\\/-]/g;

/**
 * `*` matches any run of characters (slashes included: asset ids such as
 * `github.com/bank/payments-*` are flat names, not paths), `?` exactly one. Everything else is
 * literal. Case-sensitive, like the identifiers it matches.
 */
export function compileGlob(pattern: string): Glob {
  const literalLength = pattern.replace(/[*?]/g, '').length;
  if (!WILDCARD.test(pattern)) {
    return { pattern, literalLength, isExact: true, matches: (value) => value === pattern };
  }
  const source = pattern.replace(REGEX_SPECIAL, '\\$&').replace(/\*+/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 's');
  return { pattern, literalLength, isExact: false, matches: (value) => regex.test(value) };
}

/** Whether any of `globs` matches `value`; an empty list matches nothing. */
export function anyGlobMatches(globs: readonly Glob[], value: string): boolean {
  for (const glob of globs) if (glob.matches(value)) return true;
  return false;
}

/** Letters, digits and the identifier punctuation of contracts, plus the two wildcards. */
export const GLOB_PATTERN = /^[A-Za-z0-9*?][A-Za-z0-9._:/@+=*?-]*$/;
