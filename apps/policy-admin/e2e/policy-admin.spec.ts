import { execFile } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { KafkaApiKeyStore, verifyApiKey } from '@hum/auth';
import { systemClock } from '@hum/common';
import {
  type AuditEntryV1,
  ENDED_REASON_MAX_LENGTH,
  type PolicyStateV1,
  type RiskAcceptanceV1,
  TOPICS,
} from '@hum/contracts';
import { EventProducer, provisionTopics } from '@hum/kafka';
import {
  buildWorkspace,
  createTestDatabase,
  uniqueTopicPrefix,
  waitFor,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { classified, fingerprintOf, foreignAuditEntry } from './fixtures';
import {
  type AdminUnderTest,
  type Answer,
  Api,
  logger,
  loginToken,
  readUntil,
  specKafka,
  sqlAsSuperuser,
  startAdmin,
  topicSize,
  TopicNames,
} from './support';

interface Proposal {
  id: string;
  state: string;
  approval: string;
  proposedBy: string;
  decidedBy?: string;
  resultVersion?: number;
}
interface Decided {
  proposal: Proposal;
  applied?: PolicyStateV1;
  published: boolean;
}
interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { pointer?: string; detail: string }[];
}
interface PolicyView {
  tiers: Record<
    string,
    { mode: string; version: number; paused: boolean; budgets: Record<string, number> }
  >;
  global: { killSwitch: boolean; version: number };
}

