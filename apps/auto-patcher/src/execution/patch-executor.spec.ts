import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { auditMigrations, verifyStoredAuditChain } from '@hum/audit';
import { systemClock } from '@hum/common';
import {
  type AuditEntryV1,
  EXAMPLE_RESOLVED,
  type RemediationEventV1,
  type RemediationMode,
  TOPICS,
} from '@hum/contracts';
import { consumerLedgerMigrations } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { PatcherRegistry } from '@hum/patching';
import type { Database } from '@hum/persistence';
import { defaultPolicySnapshot, type PolicySnapshot } from '@hum/policy';
import {
  createMigratedTestDatabase,
  type FakeGitHub,
  startFakeGitHub,
  type MigratedTestDatabase,
  waitFor,
} from '@hum/testing';
import { loadPatcherConfig, type PatcherConfig } from '../config';
import { decideClassified } from '../decisions/decide-batch';
import { PatcherMetrics } from '../patcher-metrics';
import { PauseHandoverService } from '../policy/pause-handover.service';
import type { PolicyState } from '../policy/policy-state';
import { recordResolved } from '../store/findings';
import { type PatcherDatabase, patcherMigrations, type StoredEvent } from '../store/schema';
import { classifiedEvent, patchableFinding } from '../../test-support/patchable-finding';
import type { OutboxRelay } from './outbox-relay';
import { PatchExecutor } from './patch-executor';

const logger = createLogger({ service: 'executor-spec', level: 'silent' });
const PACKAGES = ['pkg-a', 'pkg-b', 'pkg-c', 'pkg-d', 'pkg-e', 'pkg-f', 'pkg-g', 'pkg-h'];

/** The policy source the executor re-checks before acting; a spec flips it between steps. */
class SwitchablePolicy {
  mode: RemediationMode = 'on';
  killSwitch = false;
  /** False as after a start that could not read policy.state in time. */
  loaded = true;

  onChange(): () => void {
    return () => undefined;
  }

  snapshot(): PolicySnapshot {
    const base = defaultPolicySnapshot();
    return {
      loaded: this.loaded,
      global: { ...base.global, killSwitch: this.killSwitch },
      tiers: {
        ...base.tiers,
        low: {
          ...base.tiers.low,
          mode: this.mode,
          budgets: { patchesPerHour: 99, maxInFlight: 99, perTeamPerHour: 99 },
        },
      },
    };
  }
}

/** Outbox publishing is the relay's job (covered by the process spec); here the rows are read. */
const quietRelay = { flush: () => Promise.resolve() } as unknown as OutboxRelay;

