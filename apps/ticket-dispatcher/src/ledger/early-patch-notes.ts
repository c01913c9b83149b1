import type { Kysely } from 'kysely';
import type { RemediationEventV1 } from '@hum/contracts';
import { forEachChunk, jsonb } from '@hum/persistence';
import type { DispatcherDatabase } from './schema';

const CHUNK = 500;

/** The applied-patch events waiting for these findings' first classified event, by fingerprint. */
export async function loadEarlyPatchNotes(
  db: Kysely<DispatcherDatabase>,
  fingerprints: readonly string[],
): Promise<Map<string, RemediationEventV1[]>> {
  const notes = new Map<string, RemediationEventV1[]>();
  await forEachChunk(fingerprints, CHUNK, async (chunk) => {
    const rows = await db
      .selectFrom('early_patch_notes')
      .select(['fingerprint', 'event'])
      .where('fingerprint', 'in', chunk)
      .orderBy('received_at')
      .execute();
    for (const row of rows) {
      const list = notes.get(row.fingerprint) ?? [];
      list.push(row.event);
      notes.set(row.fingerprint, list);
    }
  });
  return notes;
}

/** Keeps applied-patch events for findings not grouped yet (a redelivery changes nothing). */
export async function saveEarlyPatchNotes(
  db: Kysely<DispatcherDatabase>,
  events: readonly RemediationEventV1[],
  now: Date,
): Promise<void> {
  await forEachChunk(events, CHUNK, async (chunk) => {
    await db
      .insertInto('early_patch_notes')
      .values(
        chunk.map((event) => ({
          fingerprint: event.fingerprint,
          attempt_key: event.attemptKey,
          event: jsonb(event),
          received_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['fingerprint', 'attempt_key']).doNothing())
      .execute();
  });
}

/** Drops the notes of findings whose classified event has now been dealt with. */
export async function deleteEarlyPatchNotes(
  db: Kysely<DispatcherDatabase>,
  fingerprints: readonly string[],
): Promise<void> {
  await forEachChunk(fingerprints, CHUNK, async (chunk) => {
    await db.deleteFrom('early_patch_notes').where('fingerprint', 'in', chunk).execute();
  });
}

/**
 * How long a note waits for its finding: Kafka's default retention. A finding whose classified
 * event has not reached the dispatcher by then is not coming (not ticketable, or another
 * deployment's), and its note is dropped.
 */
export const EARLY_PATCH_NOTE_TTL_MS = 7 * 86_400_000;

/** Drops notes received before `cutoff`; returns how many. */
export async function expireEarlyPatchNotes(
  db: Kysely<DispatcherDatabase>,
  cutoff: Date,
): Promise<number> {
  const result = await db
    .deleteFrom('early_patch_notes')
    .where('received_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * One batch's view of the notes: those waiting for the batch's first-seen findings, the new
 * ones to keep, and the findings whose notes are now dealt with. `save` writes it back.
 */
export class EarlyPatchNoteBatch {
  private readonly toKeep: RemediationEventV1[] = [];
  private readonly dealtWith = new Set<string>();

  private constructor(private readonly waiting: ReadonlyMap<string, RemediationEventV1[]>) {}

  /** Reads the notes of `unseen` findings (none asked for, no query). */
  static async load(
    db: Kysely<DispatcherDatabase>,
    unseen: readonly string[],
  ): Promise<EarlyPatchNoteBatch> {
    return new EarlyPatchNoteBatch(
      unseen.length > 0 ? await loadEarlyPatchNotes(db, unseen) : new Map(),
    );
  }

  /** The notes waiting for this finding, which the caller now posts or drops. */
  take(fingerprint: string): readonly RemediationEventV1[] {
    const notes = this.waiting.get(fingerprint);
    if (notes === undefined) return [];
    this.dealtWith.add(fingerprint);
    return notes;
  }

  keep(event: RemediationEventV1): void {
    this.toKeep.push(event);
  }

  async save(db: Kysely<DispatcherDatabase>, now: Date): Promise<void> {
    await saveEarlyPatchNotes(db, this.toKeep, now);
    await deleteEarlyPatchNotes(db, [...this.dealtWith]);
  }
}
