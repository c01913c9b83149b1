import { sql } from 'kysely';
import { type AuditTables, auditMigrations } from '@hum/audit';
import type {
  HumanDecision,
  RemediationEventV1,
  RiskTier,
  TicketProviderName,
} from '@hum/contracts';
import { type ConsumerLedgerTables, consumerLedgerMigrations } from '@hum/kafka';
import type { Jsonb, Migrations } from '@hum/persistence';
import type { AcceptanceMark, GroupAsset, MemberSummary, TicketTarget } from '@hum/ticketing';

/**
 * - `pending`: the group should have a ticket and does not (yet): creation is due.
 * - `open` / `resolved`: hum's view of its ticket.
 * - `human-closed`: a person closed it while hum still had findings open; hum leaves it be.
 */
export type GroupStatus = 'pending' | 'open' | 'resolved' | 'human-closed';
export type GroupKind = 'findings' | 'remediation-failure';

/** The ticket ledger: one row per group, the ticket it has and what it last said. */
export interface TicketLedgerTables {
  ticket_groups: {
    group_key: string;
    kind: GroupKind;
    route: string;
    provider: TicketProviderName;
    /** Bumped when a ticket had to be replaced (deleted, or closed for good on ServiceNow). */
    generation: number;
    idempotency_key: string;
    target: Jsonb<TicketTarget>;
    ticket_id: string | null;
    ticket_key: string | null;
    ticket_url: string | null;
    status: GroupStatus;
    decision: HumanDecision | null;
    tier: RiskTier;
    tier_since: Date;
    due_date: string | null;
    asset: Jsonb<GroupAsset>;
    remediation: Jsonb<RemediationEventV1> | null;
    /** Hash of the content last written to the tracker: unchanged content is not re-sent. */
    synced_hash: string | null;
    /** The risk acceptances the ticket says hold for it (label and description follow). */
    acceptances: Jsonb<AcceptanceMark[]>;
    /**
     * Bumped at each acceptance change written to the ticket: names its comment, so a
     * redelivery finds the comment posted and a later change of the same acceptance gets its own.
     */
    acceptance_seq: number;
    created_at: Date;
    updated_at: Date;
  };
  /** Each finding hum knows of: its group and its latest revision (older events are stale). */
  ticket_members: {
    fingerprint: string;
    /** '' for a finding resolved before hum ever ticketed it (a tombstone). */
    group_key: string;
    state: 'open' | 'resolved';
    tier: RiskTier;
    revision: number;
    summary: Jsonb<MemberSummary> | null;
    updated_at: Date;
  };
  /**
   * Writes to a tracker that cannot simply be repeated (create, comment), recorded outside
   * the batch's transaction before and after the call: after a crash, `started` without
   * `done` means "look on the tracker before doing it again".
   */
  remote_journal: {
    op_key: string;
    group_key: string;
    kind: 'create' | 'comment';
    state: 'started' | 'done';
    ticket_id: string | null;
    ticket_key: string | null;
    ticket_url: string | null;
    started_at: Date;
    done_at: Date | null;
  };
  /**
   * Patches applied to findings hum has not grouped yet: findings.classified and
   * remediation.events are separate topics, so the patcher's news can come first. The note
   * waits here and becomes the ticket's comment when the finding's classified event arrives.
   */
  early_patch_notes: {
    fingerprint: string;
    attempt_key: string;
    event: Jsonb<RemediationEventV1>;
    received_at: Date;
  };
  /** Human changes already applied (webhook redeliveries, overlapping polls). */
  sync_receipts: {
    source: string;
    change_id: string;
    at: Date;
  };
  /** Poll cursors and single-runner leases. */
  sync_state: {
    name: string;
    value: string;
    holder: string | null;
    expires_at: Date | null;
  };
}

export type DispatcherDatabase = TicketLedgerTables & ConsumerLedgerTables & AuditTables;

export const ticketLedgerMigrations: Migrations = {
  '0002_ticket_ledger': {
    async up(db) {
      await db.schema
        .createTable('ticket_groups')
        .addColumn('group_key', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('target', 'jsonb', (c) => c.notNull())
        .addColumn('ticket_id', 'text')
        .addColumn('ticket_key', 'text')
        .addColumn('ticket_url', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decision', 'text')
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('tier_since', 'timestamptz', (c) => c.notNull())
        .addColumn('due_date', 'text')
        .addColumn('asset', 'jsonb', (c) => c.notNull())
        .addColumn('remediation', 'jsonb')
        .addColumn('synced_hash', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ticket_groups_ticket')
        .on('ticket_groups')
        .columns(['provider', 'ticket_id'])
        .execute();
      await db.schema
        .createIndex('ticket_groups_idempotency')
        .on('ticket_groups')
        .column('idempotency_key')
        .unique()
        .execute();
      await db.schema
        .createTable('ticket_members')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('summary', 'jsonb')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ticket_members_group')
        .on('ticket_members')
        .column('group_key')
        .execute();
      await db.schema
        .createTable('remote_journal')
        .addColumn('op_key', 'text', (c) => c.primaryKey())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text')
        .addColumn('ticket_key', 'text')
        .addColumn('ticket_url', 'text')
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('done_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('sync_receipts')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('change_id', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('sync_receipts_pk', ['source', 'change_id'])
        .execute();
      await db.schema
        .createTable('sync_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('holder', 'text')
        .addColumn('expires_at', 'timestamptz')
        .execute();
    },
  },
  '0003_ticket_acceptances': {
    async up(db) {
      await db.schema
        .alterTable('ticket_groups')
        .addColumn('acceptances', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .execute();
      await db.schema
        .alterTable('ticket_groups')
        .addColumn('acceptance_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0004_early_patch_notes': {
    async up(db) {
      await db.schema
        .createTable('early_patch_notes')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('attempt_key', 'text', (c) => c.notNull())
        .addColumn('event', 'jsonb', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('early_patch_notes_pkey', ['fingerprint', 'attempt_key'])
        .execute();
    },
  },
};

/** Everything in the dispatcher's schema: the consumer ledger, the audit chain and the tickets. */
export const dispatcherMigrations: Migrations = {
  ...consumerLedgerMigrations,
  ...auditMigrations,
  ...ticketLedgerMigrations,
};
