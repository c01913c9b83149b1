import { createHash } from 'node:crypto';
import { auditMigrations, verifyStoredAuditChain } from '@hum/audit';
import {
  type AuditEntryV1,
  type RemediationEventV1,
  type RemediationTier,
  type RiskTier,
  type TierPolicyV1,
  TOPICS,
} from '@hum/contracts';
import { consumerLedgerMigrations, type OutgoingEvent } from '@hum/kafka';
import type { Database } from '@hum/persistence';
import { defaultPolicySnapshot, type PolicySnapshot } from '@hum/policy';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@hum/testing';
import { type PatcherDatabase, patcherMigrations } from '../store/schema';
import {
  type ClassifiedEvent,
  classifiedEvent,
  githubPrPatching,
  patchableFinding,
  type PatchableFindingOptions,
} from '../../test-support/patchable-finding';
import { decideClassified } from './decide-batch';

const patching = githubPrPatching();

const NOW = new Date('2026-11-20T12:00:00.000Z');
let offset = 0;

/** A patchable finding in `tier`, delivered as the classifier publishes it, offsets counting up. */
function event(
  label: string,
  tier: RiskTier,
  asset: PatchableFindingOptions['asset'] = {},
): ClassifiedEvent {
  offset += 1;
  return classifiedEvent(patchableFinding(label, { tier, asset }), {
    id: `e${offset}`,
    offset,
    source: '/hum/risk-classifier',
    time: NOW,
  });
}

function policy(tier: RemediationTier, overrides: Partial<TierPolicyV1>): PolicySnapshot {
  const base = defaultPolicySnapshot();
  return {
    ...base,
    loaded: true,
    tiers: { ...base.tiers, [tier]: { ...base.tiers[tier], version: 2, ...overrides } },
  };
}

const remediations = (outputs: Map<string, OutgoingEvent[]>): RemediationEventV1[] =>
  [...outputs.values()]
    .flat()
    .filter((o) => o.topic.name === TOPICS.remediationEvents.name)
    .map((o) => o.data as RemediationEventV1);
const audits = (outputs: Map<string, OutgoingEvent[]>): AuditEntryV1[] =>
  [...outputs.values()]
    .flat()
    .filter((o) => o.topic.name === TOPICS.auditLog.name)
    .map((o) => o.data as AuditEntryV1);

