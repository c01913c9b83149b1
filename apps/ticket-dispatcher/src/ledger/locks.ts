import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';

/**
 * A 64-bit advisory-lock key for a finding or a group. Transactions take finding locks first,
 * then group locks, each set in ascending key order: two replicas (or a batch and the
 * reconciler) that need the same keys queue instead of deadlocking.
 */
export function lockKey(space: 'finding' | 'group', key: string): bigint {
  return createHash('sha256').update(`${space}\u0000${key}`).digest().readBigInt64BE(0);
}

/**
 * Takes transaction-scoped advisory locks on `keys`, in ascending order, in one round trip
 * (a batch locks dozens of keys before it may call a tracker).
 */
export async function lockAll<DB>(trx: Transaction<DB>, keys: Iterable<bigint>): Promise<void> {
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length === 0) return;
  if (sorted.length === 1) {
    await sql`select pg_advisory_xact_lock(${sorted[0]!.toString()}::bigint)`.execute(trx);
    return;
  }
  // WITH ORDINALITY keeps the array's (ascending) order; the ORDER BY makes it explicit.
  await sql`select pg_advisory_xact_lock(k.key)
    from unnest(${`{${sorted.join(',')}}`}::bigint[]) with ordinality as k(key, n)
    order by k.n`.execute(trx);
}
