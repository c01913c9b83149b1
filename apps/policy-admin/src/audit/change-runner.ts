import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Transaction } from 'kysely';
import { appendAudit, type AuditDraft } from '@hum/audit';
import { type AuditEntryV1, TOPICS } from '@hum/contracts';
import type { OutgoingEvent } from '@hum/kafka';
import type { AdminDatabase } from '../database/schema';
import { enqueueEvents } from '../outbox/outbox';
import { RelayService } from '../outbox/relay.service';
import { ADMIN_DB } from '../tokens';

/** policy-admin's own audit chain. */
export const AUDIT_CHAIN = 'policy-admin';

/** How long a request waits for its events to reach Kafka before answering anyway. */
const PUBLISH_WAIT_MS = 5_000;

/** What a change does besides its own rows: audit entries and events, in one transaction. */
export class Effects {
  readonly drafts: AuditDraft[] = [];
  readonly events: OutgoingEvent[] = [];

  audit(...drafts: AuditDraft[]): this {
    this.drafts.push(...drafts);
    return this;
  }

  publish(...events: OutgoingEvent[]): this {
    this.events.push(...events);
    return this;
  }
}

export interface Committed<T> {
  result: T;
  audit: AuditEntryV1[];
  /** True when every event of the change is on Kafka; false if the relay is still on it. */
  published: boolean;
}

export type AdminTransaction = Transaction<AdminDatabase>;

/**
 * The one way policy-admin changes state: the caller's rows, its audit entries (hash-chained)
 * and its events (the outbox, with the audit entries for audit.log) commit together or not at
 * all; the relay then publishes them exactly once.
 */
@Injectable()
export class ChangeRunner {
  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    private readonly relay: RelayService,
  ) {}

  async run<T>(
    work: (trx: AdminTransaction, effects: Effects) => Promise<T>,
    options: { awaitPublication?: boolean } = {},
  ): Promise<Committed<T>> {
    const { result, audit, seq } = await this.db.transaction().execute(async (trx) => {
      const effects = new Effects();
      const value = await work(trx, effects);
      // Audit before outbox, always: one lock order for every writer.
      const entries = await appendAudit(trx, AUDIT_CHAIN, effects.drafts);
      const last = await enqueueEvents(trx, [
        ...effects.events,
        ...entries.map((entry) => ({ topic: TOPICS.auditLog, key: entry.entity.id, data: entry })),
      ]);
      return { result: value, audit: entries, seq: last };
    });
    this.relay.wake();
    const published =
      options.awaitPublication === false
        ? false
        : await this.relay.whenPublished(seq, PUBLISH_WAIT_MS);
    return { result, audit, published };
  }
}