describe('PatchExecutor (real PostgreSQL, fake GitHub)', () => {
  let test: MigratedTestDatabase<PatcherDatabase>;
  let database: Database<PatcherDatabase>;
  let github: FakeGitHub;
  let config: PatcherConfig;
  let dir: string;
  const policy = new SwitchablePolicy();

  beforeAll(async () => {
    test = await createMigratedTestDatabase<PatcherDatabase>('patcher-executor', {
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...patcherMigrations,
    });
    database = test.database;
    github = await startFakeGitHub({
      repositories: [
        {
          owner: 'bank',
          name: 'payments-api',
          files: {
            'package.json': `${JSON.stringify({ dependencies: Object.fromEntries(PACKAGES.map((p) => [p, '^1.0.0'])) }, null, 2)}\n`,
          },
        },
      ],
    });
    dir = mkdtempSync(path.join(tmpdir(), 'executor-spec-'));
    writeFileSync(
      path.join(dir, 'patcher.yaml'),
      `version: 1\ngithub:\n  - name: github\n    apiUrl: ${github.url}\n    webUrl: https://github.example.test\n    token: SPEC_GITHUB_TOKEN\nrules:\n  - when: { assetTypes: [repository] }\n    use: github-pr\n    target: github\n`,
    );
    config = loadPatcherConfig({
      KAFKA_BROKERS: '127.0.0.1:9',
      HUM_OPS_TOKEN: 'ops-token-0123456789',
      HUM_INSTANCE_ID: 'executor-spec',
      PATCHER_OPERATOR_TOKEN: 'operator-token-0123456789',
      PATCHER_CONFIG_FILE: path.join(dir, 'patcher.yaml'),
      SPEC_GITHUB_TOKEN: github.botToken,
      PATCHER_POLL_INTERVAL: '50ms',
      PATCHER_LEASE: '5s',
      PATCHER_MAX_TRIES: '2',
      AUTO_PAUSE_MIN_OUTCOMES: '2',
      AUTO_PAUSE_FAILURE_RATE: '50',
    });
  });

  afterAll(async () => {
    await github.close();
    await test.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Decides findings (as the consumer would) and returns their attempt keys. */
  async function queue(...labels: string[]): Promise<string[]> {
    const events = labels.map((label, offset) =>
      classifiedEvent(patchableFinding(label), { id: label, offset }),
    );
    await database.db
      .transaction()
      .execute((trx) =>
        decideClassified(
          trx,
          events,
          { policy: () => policy.snapshot(), patching: config.patching, fixOptions: {} },
          new Date(),
        ),
      );
    return events.map((e) => `${e.data.finding.fingerprint}:1.0.1`);
  }

  async function withExecutor(work: (executor: PatchExecutor) => Promise<void>): Promise<void> {
    const metrics = new PatcherMetrics(new Registry());
    const executor = new PatchExecutor(
      database.db,
      config,
      systemClock,
      logger,
      new PatcherRegistry({
        config: config.patching,
        credentials: config.credentials,
        client: { sleeper: () => Promise.resolve() },
      }),
      policy as unknown as PolicyState,
      quietRelay,
      metrics,
      new PauseHandoverService(
        database.db,
        systemClock,
        logger,
        policy as unknown as PolicyState,
        quietRelay,
        metrics,
      ),
    );
    await executor.onApplicationBootstrap();
    try {
      await work(executor);
    } finally {
      await executor.beforeApplicationShutdown();
    }
  }

  const row = (key: string) =>
    database.db
      .selectFrom('patch_attempts')
      .selectAll()
      .where('attempt_key', '=', key)
      .executeTakeFirstOrThrow();
  const settled = (key: string) =>
    waitFor(
      async () => {
        const r = await row(key);
        return ['applied', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      { describe: `attempt ${key} to settle` },
    );
  const outbox = async (): Promise<StoredEvent[]> =>
    (await database.db.selectFrom('outbox').select('event').orderBy('id').execute()).map(
      (r) => r.event,
    );
  const remediationsOf = async (key: string): Promise<RemediationEventV1[]> =>
    (await outbox())
      .filter((e) => e.topic === TOPICS.remediationEvents.name)
      .map((e) => e.data as RemediationEventV1)
      .filter((e) => e.attemptKey === key);

  it('applies a queued attempt and writes the outcome event and its audit entry with it', async () => {
    const [key] = await queue('pkg-a');
    await withExecutor(async () => {
      expect(await settled(key!)).toMatchObject({
        status: 'applied',
        tries: 1,
        url: expect.stringContaining('/pull/1'),
      });
    });
    expect(await remediationsOf(key!)).toEqual([
      expect.objectContaining({ status: 'applied', reasons: [], strategy: 'github-pr' }),
    ]);
    const audits = (await outbox())
      .filter((e) => e.topic === TOPICS.auditLog.name)
      .map((e) => e.data as AuditEntryV1);
    expect(audits.map((a) => a.action)).toContain('patcher.patch.applied');
  });

  it('re-checks the gates when it acts: a tier switched off after the decision applies nothing', async () => {
    const [key] = await queue('pkg-b');
    policy.mode = 'dry-run';
    try {
      await withExecutor(async () => {
        expect(await settled(key!)).toMatchObject({
          status: 'cancelled',
          outcome_reason: 'tier-off',
        });
      });
    } finally {
      policy.mode = 'on';
    }
    expect(await remediationsOf(key!)).toEqual([
      expect.objectContaining({ status: 'skipped', reasons: ['tier-off'] }),
    ]);
    expect(github.pulls('bank', 'payments-api').filter((p) => p.head.includes('pkg-b'))).toEqual(
      [],
    );
  });

  it('cancels a queued attempt whose finding was resolved after the decision', async () => {
    const [key] = await queue('pkg-g');
    await database.db.transaction().execute((trx) =>
      recordResolved(
        trx,
        [
          {
            ...EXAMPLE_RESOLVED,
            fingerprint: patchableFinding('pkg-g').finding.fingerprint,
          },
        ],
        new Date(),
      ),
    );
    await withExecutor(async () => {
      expect(await settled(key!)).toMatchObject({
        status: 'cancelled',
        outcome_reason: 'finding-resolved',
      });
    });
    expect(await remediationsOf(key!)).toEqual([
      expect.objectContaining({ status: 'skipped', reasons: ['finding-resolved'] }),
    ]);
    expect(github.pulls('bank', 'payments-api').filter((p) => p.head.includes('pkg-g'))).toEqual(
      [],
    );
  });

  it('takes over an attempt whose owner died and reconciles instead of patching again', async () => {
    const [key] = await queue('pkg-c');
    await withExecutor(async () => {
      await settled(key!);
    });
    // As if another replica had opened the pull request and died before recording it.
    await database.db
      .updateTable('patch_attempts')
      .set({
        status: 'running',
        lease_owner: 'dead-replica',
        lease_until: new Date(Date.now() - 1_000),
        finished_at: null,
      })
      .where('attempt_key', '=', key!)
      .execute();
    await withExecutor(async () => {
      expect(await settled(key!)).toMatchObject({ status: 'applied', tries: 2 });
    });
    expect(
      github.pulls('bank', 'payments-api').filter((p) => p.head.includes('pkg-c')),
    ).toHaveLength(1);
  });

  it('backs off through transient faults, then fails with api-unavailable, and the breaker pauses the tier', async () => {
    const keys = await queue('pkg-d', 'pkg-e');
    github.inject({
      kind: 'status',
      status: 503,
      forMs: 60_000,
      match: { method: 'GET', path: '/repos/bank/payments-api/pulls' },
    });
    try {
      await withExecutor(async () => {
        // The first try is rescheduled (not before a backoff); the retry is the last one allowed.
        let lastSeen: unknown;
        await waitFor(
          async () => {
            const r = await row(keys[0]!);
            lastSeen = {
              status: r.status,
              tries: r.tries,
              reason: r.outcome_reason,
              detail: r.outcome_detail,
            };
            return r.tries === 1 && r.status === 'queued';
          },
          {
            describe: () => `a rescheduled attempt (last: ${JSON.stringify(lastSeen)})`,
          },
        );
        await database.db
          .updateTable('patch_attempts')
          .set({ not_before: null })
          .where('attempt_key', 'in', keys)
          .execute();
        for (const key of keys) {
          await database.db
            .updateTable('patch_attempts')
            .set({ not_before: null })
            .where('attempt_key', '=', key)
            .execute();
          expect(await settled(key)).toMatchObject({
            status: 'failed',
            outcome_reason: 'api-unavailable',
            tries: 2,
          });
        }
      });
    } finally {
      github.clearFaults();
    }
    expect((await remediationsOf(keys[0]!))[0]).toMatchObject({
      status: 'failed',
      reasons: ['api-unavailable'],
    });
    expect(
      await database.db
        .selectFrom('tier_pauses')
        .selectAll()
        .where('resumed_at', 'is', null)
        .execute(),
    ).toEqual([expect.objectContaining({ tier: 'low', reason: expect.stringContaining('2 of ') })]);
    const audits = (await outbox())
      .filter((e) => e.topic === TOPICS.auditLog.name)
      .map((e) => e.data as AuditEntryV1);
    expect(audits.filter((a) => a.action === 'patcher.tier.auto-paused')).toHaveLength(1);

    // An attempt decided just before the pause is cancelled when claimed during it.
    const reopen = () =>
      database.db
        .updateTable('tier_pauses')
        .set({ resumed_at: null, resumed_by: null })
        .where('tier', '=', 'low')
        .execute();
    await database.db
      .updateTable('tier_pauses')
      .set({ resumed_at: new Date(), resumed_by: 'spec' })
      .where('tier', '=', 'low')
      .execute();
    const [blocked] = await queue('pkg-f');
    await reopen();
    await withExecutor(async () => {
      expect(await settled(blocked!)).toMatchObject({
        status: 'cancelled',
        outcome_reason: 'tier-paused',
      });
    });
    expect(await verifyStoredAuditChain(database.db, 'auto-patcher')).toMatchObject({ ok: true });
  });

  it('leaves queued attempts alone while the policy is unread, and runs them once it is read', async () => {
    // The breaker's pause from the spec above, lifted by an operator.
    await database.db
      .updateTable('tier_pauses')
      .set({ resumed_at: new Date(), resumed_by: 'spec' })
      .where('resumed_at', 'is', null)
      .execute();
    const [key] = await queue('pkg-h');
    policy.loaded = false;
    try {
      await withExecutor(async () => {
        // Several polls (50 ms) pass: nothing is claimed, cancelled or sent.
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(await row(key!)).toMatchObject({ status: 'queued', tries: 0 });
        policy.loaded = true;
        expect(await settled(key!)).toMatchObject({ status: 'applied', tries: 1 });
      });
    } finally {
      policy.loaded = true;
    }
    expect(await remediationsOf(key!)).toEqual([expect.objectContaining({ status: 'applied' })]);
  });
});
