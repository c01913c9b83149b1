import { sql } from 'kysely';
import type { ClassifiedFindingV1, FindingV1, RiskTier, ScanCompletedV1 } from '@hum/contracts';
import type { AuditTables } from '@hum/audit';
import type { ConsumerLedgerTables, LedgerTransaction } from '@hum/kafka';
import type { Jsonb, JsonText, Migrations } from '@hum/persistence';

export type Classification = ClassifiedFindingV1['classification'];

/** The finding inventory, owned by the classifier (its own schema). */
export interface InventoryTables {
  findings: {
    fingerprint: string;
    asset_id: string;
    state: 'open' | 'resolved';
    tier: RiskTier;
    score: number;
    kev: boolean;
    revision: number;
    /** CVE/GHSA ids and aliases, for re-classification when threat intel changes. */
    vulnerability_ids: string[];
    first_seen_at: Date;
    last_seen_at: Date;
    resolved_at: Date | null;
    /** Start of the scan that resolved it: older sightings arriving late must not reopen it. */
    resolved_scan_started_at: Date | null;
    /** Stored and read back whole, never queried inside: text, not jsonb (0005). */
    finding: JsonText<FindingV1>;
    classification: JsonText<Classification>;
    updated_at: Date;
  };
  /** Which scan scopes (asset + tool) currently see a finding, and when they last did. */
  finding_scopes: {
    fingerprint: string;
    scope_key: string;
    /** Start time of the latest scan of this scope that showed the finding. */
    last_seen_at: Date;
    last_scan_id: string;
  };
  scans: {
    scan_id: string;
    scope_key: string;
    asset_id: string;
    tool: string;
    /** From scans.completed; null until that arrives. */
    expected_count: number | null;
    started_at: Date | null;
    status: 'collecting' | 'resolved' | 'stale' | 'blocked';
    /** The scans.completed event, kept so the sweeper can re-announce a scan whose end was missed. */
    completed_event: Jsonb<ScanCompletedV1> | null;
    updated_at: Date;
  };
  /**
   * Distinct findings of a scan received, per input partition: each partition's batches update
   * only their own row, so batches of one big scan never wait on each other.
   */
  scan_counts: {
    scan_id: string;
    scope_key: string;
    partition: number;
    received: number;
  };
  scan_sightings: {
    scan_id: string;
    scope_key: string;
    fingerprint: string;
  };
  /** The start time of the latest evaluated scan per scope: older scans never resolve. */
  scope_heads: {
    scope_key: string;
    latest_started_at: Date;
  };
}

/** Threat-intelligence snapshots uploaded to this classifier, and which one is active per kind. */
export interface IntelTables {
  intel_snapshots: {
    id: string;
    kind: 'kev' | 'epss';
    as_of: string;
    entries: number;
    source: string;
    content: Buffer;
    stored_at: Date;
  };
  intel_active: {
    kind: 'kev' | 'epss';
    snapshot_id: string;
    as_of: string;
    activated_at: Date;
  };
}

export type ClassifierDatabase = InventoryTables & IntelTables & ConsumerLedgerTables & AuditTables;

export const intelMigrations: Migrations = {
  '0003_intel_snapshots': {
    async up(db) {
      await db.schema
        .createTable('intel_snapshots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('entries', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('content', 'bytea', (c) => c.notNull())
        .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('intel_active')
        .addColumn('kind', 'text', (c) => c.primaryKey())
        .addColumn('snapshot_id', 'text', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('activated_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
};

export const inventoryMigrations: Migrations = {
  '0002_finding_inventory': {
    async up(db) {
      await db.schema
        .createTable('findings')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('kev', 'boolean', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('vulnerability_ids', sql`text[]`, (c) => c.notNull())
        .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('resolved_at', 'timestamptz')
        .addColumn('resolved_scan_started_at', 'timestamptz')
        .addColumn('finding', 'jsonb', (c) => c.notNull())
        .addColumn('classification', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('findings_asset_state')
        .on('findings')
        .columns(['asset_id', 'state'])
        .execute();
      await sql`create index findings_vulnerability_ids on findings using gin (vulnerability_ids)`.execute(
        db,
      );
      await db.schema
        .createTable('finding_scopes')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_scan_id', 'uuid', (c) => c.notNull())
        .addPrimaryKeyConstraint('finding_scopes_pk', ['fingerprint', 'scope_key'])
        .execute();
      await db.schema
        .createIndex('finding_scopes_scope')
        .on('finding_scopes')
        .column('scope_key')
        .execute();
      await db.schema
        .createTable('scans')
        .addColumn('scan_id', 'uuid', (c) => c.notNull())
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('expected_count', 'integer')
        .addColumn('started_at', 'timestamptz')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('completed_event', 'jsonb')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('scans_pk', ['scan_id', 'scope_key'])
        .execute();
      await db.schema
        .createTable('scan_counts')
        .addColumn('scan_id', 'uuid', (c) => c.notNull())
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('partition', 'integer', (c) => c.notNull())
        .addColumn('received', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('scan_counts_pk', ['scan_id', 'scope_key', 'partition'])
        .execute();
      await db.schema
        .createTable('scan_sightings')
        .addColumn('scan_id', 'uuid', (c) => c.notNull())
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scan_sightings_pk', ['scan_id', 'scope_key', 'fingerprint'])
        .execute();
      await db.schema
        .createTable('scope_heads')
        .addColumn('scope_key', 'text', (c) => c.primaryKey())
        .addColumn('latest_started_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
  '0004_inline_rows': {
    async up(db) {
      // A findings row (finding and classification as jsonb) is about 3 kB, a ledger row of a
      // classified event about 2 kB: over the default 2 kB target PostgreSQL compresses them
      // on every write, a third of the cost of writing them. Kept inline up to a page instead:
      // more bytes on disk, less CPU per finding.
      await sql`alter table findings set (toast_tuple_target = 8160)`.execute(db);
      await sql`alter table consumer_emitted set (toast_tuple_target = 8160)`.execute(db);
    },
  },
  '0005_findings_json_text': {
    async up(db) {
      // jsonb parsed and rebuilt every finding and classification on write, about a sixth of
      // PostgreSQL's CPU per classified finding; nothing queries inside them.
      await sql`alter table findings
        alter column finding type text using finding::text,
        alter column classification type text using classification::text`.execute(db);
    },
  },
};

/** A transaction of the classifier's handlers (the consumer ledger's). */
export type ClassifierTransaction = LedgerTransaction<InventoryTables & IntelTables & AuditTables>;
