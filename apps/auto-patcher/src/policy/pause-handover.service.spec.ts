import { Registry } from 'prom-client';
import { auditMigrations, verifyStoredAuditChain } from '@hum/audit';
import { systemClock } from '@hum/common';
import { type AuditEntryV1, type TierPolicyV1, TOPICS } from '@hum/contracts';
import { consumerLedgerMigrations } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import type { Database } from '@hum/persistence';
import { defaultPolicySnapshot, type PolicySnapshot } from '@hum/policy';
import { createMigratedTestDatabase, type MigratedTestDatabase, waitFor } from '@hum/testing';
import type { OutboxRelay } from '../execution/outbox-relay';
import { PatcherMetrics } from '../patcher-metrics';
import { type PatcherDatabase, patcherMigrations } from '../store/schema';
import { PauseHandoverService } from './pause-handover.service';
import type { PolicyState } from './policy-state';

const logger = createLogger({ service: 'handover-spec', level: 'silent' });
const quietRelay = { flush: () => Promise.resolve() } as unknown as OutboxRelay;

/** policy.state as a follower would deliver it: records applied one by one, listeners told. */
class FollowedPolicy {
  private current: PolicySnapshot = { ...defaultPolicySnapshot(), loaded: true };
  private readonly listeners = new Set<(next: PolicySnapshot, previous: PolicySnapshot) => void>();

  snapshot(): PolicySnapshot {
    return this.current;
  }

  onChange(listener: (next: PolicySnapshot, previous: PolicySnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(medium: Partial<TierPolicyV1>): void {
    const previous = this.current;
    this.current = {
      ...previous,
      tiers: { ...previous.tiers, medium: { ...previous.tiers.medium, ...medium } },
    };
    for (const listener of this.listeners) listener(this.current, previous);
  }
}

describe('PauseHandoverService (real PostgreSQL)', () => {
  let test: MigratedTestDatabase<PatcherDatabase>;
  let database: Database<PatcherDatabase>;

  beforeAll(async () => {
    test = await createMigratedTestDatabase<PatcherDatabase>('patcher-handover', {
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...patcherMigrations,
    });
    database = test.database;
  });

  afterAll(async () => {
    await test.close();
  });

  const openPause = () =>
    database.db
      .selectFrom('tier_pauses')
      .selectAll()
      .where('tier', '=', 'medium')
      .where('resumed_at', 'is', null)
      .executeTakeFirst();

  const audits = async (): Promise<AuditEntryV1[]> =>
    (await database.db.selectFrom('outbox').select('event').orderBy('id').execute())
      .map((r) => r.event)
      .filter((e) => e.topic === TOPICS.auditLog.name)
      .map((e) => e.data as AuditEntryV1);

  it('lifts a breaker pause only after policy.state showed it and an admin cleared it there', async () => {
    const policy = new FollowedPolicy();
    policy.publish({ mode: 'on', version: 3, paused: false });
    const metrics = new PatcherMetrics(new Registry());
    metrics.pausedTiers.set({ tier: 'medium' }, 1);
    const service = new PauseHandoverService(
      database.db,
      systemClock,
      logger,
      policy as unknown as PolicyState,
      quietRelay,
      metrics,
    );
    await database.db
      .insertInto('tier_pauses')
      .values({ tier: 'medium', paused_at: new Date(), reason: '3 of 3 patches failed' })
      .execute();
    await service.onApplicationBootstrap();
    try {
      // A change made before policy-admin recorded the pause says paused: false; it must not lift it.
      policy.publish({
        version: 4,
        budgets: { patchesPerHour: 5, maxInFlight: 5, perTeamPerHour: 5 },
      });
      await service.reconcile();
      expect(await openPause()).toMatchObject({ handed_over_version: null });

      policy.publish({ version: 5, paused: true, decidedBy: ['auto-patcher'] });
      await waitFor(async () => (await openPause())?.handed_over_version === 5, {
        describe: 'the pause handed over at v5',
      });
      expect(await audits()).toEqual([]);

      policy.publish({ version: 6, paused: false, decidedBy: ['carol'] });
      await waitFor(async () => (await openPause()) === undefined, {
        describe: 'the pause lifted by the resume at v6',
      });
    } finally {
      await service.beforeApplicationShutdown();
    }
    const lifted = await database.db
      .selectFrom('tier_pauses')
      .selectAll()
      .where('tier', '=', 'medium')
      .executeTakeFirstOrThrow();
    expect(lifted.resumed_by).toBe('policy.state tier:medium@6+global@0');
    expect(await audits()).toEqual([
      expect.objectContaining({
        action: 'patcher.tier.resumed',
        actor: { type: 'service', id: 'auto-patcher' },
        entity: { type: 'policy', id: 'tier:medium' },
        details: expect.objectContaining({
          via: 'policy.state',
          decidedBy: ['carol'],
          pauseReason: '3 of 3 patches failed',
        }),
      }),
    ]);
    expect((await metrics.pausedTiers.get()).values).toEqual([
      expect.objectContaining({ labels: { tier: 'medium' }, value: 0 }),
    ]);
    expect(await verifyStoredAuditChain(database.db, 'auto-patcher')).toMatchObject({ ok: true });
  });

  it('hands over at start a pause policy.state already holds, and resumes once', async () => {
    const policy = new FollowedPolicy();
    policy.publish({ mode: 'on', version: 9, paused: true });
    const service = new PauseHandoverService(
      database.db,
      systemClock,
      logger,
      policy as unknown as PolicyState,
      quietRelay,
      new PatcherMetrics(new Registry()),
    );
    await database.db
      .insertInto('tier_pauses')
      .values({ tier: 'medium', paused_at: new Date(), reason: '4 of 5 patches failed' })
      .execute();
    await service.onApplicationBootstrap();
    try {
      expect(await openPause()).toMatchObject({ handed_over_version: 9 });
      policy.publish({ version: 10, paused: false });
      // Two passes racing for one resume: the pause is lifted and audited once.
      await Promise.all([service.reconcile(), service.reconcile()]);
      expect(await openPause()).toBeUndefined();
    } finally {
      await service.beforeApplicationShutdown();
    }
    const resumes = (await audits()).filter(
      (a) =>
        a.action === 'patcher.tier.resumed' && a.details['pauseReason'] === '4 of 5 patches failed',
    );
    expect(resumes).toHaveLength(1);
  });
});
