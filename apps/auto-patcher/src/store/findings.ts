import type { Transaction } from 'kysely';
import type { ClassifiedFindingV1, FindingResolvedV1 } from '@hum/contracts';
import { jsonb } from '@hum/persistence';
import type { PatcherDatabase } from './schema';

/** The newest revision of each fingerprint in a batch (one upsert may touch a row once). */
function newest<T>(
  items: readonly T[],
  fingerprint: (t: T) => string,
  revision: (t: T) => number,
): T[] {
  const byFingerprint = new Map<string, T>();
  for (const item of items) {
    const held = byFingerprint.get(fingerprint(item));
    if (held === undefined || revision(held) < revision(item))
      byFingerprint.set(fingerprint(item), item);
  }
  return [...byFingerprint.values()];
}

/**
 * Records the classified state of each finding, just decided by the consumer. A revision
 * older than the one held (a resolution included) changes nothing: events of one fingerprint
 * arrive on two topics, and the revision orders them.
 */
export async function recordClassified(
  trx: Transaction<PatcherDatabase>,
  events: readonly ClassifiedFindingV1[],
  now: Date,
): Promise<void> {
  const rows = newest(
    events,
    (e) => e.finding.fingerprint,
    (e) => e.lifecycle.revision,
  ).map((e) => ({
    fingerprint: e.finding.fingerprint,
    tier: e.classification.tier,
    revision: e.lifecycle.revision,
    state: 'open' as const,
    classified: jsonb({ finding: e.finding, classification: e.classification }),
    first_seen_at: now,
    decided_at: now,
    updated_at: now,
  }));
  if (rows.length === 0) return;
  await trx
    .insertInto('open_findings')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('fingerprint')
        .doUpdateSet((eb) => ({
          tier: eb.ref('excluded.tier'),
          revision: eb.ref('excluded.revision'),
          state: eb.ref('excluded.state'),
          classified: eb.ref('excluded.classified'),
          decided_at: eb.ref('excluded.decided_at'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .whereRef('open_findings.revision', '<=', 'excluded.revision'),
    )
    .execute();
}

/**
 * Marks findings resolved: they leave every backlog. A resolution seen before the finding
 * itself is kept, so the older classified event arriving later cannot reopen it.
 */
export async function recordResolved(
  trx: Transaction<PatcherDatabase>,
  events: readonly FindingResolvedV1[],
  now: Date,
): Promise<void> {
  const rows = newest(
    events,
    (e) => e.fingerprint,
    (e) => e.revision,
  ).map((e) => ({
    fingerprint: e.fingerprint,
    tier: e.lastTier,
    revision: e.revision,
    state: 'resolved' as const,
    classified: null,
    first_seen_at: now,
    decided_at: null,
    updated_at: now,
  }));
  if (rows.length === 0) return;
  await trx
    .insertInto('open_findings')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('fingerprint')
        .doUpdateSet((eb) => ({
          revision: eb.ref('excluded.revision'),
          state: eb.ref('excluded.state'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .whereRef('open_findings.revision', '<', 'excluded.revision'),
    )
    .execute();
}
