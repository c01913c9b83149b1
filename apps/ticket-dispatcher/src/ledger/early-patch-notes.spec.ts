import { EXAMPLE_REMEDIATION, type RemediationEventV1 } from '@hum/contracts';
import type { Database } from '@hum/persistence';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@hum/testing';
import {
  deleteEarlyPatchNotes,
  expireEarlyPatchNotes,
  loadEarlyPatchNotes,
  saveEarlyPatchNotes,
} from './early-patch-notes';
import { type DispatcherDatabase, dispatcherMigrations } from './schema';

function applied(fingerprint: string, attempt: string): RemediationEventV1 {
  return { ...EXAMPLE_REMEDIATION, fingerprint, attemptKey: `${fingerprint}:${attempt}` };
}

describe('early patch notes (real PostgreSQL)', () => {
  let test: MigratedTestDatabase<DispatcherDatabase>;
  let database: Database<DispatcherDatabase>;

  beforeAll(async () => {
    test = await createMigratedTestDatabase<DispatcherDatabase>(
      'early-patch-notes',
      dispatcherMigrations,
    );
    database = test.database;
  });

  afterAll(async () => {
    await test.close();
  });

  it('keeps notes per finding in arrival order, once per attempt, until deleted or expired', async () => {
    const db = database.db;
    await saveEarlyPatchNotes(db, [applied('fp-a', '1.0.1')], new Date('2026-11-01T00:00:00Z'));
    await saveEarlyPatchNotes(
      db,
      [applied('fp-a', '1.0.2'), applied('fp-b', '2.0.0'), applied('fp-a', '1.0.1')],
      new Date('2026-11-20T00:00:00Z'),
    );

    const notes = await loadEarlyPatchNotes(db, ['fp-a', 'fp-b', 'fp-c']);
    expect(notes.get('fp-a')?.map((n) => n.attemptKey)).toEqual(['fp-a:1.0.1', 'fp-a:1.0.2']);
    expect(notes.get('fp-b')?.map((n) => n.attemptKey)).toEqual(['fp-b:2.0.0']);
    expect(notes.has('fp-c')).toBe(false);

    await deleteEarlyPatchNotes(db, ['fp-b']);
    expect((await loadEarlyPatchNotes(db, ['fp-b'])).size).toBe(0);

    // Only the note received before the cutoff goes.
    expect(await expireEarlyPatchNotes(db, new Date('2026-11-10T00:00:00Z'))).toBe(1);
    const left = await loadEarlyPatchNotes(db, ['fp-a']);
    expect(left.get('fp-a')?.map((n) => n.attemptKey)).toEqual(['fp-a:1.0.2']);
  });
});
