import type { Kysely } from 'kysely';
import type { DispatcherDatabase } from './schema';

/**
 * Small shared state for periodic jobs: poll cursors, and leases so that only one replica
 * runs a job at a time (a lease that is not renewed expires, so a dead holder blocks nobody).
 */
export class SyncState {
  constructor(private readonly db: Kysely<DispatcherDatabase>) {}

  async cursor(name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('sync_state')
      .select('value')
      .where('name', '=', `cursor:${name}`)
      .executeTakeFirst();
    return row?.value;
  }

  async setCursor(name: string, value: string): Promise<void> {
    await this.db
      .insertInto('sync_state')
      .values({ name: `cursor:${name}`, value, holder: null, expires_at: null })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
      .execute();
  }

  /** True when `holder` now holds the lease `name` until now + ttl. */
  async tryLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const key = `lease:${name}`;
    const until = new Date(now.getTime() + ttlMs);
    await this.db
      .insertInto('sync_state')
      .values({ name: key, value: '', holder: null, expires_at: new Date(0) })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const taken = await this.db
      .updateTable('sync_state')
      .set({ holder, expires_at: until })
      .where('name', '=', key)
      .where((eb) =>
        eb.or([eb('holder', '=', holder), eb('holder', 'is', null), eb('expires_at', '<', now)]),
      )
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db
      .updateTable('sync_state')
      .set({ holder: null, expires_at: new Date(0) })
      .where('name', '=', `lease:${name}`)
      .where('holder', '=', holder)
      .execute();
  }
}