describe('decideClassified (real PostgreSQL)', () => {
  let test: MigratedTestDatabase<PatcherDatabase>;
  let database: Database<PatcherDatabase>;

  beforeAll(async () => {
    test = await createMigratedTestDatabase<PatcherDatabase>('patcher-decide', {
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...patcherMigrations,
    });
    database = test.database;
  });

  afterAll(async () => {
    await test.close();
  });

  const decide = (events: ReturnType<typeof event>[], snapshot: PolicySnapshot, now = NOW) =>
    database.db
      .transaction()
      .execute((trx) =>
        decideClassified(trx, events, { policy: () => snapshot, patching, fixOptions: {} }, now),
      );

  const attempt = (fingerprintLabel: string) =>
    database.db
      .selectFrom('patch_attempts')
      .selectAll()
      .where('fingerprint', '=', createHash('sha256').update(fingerprintLabel).digest('hex'))
      .execute();

  it('queues an apply in the ledger before anything happens, plans a dry-run, skips off — all audited', async () => {
    const on = await decide([event('a-on', 'low')], policy('low', { mode: 'on' }));
    expect(remediations(on.outputs)).toEqual([]);
    expect(audits(on.outputs).map((a) => a.action)).toEqual(['patcher.patch.queued']);
    expect(await attempt('a-on')).toEqual([
      expect.objectContaining({
        status: 'queued',
        mode: 'on',
        tries: 0,
        strategy: 'github-pr',
        payload: expect.objectContaining({
          target: expect.objectContaining({ owner: 'bank', repo: 'payments-api' }),
        }),
      }),
    ]);

    const dry = await decide([event('a-dry', 'low')], policy('low', { mode: 'dry-run' }));
    expect(remediations(dry.outputs)).toEqual([
      expect.objectContaining({
        status: 'planned',
        strategy: 'github-pr',
        policyVersion: 'tier:low@2+global@0',
      }),
    ]);
    expect(await attempt('a-dry')).toEqual([
      expect.objectContaining({ status: 'planned', mode: 'dry-run' }),
    ]);

    const off = await decide(
      [event('a-off', 'low'), event('a-info', 'info')],
      policy('low', { mode: 'off' }),
    );
    expect(remediations(off.outputs)).toEqual([
      expect.objectContaining({ status: 'skipped', reasons: ['tier-off'] }),
    ]);
    expect(audits(off.outputs).map((a) => [a.action, a.outcome])).toEqual([
      ['patcher.patch.skipped', 'denied'],
    ]);
    expect(await attempt('a-off')).toEqual([]);
    expect(await verifyStoredAuditChain(database.db, 'auto-patcher')).toMatchObject({
      ok: true,
      checked: 3,
    });
  });

  it('counts budgets from the ledger and within a batch: tier hourly, in flight, per team', async () => {
    const tight = policy('medium', {
      mode: 'on',
      budgets: { patchesPerHour: 3, maxInFlight: 10, perTeamPerHour: 2 },
    });
    const first = await decide(
      [event('b-1', 'medium'), event('b-2', 'medium'), event('b-3', 'medium', { team: 'search' })],
      tight,
    );
    expect(first.stats.queued).toBe(3);
    const second = await decide([event('b-4', 'medium', { team: 'search' })], tight);
    expect(remediations(second.outputs)).toEqual([
      expect.objectContaining({ reasons: ['budget-tier-hourly'] }),
    ]);
    const teamOnly = await decide(
      [event('b-5', 'medium', { team: 'payments' })],
      policy('medium', {
        mode: 'on',
        budgets: { patchesPerHour: 99, maxInFlight: 99, perTeamPerHour: 2 },
      }),
    );
    expect(remediations(teamOnly.outputs)).toEqual([
      expect.objectContaining({ reasons: ['budget-team-hourly'] }),
    ]);
    const inFlight = await decide(
      [event('b-6', 'medium', { team: 'new' })],
      policy('medium', {
        mode: 'on',
        budgets: { patchesPerHour: 99, maxInFlight: 3, perTeamPerHour: 99 },
      }),
    );
    expect(remediations(inFlight.outputs)).toEqual([
      expect.objectContaining({ reasons: ['budget-tier-in-flight'] }),
    ]);
    // An hour later only the in-flight budget still binds (the three are still queued).
    const later = await decide(
      [event('b-7', 'medium', { team: 'new' })],
      tight,
      new Date(NOW.getTime() + 3_600_001),
    );
    expect(remediations(later.outputs)).toEqual([]);
  });

  it('makes dry-run plans respect budgets as the real run would', async () => {
    const dry = policy('high', {
      mode: 'dry-run',
      budgets: { patchesPerHour: 1, maxInFlight: 10, perTeamPerHour: 10 },
    });
    const result = await decide([event('c-1', 'high'), event('c-2', 'high')], dry);
    expect(remediations(result.outputs).map((e) => [e.status, e.reasons])).toEqual([
      ['planned', []],
      ['skipped', ['budget-tier-hourly']],
    ]);
  });

  it("counts a team's patches in flight from the ledger and within a batch", async () => {
    const perTeam = policy('high', {
      mode: 'on',
      budgets: { patchesPerHour: 99, maxInFlight: 99, perTeamPerHour: 99, perTeamInFlight: 1 },
    });
    const batch = await decide(
      [
        event('f-1', 'high', { team: 'ledger' }),
        event('f-2', 'high', { team: 'ledger' }),
        event('f-3', 'high', { team: 'cards' }),
      ],
      perTeam,
    );
    // The second ledger fix waits for the first; another team's fix does not.
    expect(batch.stats.queued).toBe(2);
    expect(remediations(batch.outputs)).toEqual([
      expect.objectContaining({
        reasons: ['budget-team-in-flight'],
        detail: '1 of 1 high patches of the team in flight',
      }),
    ]);
    expect(await attempt('f-2')).toEqual([]);
    // Once the first is finished the team's slot is free again (read back from the ledger).
    await database.db
      .updateTable('patch_attempts')
      .set({ status: 'applied' })
      .where('fingerprint', '=', createHash('sha256').update('f-1').digest('hex'))
      .execute();
    expect((await decide([event('f-2', 'high', { team: 'ledger' })], perTeam)).stats.queued).toBe(
      1,
    );
    expect(await attempt('f-2')).toEqual([expect.objectContaining({ status: 'queued' })]);
  });

  it('never decides the same fingerprint + fix twice, and re-queues only a cancelled attempt', async () => {
    const on = policy('critical', {
      mode: 'on',
      budgets: { patchesPerHour: 99, maxInFlight: 99, perTeamPerHour: 99 },
    });
    await decide([event('d-1', 'critical')], on);
    const again = await decide([event('d-1', 'critical')], on);
    expect(remediations(again.outputs)).toEqual([
      expect.objectContaining({ reasons: ['already-attempted'] }),
    ]);
    const fingerprint = createHash('sha256').update('d-1').digest('hex');
    await database.db
      .updateTable('patch_attempts')
      .set({ status: 'applied' })
      .where('fingerprint', '=', fingerprint)
      .execute();
    expect(remediations((await decide([event('d-1', 'critical')], on)).outputs)).toEqual([
      expect.objectContaining({ reasons: ['already-applied'] }),
    ]);
    await database.db
      .updateTable('patch_attempts')
      .set({ status: 'cancelled', tries: 0 })
      .where('fingerprint', '=', fingerprint)
      .execute();
    const requeued = await decide([event('d-1', 'critical')], on);
    expect(requeued.stats.queued).toBe(1);
    expect(await attempt('d-1')).toEqual([expect.objectContaining({ status: 'queued' })]);
  });

  it('skips a tier the breaker paused, and findings no rule or host allows', async () => {
    const on = policy('low', {
      mode: 'on',
      budgets: { patchesPerHour: 99, maxInFlight: 99, perTeamPerHour: 99 },
    });
    await database.db
      .insertInto('tier_pauses')
      .values({ tier: 'low', paused_at: NOW, reason: 'spec' })
      .execute();
    expect(remediations((await decide([event('e-1', 'low')], on)).outputs)).toEqual([
      expect.objectContaining({ reasons: ['tier-paused'] }),
    ]);
    await database.db
      .updateTable('tier_pauses')
      .set({ resumed_at: NOW, resumed_by: 'spec' })
      .where('tier', '=', 'low')
      .execute();

    const result = await decide(
      [
        event('e-2', 'low', { type: 'cloud-account', id: 'aws-123' }),
        event('e-3', 'low', { repository: 'https://github.example.test.evil/bank/payments-api' }),
      ],
      on,
    );
    expect(remediations(result.outputs).map((e) => e.reasons)).toEqual([
      ['no-strategy'],
      ['target-not-allowed'],
    ]);
    expect(await attempt('e-2')).toEqual([]);
  });
});
