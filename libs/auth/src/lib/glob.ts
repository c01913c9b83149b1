const cache = new Map<string, RegExp>();

/**
 * `*` matches any run of characters (including `/`), `?` one character; everything else is
 * literal. Used for asset scopes of API keys, deny lists and overrides.
 */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .split('')
      .map((ch) =>
        ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'),
      )
      .join('');
    re = new RegExp(`^${body}$`);
    if (cache.size > 1_000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}

export function matchesGlob(value: string, glob: string): boolean {
  return globToRegExp(glob).test(value);
}

export function matchesAnyGlob(value: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesGlob(value, glob));
}
