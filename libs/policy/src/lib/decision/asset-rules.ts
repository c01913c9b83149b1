import type { FreezeWindow, GlobalPolicyV1 } from '@hum/contracts';
import { compileGlob, type Glob } from '@hum/risk';

// Policies are evaluated for every finding; compile each pattern once per process.
const compiled = new Map<string, Glob>();
const GLOB_CACHE_LIMIT = 10_000;

function glob(pattern: string): Glob {
  let found = compiled.get(pattern);
  if (found === undefined) {
    if (compiled.size >= GLOB_CACHE_LIMIT) compiled.clear();
    found = compileGlob(pattern);
    compiled.set(pattern, found);
  }
  return found;
}

/**
 * The deny-list entry that covers an asset, if any. Entries are asset-id globs (`*` any run,
 * `?` one character), the same syntax as the asset catalogue.
 */
export function denyEntryFor(global: GlobalPolicyV1, assetId: string): string | undefined {
  return global.denyList.find((pattern) => glob(pattern).matches(assetId));
}

/** A freeze window open at `now` (start inclusive, end exclusive) that covers the asset. */
export function activeFreezeFor(
  global: GlobalPolicyV1,
  assetId: string,
  now: Date,
): FreezeWindow | undefined {
  const at = now.getTime();
  return global.freezeWindows.find(
    (window) =>
      Date.parse(window.start) <= at &&
      at < Date.parse(window.end) &&
      (window.assets.length === 0 || window.assets.some((p) => glob(p).matches(assetId))),
  );
}

/**
 * A freeze window that ended after `after` and by `until` (its end in `(after, until]`), if
 * any: what it held back may be patched now, so a backlog sweep should look again.
 */
export function freezeEndedBetween(
  global: GlobalPolicyV1,
  after: Date,
  until: Date,
): FreezeWindow | undefined {
  return global.freezeWindows.find((window) => {
    const end = Date.parse(window.end);
    return end > after.getTime() && end <= until.getTime();
  });
}
