import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntryV1,
  computeAuditHash,
  TOPICS,
  verifyAuditChain,
  type AuditChainCheck,
} from '@hum/contracts';
import { jsonb, type Jsonb, type Migrations } from '@hum/persistence';

export interface AuditTables {
  audit_heads: { chain: string; seq: number; hash: string };
  audit_entries: {
    chain: string;
    seq: number;
    id: string;
    at: Date;
    actor: Jsonb<AuditEntryV1['actor']>;
    action: string;
    entity: Jsonb<AuditEntryV1['entity']>;
    outcome: AuditEntryV1['outcome'];
    details: Jsonb<Record<string, unknown>>;
    prev_hash: string;
    hash: string;
  };
}

/**
 * The audit tables of a service. Entries are append-only in the database too: a trigger
 * refuses UPDATE and DELETE, so only someone who can disable triggers can tamper — and the
 * hash chain then shows where.
 */
export const auditMigrations: Migrations = {
  '0001_audit_log': {
    async up(db) {
      await db.schema
        .createTable('audit_heads')
        .addColumn('chain', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_entries')
        .addColumn('chain', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('id', 'uuid', (c) => c.notNull().unique())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'jsonb', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity', 'jsonb', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('details', 'jsonb', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_entries_pk', ['chain', 'seq'])
        .execute();
      await sql`create function audit_entries_append_only() returns trigger language plpgsql as $$
        begin raise exception 'audit entries are append-only'; end $$`.execute(db);
      await sql`create trigger audit_entries_append_only before update or delete on audit_entries
        for each row execute function audit_entries_append_only()`.execute(db);
    },
  },
};

export type AuditDraft = Pick<
  AuditEntryV1,
  'actor' | 'action' | 'entity' | 'outcome' | 'details'
> & {
  at?: Date;
};

function toEntry(row: Selectable<AuditTables['audit_entries']>): AuditEntryV1 {
  return {
    chain: row.chain,
    seq: row.seq,
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    outcome: row.outcome,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends entries to this service's hash chain inside the caller's transaction (so the entry
 * exists exactly when the change it records does) and returns them for publishing on
 * audit.log.
 */
export async function appendAudit<DB>(
  trx: Transaction<DB>,
  chain: string,
  drafts: readonly AuditDraft[],
): Promise<AuditEntryV1[]> {
  if (drafts.length === 0) return [];
  const db = trx as unknown as Transaction<AuditTables>;
  await db
    .insertInto('audit_heads')
    .values({ chain, seq: 0, hash: AUDIT_GENESIS_HASH })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
  const head = await db
    .selectFrom('audit_heads')
    .selectAll()
    .where('chain', '=', chain)
    .forUpdate()
    .executeTakeFirstOrThrow();
  let seq = head.seq;
  let prevHash = head.hash;
  const entries: AuditEntryV1[] = [];
  for (const draft of drafts) {
    seq += 1;
    const body: Omit<AuditEntryV1, 'hash'> = {
      chain,
      seq,
      id: randomUUID(),
      at: (draft.at ?? new Date()).toISOString(),
      actor: draft.actor,
      action: draft.action,
      entity: draft.entity,
      outcome: draft.outcome,
      details: draft.details,
      prevHash,
    };
    const entry: AuditEntryV1 = { ...body, hash: computeAuditHash(body) };
    TOPICS.auditLog.schema.parse(entry);
    entries.push(entry);
    prevHash = entry.hash;
  }
  await db
    .insertInto('audit_entries')
    .values(
      entries.map((e) => ({
        chain: e.chain,
        seq: e.seq,
        id: e.id,
        at: new Date(e.at),
        actor: jsonb(e.actor),
        action: e.action,
        entity: jsonb(e.entity),
        outcome: e.outcome,
        details: jsonb(e.details),
        prev_hash: e.prevHash,
        hash: e.hash,
      })),
    )
    .execute();
  await db
    .updateTable('audit_heads')
    .set({ seq, hash: prevHash })
    .where('chain', '=', chain)
    .execute();
  return entries;
}

/** Reads a chain in order and checks every link and every hash. */
export async function verifyStoredAuditChain<DB>(
  db: Kysely<DB>,
  chain: string,
): Promise<AuditChainCheck> {
  const rows = await (db as unknown as Kysely<AuditTables>)
    .selectFrom('audit_entries')
    .selectAll()
    .where('chain', '=', chain)
    .orderBy('seq')
    .execute();
  return verifyAuditChain(rows.map(toEntry));
}
