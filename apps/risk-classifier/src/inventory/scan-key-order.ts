/**
 * The one order in which a transaction takes scan rows (by scan id, then scope key). The
 * findings and scans.completed handlers of different partitions share a report's scan rows;
 * taken in different orders by two transactions they deadlock, which PostgreSQL breaks only
 * after deadlock_timeout (1 s by default), stalling both partitions.
 */
export function byScanKey(
  a: { readonly scanId: string; readonly scopeKey: string },
  b: { readonly scanId: string; readonly scopeKey: string },
): number {
  return a.scanId === b.scanId ? compare(a.scopeKey, b.scopeKey) : compare(a.scanId, b.scanId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
