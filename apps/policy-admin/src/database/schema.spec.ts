import { auditMigrations } from '@hum/audit';
import { EXAMPLE_CLASSIFIED, type ClassifiedFindingV1, ticketGroupKeys } from '@hum/contracts';
import { createDatabase, type Database, jsonb } from '@hum/persistence';
import { createTestDatabase, type TestDatabase } from '@hum/testing';
import { type AdminDatabase, adminMigrations } from './schema';

const MIGRATIONS = { ...auditMigrations, ...adminMigrations };

function classifiedAt(
  fingerprint: string,
  revision: number,
  factors: ClassifiedFindingV1['classification']['factors'],
): ClassifiedFindingV1 {
  return {
    ...EXAMPLE_CLASSIFIED,
    finding: { ...EXAMPLE_CLASSIFIED.finding, fingerprint },
    classification: { ...EXAMPLE_CLASSIFIED.classification, factors },
    lifecycle: { ...EXAMPLE_CLASSIFIED.lifecycle, revision },
  };
}

describe('policy-admin schema (real PostgreSQL)', () => {
  let test: TestDatabase;
  let database: Database<AdminDatabase>;

  beforeAll(async () => {
    test = await createTestDatabase('policy_admin_schema');
    database = await createDatabase<AdminDatabase>({ url: test.url, schema: test.schema });
  });

  afterAll(async () => {
    await database?.close();
    await test?.cleanup();
  });

  it('fills KEV and ticket-group membership in for findings stored before it kept them', async () => {
    await database.migrate(MIGRATIONS, { to: '0002_policy_admin' });
    const db = database.db;
    const listed = 'a'.repeat(64);
    const silent = 'b'.repeat(64);
    const kevAs = (input: boolean) =>
      EXAMPLE_CLASSIFIED.classification.factors.map((f) =>
        f.name === 'kev' ? { ...f, input } : f,
      );
    // `listed` entered KEV in its latest revision; `silent`'s classification has no kev factor.
    const events = [
      classifiedAt(listed, 1, kevAs(false)),
      classifiedAt(listed, 2, kevAs(true)),
      classifiedAt(
        silent,
        1,
        EXAMPLE_CLASSIFIED.classification.factors.filter((f) => f.name !== 'kev'),
      ),
    ];
    await db
      .insertInto('rm_classified')
      .values(
        events.map((e) => ({
          fingerprint: e.finding.fingerprint,
          revision: e.lifecycle.revision,
          at: new Date(e.classification.classifiedAt),
          tier: e.classification.tier,
          team: null,
          asset_id: e.finding.asset.id,
          event: jsonb(e),
        })),
      )
      .execute();
    await db
      .insertInto('rm_findings' as never)
      .values(
        [
          { fingerprint: listed, revision: 2 },
          { fingerprint: silent, revision: 1 },
        ].map((f) => ({
          ...f,
          asset_id: EXAMPLE_CLASSIFIED.finding.asset.id,
          team: null,
          tier: 'critical',
          score: 100,
          state: 'open',
          title: 'log4shell',
          change: 'new',
          classified_at: new Date(),
          resolved_at: null,
          updated_at: new Date(),
        })) as never,
      )
      .execute();

    await database.migrate(MIGRATIONS);

    const kev = await db
      .selectFrom('rm_findings')
      .select(['fingerprint', 'kev'])
      .orderBy('fingerprint')
      .execute();
    expect(kev).toEqual([
      { fingerprint: listed, kev: true },
      { fingerprint: silent, kev: null },
    ]);
    const groups = await db
      .selectFrom('rm_finding_groups')
      .select('group_key')
      .where('fingerprint', '=', listed)
      .execute();
    expect(groups.map((g) => g.group_key).sort()).toEqual(
      ticketGroupKeys({ ...EXAMPLE_CLASSIFIED.finding, fingerprint: listed }).sort(),
    );
    expect(await db.selectFrom('risk_acceptances').select('kev_fingerprints').execute()).toEqual(
      [],
    );
  });
});