/** Runs the built `hum` CLI with only the given environment. */
function runHum(
  build: WorkspaceBuild,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [build.entry('apps/cli/src/main.js'), ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('policy-admin (a real process, real broker, real PostgreSQL)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let topics: TopicNames;
  let kafka: Kafka;
  let producer: EventProducer;
  let admin: AdminUnderTest;
  const as: Record<string, Api> = {};

  beforeAll(async () => {
    build = buildWorkspace('policy-admin');
    database = await createTestDatabase('policy_admin');
    topics = new TopicNames(uniqueTopicPrefix('policy-admin'));
    kafka = specKafka();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await provisionTopics(kafkaAdmin, topics, [TOPICS.findingsClassified, TOPICS.auditLog], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await kafkaAdmin.disconnect();
    producer = new EventProducer(kafka, { names: topics, source: '/hum/spec', logger });
    await producer.connect();
    admin = await startAdmin({
      build,
      database,
      topics,
      users: 'alice:admin+operator,bob:approver,carol:admin+approver,vic:viewer,otto:operator',
    });
    for (const name of ['alice', 'bob', 'carol', 'vic', 'otto'])
      as[name] = new Api(admin.url).withToken(await loginToken(admin, name));
  });

  afterAll(async () => {
    const exit = await admin?.process.stop();
    await producer?.disconnect();
    await database?.cleanup();
    build?.remove();
    expect(exit?.code).toBe(0);
  });

  const hum = (args: string[], env: Record<string, string>) => runHum(build, args, env);
  const policy = async (): Promise<PolicyView> =>
    (await as['vic']!.get<PolicyView>('/v1/policy')).body;
  const audit = async (query: string): Promise<AuditEntryV1[]> =>
    (await as['vic']!.get<{ entries: AuditEntryV1[] }>(`/v1/audit?${query}`)).body.entries;
  const policyRecords = (
    until: (all: readonly { key: string | null; value: PolicyStateV1 }[]) => boolean,
  ) => readUntil<PolicyStateV1>(topics.of(TOPICS.policyState), until);

  it('prints each bootstrap password once and starts with every tier off, publishing nothing', async () => {
    expect([...admin.passwords.keys()]).toEqual(['alice', 'bob', 'carol', 'vic', 'otto']);
    for (const password of admin.passwords.values()) {
      expect(password).toHaveLength(24);
      // Never in a log line: only in the one block printed for the operator.
      expect(admin.process.output().split(password).length - 1).toBe(1);
    }
    const current = await policy();
    expect(Object.values(current.tiers).map((t) => t.mode)).toEqual(['off', 'off', 'off', 'off']);
    expect(current.global.killSwitch).toBe(false);
    expect(await topicSize(kafka, topics.of(TOPICS.policyState))).toBe(0);
  });

  it('holds a raise above low until a different approver approves, then publishes the next version', async () => {
    const proposed = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'high', mode: 'on' },
      reason: 'payments backlog is all dependency bumps',
    });
    expect(proposed.status).toBe(201);
    expect(proposed.body.proposal).toMatchObject({
      state: 'pending',
      approval: 'second-person',
      proposedBy: 'alice',
    });
    expect((await policy()).tiers['high']!.mode).toBe('off');

    const approved = await as['bob']!.post<Decided>(
      `/v1/proposals/${proposed.body.proposal.id}/approve`,
      {
        note: 'checked the budgets',
      },
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      proposal: { state: 'applied', decidedBy: 'bob', resultVersion: 1 },
      applied: { kind: 'tier', tier: 'high', mode: 'on', version: 1, decidedBy: ['alice', 'bob'] },
      published: true,
    });
    expect((await policy()).tiers['high']).toMatchObject({ mode: 'on', version: 1 });
    const records = await policyRecords((all) => all.some((r) => r.key === 'tier:high'));
    expect(records.filter((r) => r.key === 'tier:high').map((r) => r.value)).toEqual([
      approved.body.applied,
    ]);

    const trail = await audit(`entity=${proposed.body.proposal.id}`);
    expect(trail.map((e) => [e.action, e.actor.id, e.outcome])).toEqual([
      ['policy.proposal.approved', 'bob', 'success'],
      ['policy.proposal.created', 'alice', 'success'],
    ]);
    const onTopic = await readUntil<AuditEntryV1>(topics.of(TOPICS.auditLog), (all) =>
      all.some((e) => e.value.action === 'policy.proposal.approved'),
    );
    expect(onTopic.map((e) => e.value.action)).toEqual(
      expect.arrayContaining([
        'policy.proposal.created',
        'policy.change.applied',
        'policy.proposal.approved',
      ]),
    );
  });

  it('never lets a proposer approve their own proposal, whatever roles they hold', async () => {
    const proposed = await as['carol']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'medium', mode: 'dry-run' },
      reason: 'see what medium would do',
    });
    const self = await as['carol']!.post<Problem>(
      `/v1/proposals/${proposed.body.proposal.id}/approve`,
    );
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ type: 'https://hum.dev/problems/self-approval' });
    expect(self.body.detail).toMatch(/carol proposed it/);
    expect(
      (await as['vic']!.get<Proposal>(`/v1/proposals/${proposed.body.proposal.id}`)).body.state,
    ).toBe('pending');
    expect((await policy()).tiers['medium']!.mode).toBe('off');
    const denied = await audit(`entity=${proposed.body.proposal.id}&outcome=denied`);
    expect(denied).toEqual([
      expect.objectContaining({
        action: 'policy.proposal.approve',
        actor: { type: 'user', id: 'carol' },
        details: expect.objectContaining({ code: 'self-approval' }),
      }),
    ]);
    // Without the approver role the guard refuses first, and that is audited too.
    const admin = await as['alice']!.post<Problem>(
      `/v1/proposals/${proposed.body.proposal.id}/approve`,
    );
    expect(admin.status).toBe(403);
    expect((await audit('action=access.request.denied&actor=alice')).length).toBeGreaterThan(0);
  });

  it('lowers at once on one admin, raises low on one admin, and releases the kill switch only with a second person', async () => {
    const down = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'high', mode: 'off' },
      reason: 'incident: stop patching high',
    });
    expect(down.body).toMatchObject({
      proposal: { state: 'applied', approval: 'immediate' },
      published: true,
    });
    expect((await policy()).tiers['high']).toMatchObject({ mode: 'off', version: 2 });

    const low = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'low', mode: 'on', budgets: { patchesPerHour: 20 } },
      reason: 'low is safe to automate',
    });
    expect(low.body).toMatchObject({
      proposal: { state: 'applied' },
      applied: { mode: 'on', version: 1 },
    });

    const engage = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'global', killSwitch: true },
      reason: 'bad patch in the wild',
    });
    expect(engage.body.proposal.state).toBe('applied');
    expect((await policy()).global.killSwitch).toBe(true);
    const release = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'global', killSwitch: false },
      reason: 'fixed',
    });
    expect(release.body.proposal).toMatchObject({ state: 'pending', approval: 'second-person' });
    expect((await policy()).global.killSwitch).toBe(true);
    await as['bob']!.post(`/v1/proposals/${release.body.proposal.id}/approve`);
    expect((await policy()).global).toMatchObject({ killSwitch: false, version: 2 });
    const kill = await audit('action=policy.kill-switch');
    expect(kill.map((e) => [e.action, e.actor.id])).toEqual([
      ['policy.kill-switch.released', 'bob'],
      ['policy.kill-switch.engaged', 'alice'],
    ]);
    const records = await policyRecords((all) => all.filter((r) => r.key === 'global').length >= 2);
    expect(
      records
        .filter((r) => r.key === 'global')
        .map((r) => [r.value.version, (r.value as { killSwitch: boolean }).killSwitch]),
    ).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('refuses bad proposals with the reason, changes nothing and audits the attempt', async () => {
    const before = await policy();
    const unknownTier = await as['alice']!.post<Problem>('/v1/proposals', {
      change: { kind: 'tier', tier: 'urgent', mode: 'on' },
      reason: 'typo',
    });
    expect(unknownTier.status).toBe(400);
    expect(unknownTier.body.errors).toEqual([expect.objectContaining({ pointer: '/change/tier' })]);
    const badBudget = await as['alice']!.post<Problem>('/v1/proposals', {
      change: { kind: 'tier', tier: 'low', budgets: { patchesPerHour: -5 } },
      reason: 'negative',
    });
    expect(badBudget.status).toBe(400);
    expect(badBudget.body.errors).toEqual([
      expect.objectContaining({ pointer: '/change/budgets/patchesPerHour' }),
    ]);
    const contradiction = await as['alice']!.post<Problem>('/v1/proposals', {
      change: { kind: 'tier', tier: 'low', budgets: { perTeamPerHour: 50 } },
      reason: 'more for one team than the tier',
    });
    expect(contradiction.status).toBe(422);
    expect(contradiction.body.detail).toMatch(/perTeamPerHour \(50\) cannot exceed/);
    const nothing = await as['alice']!.post<Problem>('/v1/proposals', {
      change: { kind: 'tier', tier: 'critical', mode: 'off' },
      reason: 'already off',
    });
    expect(nothing.status).toBe(422);

    // An expired proposal cannot be approved; the timer then records its expiry.
    const pending = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'critical', mode: 'dry-run' },
      reason: 'will expire',
    });
    const id = pending.body.proposal.id;
    await sqlAsSuperuser(database, [
      `update proposals set expires_at = now() - interval '1 second' where id = '${id}'`,
    ]);
    const late = await as['bob']!.post<Problem>(`/v1/proposals/${id}/approve`);
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('https://hum.dev/problems/expired');
    await waitFor(
      async () => (await audit(`action=policy.proposal.expired&entity=${id}`)).length === 1,
      {
        describe: 'the expiry to be recorded',
      },
    );
    expect((await as['vic']!.get<Proposal>(`/v1/proposals/${id}`)).body.state).toBe('expired');

    const after = await policy();
    expect(after).toEqual(before);
    const refusals = (await audit('outcome=denied')).map(
      (e) => (e.details as { code: string }).code,
    );
    expect(refusals).toEqual(
      expect.arrayContaining(['invalid-request', 'invalid-result', 'no-change', 'expired']),
    );
  });

  it('refuses an approval written against a policy that changed since', async () => {
    const first = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'medium', budgets: { maxInFlight: 5 } },
      reason: 'more in flight',
    });
    const second = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'medium', budgets: { patchesPerHour: 30 } },
      reason: 'more per hour',
    });
    expect((await as['bob']!.post(`/v1/proposals/${first.body.proposal.id}/approve`)).status).toBe(
      200,
    );
    const stale = await as['bob']!.post<Problem>(
      `/v1/proposals/${second.body.proposal.id}/approve`,
    );
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/changed since it was proposed/);
    const withdrawn = await as['alice']!.post<Decided>(
      `/v1/proposals/${second.body.proposal.id}/reject`,
    );
    expect(withdrawn.body.proposal.state).toBe('withdrawn');
  });

  it('manages pipeline keys: shown once, followed by the gateway store, refused here, revocable', async () => {
    const created = await as['alice']!.post<{
      key: { id: string; status: string };
      token: string;
      published: boolean;
    }>('/v1/api-keys', {
      name: 'payments CI',
      permissions: ['scans:publish'],
      assets: ['payments-*'],
      teams: ['payments'],
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^hum_[a-z0-9]{12}_/);
    const listed = await as['vic']!.get<{ keys: Record<string, unknown>[] }>('/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token.slice(-20));
    expect(listed.body.keys[0]).not.toHaveProperty('hash');

    const store = new KafkaApiKeyStore({ kafka, names: topics, logger, service: 'spec' });
    await store.start();
    try {
      await store.ready();
      expect(await verifyApiKey(created.body.token, store, systemClock)).toMatchObject({
        ok: true,
      });
      // A pipeline key is a valid credential, but no route here is for pipelines.
      const refused = await new Api(admin.url)
        .withToken(created.body.token)
        .get<Problem>('/v1/policy');
      expect(refused.status).toBe(403);
      expect(refused.body.type).toBe('https://hum.dev/problems/api-key-not-allowed');
      await waitFor(
        async () =>
          (await as['vic']!.get<{ keys: { lastUsedAt?: string }[] }>('/v1/api-keys')).body.keys[0]!
            .lastUsedAt !== undefined,
        { describe: 'last use to be recorded' },
      );

      const revoked = await as['alice']!.post<{ key: { status: string } }>(
        `/v1/api-keys/${created.body.key.id}/revoke`,
      );
      expect(revoked.body.key.status).toBe('revoked');
      await waitFor(async () => !(await verifyApiKey(created.body.token, store, systemClock)).ok, {
        describe: 'the gateway store to see the revocation',
      });
      expect(await verifyApiKey(created.body.token, store, systemClock)).toEqual({
        ok: false,
        reason: 'revoked',
      });
    } finally {
      await store.stop();
    }
    const again = await as['alice']!.post<Problem>(`/v1/api-keys/${created.body.key.id}/revoke`);
    expect(again.status).toBe(409);
    expect(
      (await audit(`entity=${created.body.key.id}`)).map((e) => [e.action, e.outcome]),
    ).toEqual([
      ['apikey.revoke', 'denied'],
      ['apikey.revoked', 'success'],
      ['apikey.created', 'success'],
    ]);
    const noKey = await as['vic']!.post<Problem>('/v1/api-keys', {
      name: 'x',
      permissions: ['scans:publish'],
      assets: ['*'],
    });
    expect(noKey.status).toBe(403);
  });

  it('accepts a risk with a second person and lapses it when the risk rises or it expires', async () => {
    const now = new Date();
    const finding = classified({ label: 'accept-me', tier: 'medium', team: 'payments', at: now });
    const other = classified({ label: 'expire-me', tier: 'low', team: 'payments', at: now });
    await producer.publish([
      { topic: TOPICS.findingsClassified, key: finding.finding.fingerprint, data: finding },
      { topic: TOPICS.findingsClassified, key: other.finding.fingerprint, data: other },
    ]);
    await waitFor(
      async () =>
        (await as['vic']!.get<{ findings: unknown[] }>('/v1/activity/findings')).body.findings
          .length >= 2,
      { describe: 'the read model to hold both findings' },
    );
    const expiresAt = new Date(Date.now() + 30 * 24 * 3_600_000).toISOString();
    const proposed = await as['alice']!.post<{ id: string; state: string; acceptedTier: string }>(
      '/v1/risk-acceptances',
      {
        target: { kind: 'finding', fingerprint: fingerprintOf('accept-me') },
        reason: 'compensating WAF rule in front of the service',
        owner: 'payments-lead',
        expiresAt,
      },
    );
    expect(proposed.body).toMatchObject({ state: 'pending', acceptedTier: 'medium' });
    expect(
      (await as['alice']!.post(`/v1/risk-acceptances/${proposed.body.id}/approve`)).status,
    ).toBe(403);
    const approved = await as['bob']!.post<{ state: string; published: boolean }>(
      `/v1/risk-acceptances/${proposed.body.id}/approve`,
    );
    expect(approved.body).toMatchObject({ state: 'active', published: true });

    const second = await as['alice']!.post<{ id: string }>('/v1/risk-acceptances', {
      target: { kind: 'finding', fingerprint: fingerprintOf('expire-me') },
      reason: 'accepted until the migration',
      owner: 'payments-lead',
      expiresAt,
    });
    await as['carol']!.post(`/v1/risk-acceptances/${second.body.id}/approve`);

    // The first finding enters a higher tier: its acceptance lapses.
    const risen = classified({
      label: 'accept-me',
      tier: 'high',
      team: 'payments',
      revision: 2,
      at: new Date(),
    });
    await producer.publish([
      { topic: TOPICS.findingsClassified, key: risen.finding.fingerprint, data: risen },
    ]);
    // The second one's expiry passes.
    await sqlAsSuperuser(database, [
      `update risk_acceptances set expires_at = now() where id = '${second.body.id}'`,
    ]);

    const records = await readUntil<RiskAcceptanceV1>(
      topics.of(TOPICS.riskAcceptances),
      (all) =>
        all.some((r) => r.value.state === 'lapsed') && all.some((r) => r.value.state === 'expired'),
    );
    expect(records.map((r) => [r.key, r.value.state, r.value.version])).toEqual(
      expect.arrayContaining([
        [proposed.body.id, 'active', 1],
        [proposed.body.id, 'lapsed', 2],
        [second.body.id, 'active', 1],
        [second.body.id, 'expired', 2],
      ]),
    );
    expect(records.find((r) => r.value.state === 'lapsed')!.value).toMatchObject({
      proposedBy: 'alice',
      approvedBy: 'bob',
      acceptedTier: 'medium',
      endedReason: expect.stringMatching(/^risk rose to /),
    });
    const lapse = await audit(`entity=${proposed.body.id}&action=risk.acceptance.lapsed`);
    expect(lapse[0]!.details).toMatchObject({
      lapse: 'risk-rose',
      reason: expect.stringMatching(/risk rose to high/),
    });
    expect(await audit(`entity=${second.body.id}&action=risk.acceptance.expired`)).toHaveLength(1);
  });

  it('revokes with a blank note as "revoked", and holds a revoke note to the published reason\'s limit', async () => {
    const expiresAt = new Date(Date.now() + 30 * 24 * 3_600_000).toISOString();
    const active = async (groupKey: string): Promise<string> => {
      const proposed = await as['alice']!.post<{ id: string }>('/v1/risk-acceptances', {
        target: { kind: 'group', groupKey },
        reason: 'compensating control until the upgrade',
        owner: 'payments-lead',
        expiresAt,
        acceptedTier: 'medium',
      });
      const approved = await as['bob']!.post(`/v1/risk-acceptances/${proposed.body.id}/approve`);
      expect(approved.status).toBe(200);
      return proposed.body.id;
    };
    type Revoked = { state: string; endedReason?: string; published: boolean };

    const blank = await active('asset-vuln:revoke-blank:CVE-2025-0100');
    const blankRevoke = await as['alice']!.post<Revoked>(`/v1/risk-acceptances/${blank}/revoke`, {
      note: '   ',
    });
    expect(blankRevoke.status).toBe(200);
    expect(blankRevoke.body).toMatchObject({
      state: 'revoked',
      endedReason: 'revoked',
      published: true,
    });

    const noted = await active('asset-vuln:revoke-long:CVE-2025-0101');
    const tooLong = await as['alice']!.post<Problem>(`/v1/risk-acceptances/${noted}/revoke`, {
      note: 'n'.repeat(ENDED_REASON_MAX_LENGTH + 1),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ pointer: '/note' })]);
    expect(
      (await audit(`entity=${noted}&outcome=denied`)).map(
        (e) => (e.details as { code: string }).code,
      ),
    ).toEqual(['invalid-request']);
    const longest = 'n'.repeat(ENDED_REASON_MAX_LENGTH);
    const revoke = await as['alice']!.post<Revoked>(`/v1/risk-acceptances/${noted}/revoke`, {
      note: longest,
    });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toMatchObject({ state: 'revoked', endedReason: longest, published: true });

    const records = await readUntil<RiskAcceptanceV1>(topics.of(TOPICS.riskAcceptances), (all) =>
      [blank, noted].every((id) => all.some((r) => r.key === id && r.value.state === 'revoked')),
    );
    const revoked = new Map(
      records.filter((r) => r.value.state === 'revoked').map((r) => [r.key, r.value]),
    );
    expect(revoked.get(blank)).toMatchObject({ version: 2, endedReason: 'revoked' });
    expect(revoked.get(noted)).toMatchObject({ version: 2, endedReason: longest });
  });

  it('lapses an acceptance at critical when its finding enters KEV, and not one decided knowing it', async () => {
    const at = new Date();
    const fresh = classified({
      label: 'kev-enters',
      tier: 'critical',
      team: 'issuers',
      at,
      kev: false,
    });
    const known = classified({
      label: 'kev-known',
      tier: 'critical',
      team: 'issuers',
      at,
      kev: true,
    });
    await producer.publish(
      [fresh, known].map((f) => ({
        topic: TOPICS.findingsClassified,
        key: f.finding.fingerprint,
        data: f,
      })),
    );
    const findings = async () =>
      (
        await as['vic']!.get<{ findings: { fingerprint: string; revision: number }[] }>(
          '/v1/activity/findings?limit=500',
        )
      ).body.findings;
    await waitFor(
      async () =>
        (await findings()).filter((f) =>
          [fingerprintOf('kev-enters'), fingerprintOf('kev-known')].includes(f.fingerprint),
        ).length === 2,
      { describe: 'both findings in the read model' },
    );
    const accept = async (label: string): Promise<string> => {
      const proposed = await as['alice']!.post<{ id: string; acceptedTier: string }>(
        '/v1/risk-acceptances',
        {
          target: { kind: 'finding', fingerprint: fingerprintOf(label) },
          reason: 'isolated network segment',
          owner: 'issuers-lead',
          expiresAt: new Date(Date.now() + 30 * 24 * 3_600_000).toISOString(),
        },
      );
      // Accepted at critical: there is no tier above it to rise to.
      expect(proposed.body.acceptedTier).toBe('critical');
      const approved = await as['bob']!.post<{ state: string }>(
        `/v1/risk-acceptances/${proposed.body.id}/approve`,
      );
      expect(approved.body.state).toBe('active');
      return proposed.body.id;
    };
    const entering = await accept('kev-enters');
    const knowing = await accept('kev-known');
    expect(
      (await audit(`entity=${entering}&action=risk.acceptance.approved`))[0]!.details,
    ).toMatchObject({ inKevWhenApproved: [] });
    expect(
      (await audit(`entity=${knowing}&action=risk.acceptance.approved`))[0]!.details,
    ).toMatchObject({ inKevWhenApproved: [fingerprintOf('kev-known')] });

    // KEV lists both CVEs now; the tiers stay critical.
    const listed = [
      classified({
        label: 'kev-enters',
        tier: 'critical',
        team: 'issuers',
        at: new Date(),
        kev: true,
      }),
      classified({
        label: 'kev-known',
        tier: 'critical',
        team: 'issuers',
        at: new Date(),
        kev: true,
      }),
    ].map((f) => ({
      ...f,
      lifecycle: { ...f.lifecycle, change: 'intel-changed' as const, revision: 2 },
    }));
    await producer.publish(
      listed.map((f) => ({
        topic: TOPICS.findingsClassified,
        key: f.finding.fingerprint,
        data: f,
      })),
    );
    const records = await readUntil<RiskAcceptanceV1>(topics.of(TOPICS.riskAcceptances), (all) =>
      all.some((r) => r.key === entering && r.value.state === 'lapsed'),
    );
    expect(
      records.find((r) => r.key === entering && r.value.state === 'lapsed')!.value,
    ).toMatchObject({
      acceptedTier: 'critical',
      version: 2,
      // Tickets quote it: the lapse was KEV entry at the same tier, not a tier rise.
      endedReason: expect.stringMatching(/entered CISA KEV \(tier critical\)/),
    });
    const lapse = await audit(`entity=${entering}&action=risk.acceptance.lapsed`);
    expect(lapse).toHaveLength(1);
    expect(lapse[0]!.details).toMatchObject({
      lapse: 'risk-rose',
      signal: 'kev',
      fingerprint: fingerprintOf('kev-enters'),
      reason: expect.stringMatching(/entered CISA KEV \(tier critical\)/),
    });
    // The other acceptance saw the same re-classification (the read model holds revision 2)
    // and still holds: KEV was known when it was approved.
    await waitFor(
      async () =>
        (await findings()).find((f) => f.fingerprint === fingerprintOf('kev-known'))?.revision ===
        2,
      { describe: 'the second re-classification in the read model' },
    );
    const active = await as['vic']!.get<{ acceptances: { id: string }[] }>(
      '/v1/risk-acceptances?state=active',
    );
    expect(active.body.acceptances.map((a) => a.id)).toContain(knowing);
    expect(active.body.acceptances.map((a) => a.id)).not.toContain(entering);
    expect(records.filter((r) => r.key === knowing).map((r) => r.value.state)).toEqual(['active']);
  });

  it('serialises two approvals on one policy key: both wait on the key, one applies, the other is stale', async () => {
    const propose = async (mode: string): Promise<string> => {
      const answer = await as['alice']!.post<Decided>('/v1/proposals', {
        change: { kind: 'tier', tier: 'critical', mode },
        reason: `race: critical ${mode}`,
      });
      expect(answer.body.proposal).toMatchObject({ state: 'pending' });
      return answer.body.proposal.id;
    };
    const before = (await policy()).tiers['critical']!.version;
    const dryRun = await propose('dry-run');
    const on = await propose('on');

    // Hold the key's row as a third writer would, so both approvals reach the lock together.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    let answers: [Answer<Decided | Problem>, Answer<Decided | Problem>];
    try {
      await holder.query(`set search_path to "${database.schema}"`);
      await holder.query('begin');
      await holder.query("select key from policy_records where key = 'tier:critical' for update");
      const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid'))
        .rows[0]!.pid;
      const racing = Promise.all([
        as['bob']!.post<Decided | Problem>(`/v1/proposals/${dryRun}/approve`),
        as['carol']!.post<Decided | Problem>(`/v1/proposals/${on}/approve`),
      ]);
      const waiting = new Client({ connectionString: database.url });
      await waiting.connect();
      try {
        // Both approvals are blocked behind the held row (directly, or behind each other).
        await waitFor(
          async () =>
            Number(
              (
                await waiting.query<{ n: string }>(
                  `with recursive blocked(pid) as (
                     select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid))
                     union
                     select a.pid from pg_stat_activity a join blocked b on b.pid = any(pg_blocking_pids(a.pid))
                   ) select count(*) as n from blocked`,
                  [holderPid],
                )
              ).rows[0]!.n,
            ) === 2,
          { describe: 'both approvals to wait on the tier:critical row' },
        );
      } finally {
        await waiting.end();
      }
      await holder.query('commit');
      answers = await racing;
    } finally {
      await holder.end();
    }

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409]);
    const won = answers.find((a) => a.status === 200)!.body as Decided;
    const lost = answers.find((a) => a.status === 409)!.body as Problem;
    expect(won.applied).toMatchObject({ tier: 'critical', version: before + 1 });
    expect(lost).toMatchObject({ type: 'https://hum.dev/problems/stale' });
    expect((await policy()).tiers['critical']!.version).toBe(before + 1);
    const loser = won.proposal.id === dryRun ? on : dryRun;
    expect((await as['vic']!.get<Proposal>(`/v1/proposals/${loser}`)).body.state).toBe('pending');
    const critical = (await policyRecords((all) => all.some((r) => r.key === 'tier:critical')))
      .filter((r) => r.key === 'tier:critical')
      .map((r) => r.value.version);
    expect(critical).toEqual([before + 1]);
    expect(
      (await audit(`entity=${loser}&outcome=denied`)).map(
        (e) => (e.details as { code: string }).code,
      ),
    ).toEqual(['stale']);
    // Back to off for the specs after this one (lowering applies at once).
    const off = await as['alice']!.post<Decided>('/v1/proposals', {
      change: { kind: 'tier', tier: 'critical', mode: 'off' },
      reason: 'race over',
    });
    expect(off.body.proposal.state).toBe('applied');
    await as['alice']!.post(`/v1/proposals/${loser}/reject`);
  });

  it("records the patcher's auto-pause in policy.state and lets only an operator resume", async () => {
    const entry = foreignAuditEntry('auto-patcher', 1, '', {
      actor: { type: 'service', id: 'auto-patcher' },
      action: 'patcher.tier.auto-paused',
      entity: { type: 'tier', id: 'tier:low' },
      details: { tier: 'low', reason: 'failure rate 60% over the last 10 patches' },
    });
    // Delivered twice: the pause is applied once.
    await producer.publish([
      { topic: TOPICS.auditLog, key: 'tier:low', data: entry },
      { topic: TOPICS.auditLog, key: 'tier:low', data: entry },
    ]);
    await waitFor(async () => (await policy()).tiers['low']!.paused, { describe: 'the pause' });
    const paused = (await policy()).tiers['low']!;
    expect((await audit('action=policy.tier.auto-paused')).length).toBe(1);
    expect((await as['vic']!.post('/v1/policy/tiers/low/resume')).status).toBe(403);
    expect((await as['bob']!.post('/v1/policy/tiers/low/resume')).status).toBe(403);
    const resumed = await as['otto']!.post<{ record: PolicyStateV1 }>(
      '/v1/policy/tiers/low/resume',
      { note: 'executor fixed' },
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body.record).toMatchObject({
      paused: false,
      mode: 'on',
      version: paused.version + 1,
      decidedBy: ['otto'],
    });
    const records = await policyRecords((all) =>
      all.some((r) => r.key === 'tier:low' && r.value.version === paused.version + 1),
    );
    expect(
      records
        .filter((r) => r.key === 'tier:low')
        .map((r) => (r.value as { paused: boolean }).paused)
        .slice(-2),
    ).toEqual([true, false]);
    expect((await as['otto']!.post<Problem>('/v1/policy/tiers/low/resume')).status).toBe(409);
    // The other service's chain, as it arrived on audit.log, verifies too.
    expect((await as['vic']!.get('/v1/audit/verify?chain=auto-patcher')).body).toMatchObject({
      ok: true,
      checked: 1,
      source: 'audit.log',
    });
  });

  it('replays stored findings through the decision code for the what-if view', async () => {
    const start = Date.now() - 3_600_000;
    const findings = Array.from({ length: 8 }, (_, i) =>
      classified({
        label: `whatif-${i}`,
        tier: 'medium',
        team: i < 6 ? 'cards' : 'ledger',
        at: new Date(start + i * 1_000),
      }),
    );
    await producer.publish(
      findings.map((f) => ({
        topic: TOPICS.findingsClassified,
        key: f.finding.fingerprint,
        data: f,
      })),
    );
    await waitFor(
      async () =>
        (
          await as['vic']!.get<{ findings: { team: string }[] }>('/v1/activity/findings?limit=500')
        ).body.findings.filter((f) => f.team === 'cards' || f.team === 'ledger').length === 8,
      { describe: 'the what-if findings in the read model' },
    );
    const answer = await as['vic']!.post<{
      findings: number;
      current: { byTeam: Record<string, { apply: number; skip: number }> };
      proposed: {
        total: { apply: number; skip: number };
        byTeam: Record<string, { apply: number }>;
        budgetsBound: Record<string, number>;
      };
    }>('/v1/what-if', { change: { kind: 'tier', tier: 'medium', mode: 'on' }, days: 1 });
    expect(answer.status).toBe(200);
    // Medium is off in force: none of these would have been patched.
    expect(answer.body.current.byTeam['cards']).toMatchObject({ apply: 0, skip: 6 });
    // Medium's budgets (maxInFlight 5 after the earlier approval, 3 per team per hour): cards
    // gets 3, ledger its 2, and the team budget is what bound the rest of cards.
    expect(answer.body.proposed.byTeam['cards']).toMatchObject({ apply: 3 });
    expect(answer.body.proposed.byTeam['ledger']).toMatchObject({ apply: 2 });
    expect(answer.body.proposed.budgetsBound['budget-team-hourly']).toBe(3);
    expect((await policy()).tiers['medium']!.mode).toBe('off');
  });

  it('verifies the audit chain and names the first entry someone tampered with', async () => {
    const clean = await as['vic']!.get<{ ok: boolean; checked: number }>('/v1/audit/verify');
    expect(clean.body.ok).toBe(true);
    expect(clean.body.checked).toBeGreaterThan(20);
    const intact = await hum(['audit', 'verify', '--url', admin.url], {
      HUM_ADMIN_TOKEN: await loginToken(admin, 'vic'),
    });
    expect(intact).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^chain policy-admin intact: \d+ entries verified \(database\)\n$/,
      ),
    });
    // No API edits audit entries, and the database refuses it even to the service's own role.
    await expect(
      sqlAsSuperuser(database, ["update audit_entries set outcome = 'denied' where seq = 5"]),
    ).rejects.toThrow(/append-only/);
    // Someone who can disable the trigger edits entry 5 anyway.
    await sqlAsSuperuser(database, [
      'alter table audit_entries disable trigger audit_entries_append_only',
      `update audit_entries set details = details || '{"reason":"edited"}'::jsonb where chain = 'policy-admin' and seq = 5`,
      'alter table audit_entries enable trigger audit_entries_append_only',
    ]);
    const broken = await as['vic']!.get<{
      ok: boolean;
      brokenAt: number;
      reason: string;
      firstBroken: { seq: number; action: string };
    }>('/v1/audit/verify?chain=policy-admin');
    expect(broken.body).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: 'content does not match its hash',
      firstBroken: { seq: 5 },
    });
    expect(broken.body.firstBroken.action).toMatch(/^[a-z]+\./);

    // `hum audit verify` says the same, with its exit code.
    const cli = await hum(['audit', 'verify', '--url', admin.url], {
      HUM_ADMIN_TOKEN: await loginToken(admin, 'vic'),
    });
    expect(cli.code).toBe(65);
    expect(cli.stdout).toMatch(/^chain policy-admin BROKEN at entry 5 \(id [0-9a-f-]{36}, /);
    expect(cli.stdout).toMatch(
      /: content does not match its hash; 4 entries before it verified\n$/,
    );
  });
});
