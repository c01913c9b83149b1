import { sql } from 'kysely';
import { createDatabase, IN_MEMORY, type Database } from '@hum/persistence';
import { createTestDatabase } from '@hum/testing';
import {
  appendAudit,
  auditMigrations,
  type AuditTables,
  verifyStoredAuditChain,
} from './audit-log';

const draft = (n: number) => ({
  actor: { type: 'user' as const, id: 'alice' },
  action: 'policy.tier.changed',
  entity: { type: 'policy', id: 'tier:low' },
  outcome: 'success' as const,
  details: { n },
});

describe.each(['postgres', 'pglite'] as const)('audit chain on %s', (kind) => {
  let database: Database<AuditTables>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const test = await createTestDatabase('audit');
      database = await createDatabase<AuditTables>({ url: test.url, schema: test.schema });
      cleanup = test.cleanup;
    } else {
      database = await createDatabase<AuditTables>({ dataDir: IN_MEMORY, schema: 'audit_spec' });
      cleanup = async () => undefined;
    }
    await database.migrate(auditMigrations);
  });

  afterAll(async () => {
    await database.close();
    await cleanup();
  });

  it('appends hash-chained entries and verifies them', async () => {
    const first = await database.db
      .transaction()
      .execute((trx) => appendAudit(trx, 'policy-admin', [draft(1), draft(2)]));
    const second = await database.db
      .transaction()
      .execute((trx) => appendAudit(trx, 'policy-admin', [draft(3)]));
    expect(first.map((e) => e.seq)).toEqual([1, 2]);
    expect(second[0]!.prevHash).toBe(first[1]!.hash);
    expect(await verifyStoredAuditChain(database.db, 'policy-admin')).toEqual({
      ok: true,
      checked: 3,
    });
  });

  it('keeps chains apart', async () => {
    await database.db
      .transaction()
      .execute((trx) => appendAudit(trx, 'risk-classifier', [draft(1)]));
    expect(await verifyStoredAuditChain(database.db, 'risk-classifier')).toEqual({
      ok: true,
      checked: 1,
    });
  });

  it('refuses UPDATE and DELETE', async () => {
    await expect(
      sql`update audit_entries set action = 'x.y' where seq = 1`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_entries where seq = 1`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('names the first tampered entry when someone bypasses the trigger', async () => {
    await sql`alter table audit_entries disable trigger audit_entries_append_only`.execute(
      database.db,
    );
    await sql`update audit_entries set details = '{"n": 99}'::jsonb where chain = 'policy-admin' and seq = 2`.execute(
      database.db,
    );
    await sql`alter table audit_entries enable trigger audit_entries_append_only`.execute(
      database.db,
    );
    expect(await verifyStoredAuditChain(database.db, 'policy-admin')).toMatchObject({
      ok: false,
      brokenAt: 2,
      checked: 1,
    });
  });
});
