import type { Kysely } from 'kysely';
import type { TicketRef } from '@hum/ticketing';
import type { DispatcherDatabase, TicketLedgerTables } from './schema';

export type JournalEntry = TicketLedgerTables['remote_journal'];

/**
 * Records non-repeatable tracker writes (create, comment) before and after each call. With
 * PostgreSQL the records are written on their own connection, committed at once, so they
 * survive the batch transaction rolling back or the process dying mid-call. PGlite has a
 * single connection: there the records go into the batch transaction, and crash repair
 * relies on the tracker lookup alone.
 */
export class RemoteJournal {
  constructor(
    private readonly db: Kysely<DispatcherDatabase>,
    /** False on PGlite: write through the caller's transaction instead. */
    private readonly autonomous: boolean,
  ) {}

  /**
   * Where this batch writes its journal: its own connection, or the batch transaction. With
   * `holdCreates`, answered creates are recorded together by `flush` (see `created`).
   */
  writer(trx: Kysely<DispatcherDatabase>, options: { holdCreates?: boolean } = {}): JournalWriter {
    return new JournalWriter(this.autonomous ? this.db : trx, options.holdCreates ?? false);
  }
}

export class JournalWriter {
  private readonly held: JournalEntry[] = [];
  private readonly prestarted = new Map<string, Date>();
  private readonly queuedStarts: {
    entry: JournalEntry;
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];

  constructor(
    private readonly db: Kysely<DispatcherDatabase>,
    private readonly holdCreates = false,
  ) {}

  async get(opKey: string): Promise<JournalEntry | undefined> {
    return this.db
      .selectFrom('remote_journal')
      .selectAll()
      .where('op_key', '=', opKey)
      .executeTakeFirst();
  }

  /** Entries by op key, in one round trip (a batch's new groups at once). */
  async getMany(opKeys: readonly string[]): Promise<Map<string, JournalEntry>> {
    if (opKeys.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('remote_journal')
      .selectAll()
      .where('op_key', 'in', opKeys)
      .execute();
    return new Map(rows.map((row) => [row.op_key, row]));
  }

  /**
   * Records a write as started, committed before the caller sends it. The records of a batch's
   * groups, which reach this together, go in one statement (one round trip and one commit for
   * the batch's creates, not one each); every caller still waits for its own record.
   */
  started(opKey: string, groupKey: string, kind: JournalEntry['kind'], at: Date): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queuedStarts.push({
        entry: {
          op_key: opKey,
          group_key: groupKey,
          kind,
          state: 'started',
          ticket_id: null,
          ticket_key: null,
          ticket_url: null,
          started_at: at,
          done_at: null,
        },
        resolve,
        reject,
      });
      if (this.queuedStarts.length === 1) setImmediate(() => void this.writeStarts());
    });
  }

  private async writeStarts(): Promise<void> {
    const queued = this.queuedStarts.splice(0);
    // One row per key: ON CONFLICT cannot touch a row twice in one statement.
    const entries = [...new Map(queued.map(({ entry }) => [entry.op_key, entry])).values()];
    try {
      await this.db
        .insertInto('remote_journal')
        .values(entries)
        .onConflict((oc) =>
          oc.column('op_key').doUpdateSet((eb) => ({
            state: 'started',
            started_at: eb.ref('excluded.started_at'),
            done_at: null,
          })),
        )
        .execute();
      for (const { resolve } of queued) resolve();
    } catch (error) {
      for (const { reject } of queued) reject(error);
    }
  }

  /**
   * Records the creates of groups that have no journal entry as started while their tracker
   * search runs, instead of after it: a started record only means "look on the tracker before
   * creating", which the search does anyway. Each is claimed by the create it was made for
   * ({@link claimPrestarted}); the rest are withdrawn by {@link forgetUnclaimed}.
   */
  async prestart(creates: readonly { opKey: string; groupKey: string }[], at: Date): Promise<void> {
    await Promise.all(
      creates.map(({ opKey, groupKey }) => this.started(opKey, groupKey, 'create', at)),
    );
    for (const { opKey } of creates) this.prestarted.set(opKey, at);
  }

  /** When the create `opKey` was recorded as started ahead of time, if it was; once. */
  claimPrestarted(opKey: string): Date | undefined {
    const at = this.prestarted.get(opKey);
    this.prestarted.delete(opKey);
    return at;
  }

  /** Withdraws the records of creates started ahead and never sent (the batch stopped first). */
  async forgetUnclaimed(): Promise<void> {
    const opKeys = [...this.prestarted.keys()];
    this.prestarted.clear();
    if (opKeys.length === 0) return;
    await this.db
      .deleteFrom('remote_journal')
      .where('op_key', 'in', opKeys)
      .where('state', '=', 'started')
      .execute();
  }

  /** The write surely did not happen (the tracker refused it): nothing to look up later. */
  async forget(opKey: string): Promise<void> {
    await this.db
      .deleteFrom('remote_journal')
      .where('op_key', '=', opKey)
      .where('state', '=', 'started')
      .execute();
  }

  /**
   * A create the tracker answered. Held until `flush` when this writer serves a batch: one
   * statement for the batch's tickets instead of one round trip (and commit) each. A held
   * entry still reads `started`, which after a crash means "look on the tracker before
   * creating again": holding it can delay a recovery, never cause a second ticket.
   */
  async created(
    opKey: string,
    groupKey: string,
    startedAt: Date,
    at: Date,
    ticket: TicketRef & { url: string },
  ): Promise<void> {
    if (!this.holdCreates) return this.done(opKey, at, ticket);
    this.held.push({
      op_key: opKey,
      group_key: groupKey,
      kind: 'create',
      state: 'done',
      ticket_id: ticket.id,
      ticket_key: ticket.key,
      ticket_url: ticket.url,
      started_at: startedAt,
      done_at: at,
    });
  }

  /** Records the held creates as done. */
  async flush(): Promise<void> {
    const entries = this.held.splice(0);
    if (entries.length === 0) return;
    await this.db
      .insertInto('remote_journal')
      .values(entries)
      .onConflict((oc) =>
        oc.column('op_key').doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          done_at: eb.ref('excluded.done_at'),
          ticket_id: eb.ref('excluded.ticket_id'),
          ticket_key: eb.ref('excluded.ticket_key'),
          ticket_url: eb.ref('excluded.ticket_url'),
        })),
      )
      .execute();
  }

  async done(opKey: string, at: Date, ticket?: TicketRef & { url: string }): Promise<void> {
    await this.db
      .updateTable('remote_journal')
      .set({
        state: 'done',
        done_at: at,
        ...(ticket ? { ticket_id: ticket.id, ticket_key: ticket.key, ticket_url: ticket.url } : {}),
      })
      .where('op_key', '=', opKey)
      .execute();
  }
}
