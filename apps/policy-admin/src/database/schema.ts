import { type Kysely, sql } from 'kysely';
import type { AuditTables } from '@hum/audit';
import {
  type ApiKeyStateV1,
  type AuditEntryV1,
  type ClassifiedFindingV1,
  type PolicyStateV1,
  type RiskAcceptanceV1,
  type RiskTier,
  ticketGroupKeys,
} from '@hum/contracts';
import { forEachChunk, type Jsonb, type Migrations } from '@hum/persistence';
import {
  type ChangeAssessment,
  kevListed,
  type PolicyChange,
  type ProposalState,
} from '@hum/policy';

/** An event waiting in (or sent from) the outbox, as it will be encoded. */
export interface StoredOutboxEvent {
  data: unknown;
  id: string;
  time: string;
  subject?: string;
  correlationId?: string;
}

export type AcceptanceState =
  | 'pending'
  | 'active'
  | 'expired'
  | 'lapsed'
  | 'revoked'
  | 'rejected'
  | 'withdrawn'
  | 'request-expired';

/** policy-admin's own tables, in its own schema. */
export interface AdminTables {
  /** The policy in force: one row per policy.state key, seeded empty (every tier off). */
  policy_records: {
    key: string;
    record: Jsonb<PolicyStateV1> | null;
    version: number;
    updated_at: Date | null;
  };
  proposals: {
    id: string;
    target: string;
    change: Jsonb<PolicyChange>;
    assessment: Jsonb<ChangeAssessment>;
    approval: 'immediate' | 'second-person';
    reason: string;
    base_version: number;
    state: ProposalState;
    proposed_by: string;
    proposed_at: Date;
    expires_at: Date;
    decided_by: string | null;
    decided_at: Date | null;
    decision_note: string | null;
    result_version: number | null;
  };
  api_keys: {
    id: string;
    record: Jsonb<ApiKeyStateV1>;
    last_used_at: Date | null;
    /** Set once the expiry has been audited, so it is audited once. */
    expiry_recorded_at: Date | null;
  };
  risk_acceptances: {
    id: string;
    target: Jsonb<RiskAcceptanceV1['target']>;
    fingerprint: string | null;
    group_key: string | null;
    reason: string;
    owner: string;
    expires_at: Date;
    accepted_tier: RiskTier;
    state: AcceptanceState;
    proposed_by: string;
    proposed_at: Date;
    /** When the request lapses if nobody approves it. */
    request_expires_at: Date;
    approved_by: string | null;
    decided_at: Date | null;
    version: number;
    ended_reason: string | null;
    /**
     * The covered findings that were in CISA KEV when it was approved: another one entering KEV
     * makes it lapse. Null for a request not yet approved (or approved before this was kept).
     */
    kev_fingerprints: Jsonb<string[]> | null;
  };
  users: {
    username: string;
    password_hash: string;
    roles: Jsonb<string[]>;
    disabled: boolean;
    created_at: Date;
    password_changed_at: Date;
  };
  sessions: {
    id: string;
    username: string;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
  };
  admin_settings: { name: string; value: string };
  outbox: {
    seq: string;
    topic: string;
    key: string;
    event: Jsonb<StoredOutboxEvent>;
    created_at: Date;
    published_at: Date | null;
  };
  outbox_head: { id: number; seq: string };

  /* The read model, built from other services' topics. */
  rm_findings: {
    fingerprint: string;
    revision: number;
    asset_id: string;
    team: string | null;
    tier: RiskTier;
    score: number;
    /** In CISA KEV as the latest classification says; null when it says nothing about KEV. */
    kev: boolean | null;
    state: 'open' | 'resolved';
    title: string;
    change: string;
    classified_at: Date;
    resolved_at: Date | null;
    updated_at: Date;
  };
  rm_classified: {
    fingerprint: string;
    revision: number;
    at: Date;
    tier: RiskTier;
    team: string | null;
    asset_id: string;
    event: Jsonb<ClassifiedFindingV1>;
  };
  rm_ticket_events: {
    event_id: string;
    provider: string;
    group_key: string;
    ticket_key: string;
    action: string;
    url: string | null;
    fingerprints: number;
    detail: string | null;
    at: Date;
  };
  /** Which findings a ticket group holds, as tickets.events listed them. */
  rm_ticket_members: {
    group_key: string;
    fingerprint: string;
  };
  /**
   * Every ticket group a classified finding can belong to (`ticketGroupKeys`, the keys the
   * dispatcher groups by), so a group is known — for its page and its acceptances — before
   * and beyond what tickets.events lists (at most 1,000 findings per event).
   */
  rm_finding_groups: {
    group_key: string;
    fingerprint: string;
  };
  rm_remediations: {
    event_id: string;
    attempt_key: string;
    fingerprint: string;
    asset_id: string;
    team: string | null;
    tier: string;
    title: string;
    status: string;
    reasons: Jsonb<string[]>;
    strategy: string | null;
    url: string | null;
    decided_at: Date;
  };
  /** Every audit.log entry seen, any chain: other services' entries for the console. */
  rm_audit: {
    chain: string;
    seq: number;
    id: string;
    at: Date;
    actor_type: string;
    actor_id: string;
    action: string;
    entity_type: string;
    entity_id: string;
    outcome: AuditEntryV1['outcome'];
    entry: Jsonb<AuditEntryV1>;
  };
}

export type AdminDatabase = AdminTables & AuditTables;

