import { type Generated, sql } from 'kysely';
import type { AuditTables } from '@hum/audit';
import type { ClassifiedFindingV1, RemediationTier, RiskTier } from '@hum/contracts';
import type { ConsumerLedgerTables } from '@hum/kafka';
import type { PatchTarget } from '@hum/patching';
import type { Jsonb, Migrations } from '@hum/persistence';
import type { FixVersion } from '@hum/policy';

/**
 * `planned` (dry-run, nothing to do) · `queued` (decided, not started) · `running` (claimed by
 * an executor; side effects may have begun) · `awaiting-result` (sent to an executor that
 * calls back) · `applied` | `failed` (final) · `cancelled` (a gate closed before any effect).
 */
export type AttemptStatus =
  'planned' | 'queued' | 'running' | 'awaiting-result' | 'applied' | 'failed' | 'cancelled';

/** What the executor needs to apply a decided patch. */
export interface AttemptPayload {
  readonly classified: Pick<ClassifiedFindingV1, 'finding' | 'classification'>;
  readonly fix: FixVersion;
  readonly target: PatchTarget;
}

export type ClassifiedState = Pick<ClassifiedFindingV1, 'finding' | 'classification'>;

/** The event as it leaves: fixed id and time, so a re-sent outbox row is the same event. */
export interface StoredEvent {
  topic: string;
  key: string;
  data: unknown;
  id: string;
  time: string;
}

export interface PatcherTables {
  /**
   * The attempt ledger: one row per fingerprint + fix, written before any side effect. Its
   * primary key is what makes a second application of the same fix impossible.
   */
  patch_attempts: {
    attempt_key: string;
    fingerprint: string;
    tier: RemediationTier;
    team: string;
    asset_id: string;
    mode: 'dry-run' | 'on';
    status: AttemptStatus;
    strategy: string | null;
    payload: Jsonb<AttemptPayload> | null;
    policy_version: string;
    decided_at: Date;
    started_at: Date | null;
    finished_at: Date | null;
    /** Executions started (each may have reached the remote side). */
    tries: number;
    not_before: Date | null;
    lease_owner: string | null;
    lease_until: Date | null;
    result_deadline: Date | null;
    outcome_reason: string | null;
    outcome_detail: string | null;
    url: string | null;
    updated_at: Date;
  };
  /** The failure-rate breaker's pauses; the current one per tier has no `resumed_at`. */
  tier_pauses: {
    id: Generated<number>;
    tier: RemediationTier;
    paused_at: Date;
    reason: string;
    resumed_at: Date | null;
    resumed_by: string | null;
    /** The tier's policy version at which policy.state first showed this pause (policy-admin took it over). */
    handed_over_version: number | null;
  };
  /** One row per tier, locked for update so budget counting and reserving are serialised. */
  tier_budget_locks: { tier: RemediationTier };
  /** Executor results that arrived by callback (possibly before the attempt was marked sent). */
  webhook_results: {
    attempt_key: string;
    status: string;
    url: string | null;
    detail: string | null;
    received_at: Date;
  };
  /**
   * The latest classified state of every finding seen (newest revision wins, across
   * findings.classified and findings.resolved): the backlog a raised tier works through.
   */
  open_findings: {
    fingerprint: string;
    tier: RiskTier;
    revision: number;
    state: 'open' | 'resolved';
    /** Null only for a finding first seen as resolved. */
    classified: Jsonb<ClassifiedState> | null;
    first_seen_at: Date;
    /** Last decision made for it (its classified event or a sweep); null: never decided. */
    decided_at: Date | null;
    updated_at: Date;
  };
  /**
   * Per tier: the gate level last acted on (0 closed, 1 dry-run, 2 on) and the backlog sweep
   * in progress, if any. Findings not decided since `sweep_started_at` are its work.
   */
  tier_backlogs: {
    tier: RemediationTier;
    level: number;
    sweep_started_at: Date | null;
    sweep_policy_version: string | null;
    changed_at: Date;
  };
  /** Events of executor outcomes, written with the outcome and published after commit. */
  outbox: {
    id: Generated<string>;
    event: Jsonb<StoredEvent>;
    created_at: Date;
    published_at: Date | null;
  };
}

export type PatcherDatabase = PatcherTables & ConsumerLedgerTables & AuditTables;

export const patcherMigrations: Migrations = {
  '0002_patch_attempts': {
    async up(db) {
      await db.schema
        .createTable('patch_attempts')
        .addColumn('attempt_key', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('team', 'text', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text')
        .addColumn('payload', 'jsonb')
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz')
        .addColumn('finished_at', 'timestamptz')
        .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('not_before', 'timestamptz')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'timestamptz')
        .addColumn('result_deadline', 'timestamptz')
        .addColumn('outcome_reason', 'text')
        .addColumn('outcome_detail', 'text')
        .addColumn('url', 'text')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('patch_attempts_fingerprint')
        .on('patch_attempts')
        .column('fingerprint')
        .execute();
      await db.schema
        .createIndex('patch_attempts_tier_decided')
        .on('patch_attempts')
        .columns(['tier', 'decided_at'])
        .execute();
      await db.schema
        .createIndex('patch_attempts_status')
        .on('patch_attempts')
        .columns(['status', 'not_before'])
        .execute();
      await db.schema
        .createTable('tier_pauses')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('paused_at', 'timestamptz', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('resumed_at', 'timestamptz')
        .addColumn('resumed_by', 'text')
        .execute();
      // At most one open pause per tier.
      await sql`create unique index tier_pauses_open on tier_pauses (tier) where resumed_at is null`.execute(
        db,
      );
      await db.schema
        .createTable('tier_budget_locks')
        .addColumn('tier', 'text', (c) => c.primaryKey())
        .execute();
      await sql`insert into tier_budget_locks (tier) values ('critical'), ('high'), ('medium'), ('low')`.execute(
        db,
      );
      await db.schema
        .createTable('webhook_results')
        .addColumn('attempt_key', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('detail', 'text')
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('event', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('published_at', 'timestamptz')
        .execute();
      await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(
        db,
      );
    },
  },
  '0003_pause_handover': {
    async up(db) {
      await db.schema
        .alterTable('tier_pauses')
        .addColumn('handed_over_version', 'integer')
        .execute();
    },
  },
  '0004_finding_backlog': {
    async up(db) {
      await db.schema
        .createTable('open_findings')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('classified', 'jsonb')
        .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('decided_at', 'timestamptz')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index open_findings_backlog on open_findings (tier, first_seen_at, fingerprint) where state = 'open'`.execute(
        db,
      );
      await db.schema
        .createTable('tier_backlogs')
        .addColumn('tier', 'text', (c) => c.primaryKey())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('sweep_started_at', 'timestamptz')
        .addColumn('sweep_policy_version', 'text')
        .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`insert into tier_backlogs (tier, level, changed_at) values ('critical', 0, now()), ('high', 0, now()), ('medium', 0, now()), ('low', 0, now())`.execute(
        db,
      );
    },
  },
};