export const POLICY_KEYS = [
  'tier:critical',
  'tier:high',
  'tier:medium',
  'tier:low',
  'global',
] as const;

export const adminMigrations: Migrations = {
  '0002_policy_admin': {
    async up(db) {
      await db.schema
        .createTable('policy_records')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('record', 'jsonb')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz')
        .execute();
      // Rows exist from the start so a change can lock its key before anything was decided.
      await db
        .insertInto('policy_records' as never)
        .values(
          POLICY_KEYS.map((key) => ({ key, record: null, version: 0, updated_at: null })) as never,
        )
        .execute();
      await db.schema
        .createTable('proposals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('change', 'jsonb', (c) => c.notNull())
        .addColumn('assessment', 'jsonb', (c) => c.notNull())
        .addColumn('approval', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('base_version', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'timestamptz')
        .addColumn('decision_note', 'text')
        .addColumn('result_version', 'integer')
        .execute();
      await db.schema
        .createIndex('proposals_state_expiry')
        .on('proposals')
        .columns(['state', 'expires_at'])
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('record', 'jsonb', (c) => c.notNull())
        .addColumn('last_used_at', 'timestamptz')
        .addColumn('expiry_recorded_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('risk_acceptances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('target', 'jsonb', (c) => c.notNull())
        .addColumn('fingerprint', 'text')
        .addColumn('group_key', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('accepted_tier', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('request_expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('approved_by', 'text')
        .addColumn('decided_at', 'timestamptz')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('ended_reason', 'text')
        .execute();
      await db.schema
        .createIndex('risk_acceptances_fingerprint')
        .on('risk_acceptances')
        .columns(['fingerprint', 'state'])
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('roles', 'jsonb', (c) => c.notNull())
        .addColumn('disabled', 'boolean', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('password_changed_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('admin_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('outbox')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('event', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('published_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('outbox_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into outbox_head (id, seq) values (1, 0)`.execute(db);

      await db.schema
        .createTable('rm_findings')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('classified_at', 'timestamptz', (c) => c.notNull())
        .addColumn('resolved_at', 'timestamptz')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rm_findings_updated')
        .on('rm_findings')
        .column('updated_at')
        .execute();
      await db.schema
        .createTable('rm_classified')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('event', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('rm_classified_pk', ['fingerprint', 'revision'])
        .execute();
      await db.schema
        .createIndex('rm_classified_at')
        .on('rm_classified')
        .columns(['at', 'tier'])
        .execute();
      await db.schema
        .createTable('rm_ticket_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('ticket_key', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('fingerprints', 'integer', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rm_ticket_events_at')
        .on('rm_ticket_events')
        .column('at')
        .execute();
      await db.schema
        .createTable('rm_ticket_members')
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rm_ticket_members_pk', ['group_key', 'fingerprint'])
        .execute();
      await db.schema
        .createIndex('rm_ticket_members_fingerprint')
        .on('rm_ticket_members')
        .column('fingerprint')
        .execute();
      await db.schema
        .createTable('rm_remediations')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('attempt_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reasons', 'jsonb', (c) => c.notNull())
        .addColumn('strategy', 'text')
        .addColumn('url', 'text')
        .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rm_remediations_decided')
        .on('rm_remediations')
        .column('decided_at')
        .execute();
      await db.schema
        .createIndex('rm_remediations_fingerprint')
        .on('rm_remediations')
        .column('fingerprint')
        .execute();
      await db.schema
        .createTable('rm_audit')
        .addColumn('chain', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('id', 'uuid', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('entry', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('rm_audit_pk', ['chain', 'seq'])
        .execute();
      await db.schema.createIndex('rm_audit_at').on('rm_audit').column('at').execute();
    },
  },
  '0003_kev_and_finding_groups': {
    async up(db) {
      await db.schema.alterTable('rm_findings').addColumn('kev', 'boolean').execute();
      await db.schema
        .alterTable('risk_acceptances')
        .addColumn('kev_fingerprints', 'jsonb')
        .execute();
      await db.schema
        .createTable('rm_finding_groups')
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rm_finding_groups_pk', ['group_key', 'fingerprint'])
        .execute();
      await db.schema
        .createIndex('rm_finding_groups_fingerprint')
        .on('rm_finding_groups')
        .column('fingerprint')
        .execute();
      await backfillFromClassified(db as Kysely<AdminDatabase>);
    },
  },
};

/** Fills KEV and group membership in from the classified findings already stored. */
async function backfillFromClassified(db: Kysely<AdminDatabase>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('rm_findings as f')
      .innerJoin('rm_classified as c', (join) =>
        join.onRef('c.fingerprint', '=', 'f.fingerprint').onRef('c.revision', '=', 'f.revision'),
      )
      .select(['f.fingerprint', 'c.event'])
      .where('f.fingerprint', '>', after)
      .orderBy('f.fingerprint')
      .limit(500)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.fingerprint;
    for (const row of rows) {
      const kev = kevListed(row.event.classification);
      if (kev !== undefined)
        await db
          .updateTable('rm_findings')
          .set({ kev })
          .where('fingerprint', '=', row.fingerprint)
          .execute();
    }
    const groups = rows.flatMap((row) =>
      ticketGroupKeys(row.event.finding).map((group_key) => ({
        group_key,
        fingerprint: row.fingerprint,
      })),
    );
    await forEachChunk(groups, 500, (chunk) =>
      db
        .insertInto('rm_finding_groups')
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
  }
}
