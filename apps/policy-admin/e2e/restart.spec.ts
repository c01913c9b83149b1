import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEntryV1 } from '@hum/contracts';
import {
  buildWorkspace,
  createTestDatabase,
  uniqueTopicPrefix,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { Api, loginToken, startAdmin, TopicNames } from './support';

interface PolicyView {
  tiers: Record<string, { mode: string; version: number }>;
}

async function login(url: string, username: string, password: string): Promise<number> {
  return (await new Api(url).post('/v1/auth/login', { username, password, bearer: true })).status;
}

describe('bootstrap users are made once, and a restart keeps what was decided', () => {
  let build: WorkspaceBuild;
  const databases: TestDatabase[] = [];
  let scratch: string;

  beforeAll(async () => {
    build = buildWorkspace('policy-restart');
    scratch = mkdtempSync(path.join(tmpdir(), 'policy-restart-'));
  });

  afterAll(async () => {
    for (const database of databases) await database.cleanup();
    build?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function database(): Promise<TestDatabase> {
    const made = await createTestDatabase('policy_restart');
    databases.push(made);
    return made;
  }

  it('prints passwords on the first start only; users, sessions and policy survive a restart', async () => {
    const db = await database();
    const topics = new TopicNames(uniqueTopicPrefix('policy-restart'));
    const first = await startAdmin({
      build,
      database: db,
      topics,
      users: 'alice:admin,bob:viewer',
    });
    expect([...first.passwords.keys()]).toEqual(['alice', 'bob']);
    const alice = new Api(first.url).withToken(await loginToken(first, 'alice'));
    const bobToken = await loginToken(first, 'bob');
    const decided = await alice.post<{ proposal: { state: string } }>('/v1/proposals', {
      change: { kind: 'tier', tier: 'low', mode: 'dry-run' },
      reason: 'before the restart',
    });
    expect(decided.body.proposal.state).toBe('applied');
    expect((await first.process.stop()).code).toBe(0);

    // Same database, a different user list: the users exist, so nobody is made or printed.
    const second = await startAdmin({
      build,
      database: db,
      topics,
      users: 'alice:admin,bob:viewer,mallory:admin+approver',
    });
    try {
      expect(second.passwords.size).toBe(0);
      expect(second.process.output()).not.toMatch(/created these local users|password=/);
      expect(await login(second.url, 'alice', first.passwords.get('alice')!)).toBe(200);
      expect(await login(second.url, 'mallory', 'x'.repeat(24))).toBe(401);
      // A session from before the restart still holds: the signing key is kept in the database.
      const bob = new Api(second.url).withToken(bobToken);
      const policy = await bob.get<PolicyView>('/v1/policy');
      expect(policy.status).toBe(200);
      expect(policy.body.tiers['low']).toMatchObject({ mode: 'dry-run', version: 1 });
      const created = await bob.get<{ entries: AuditEntryV1[] }>(
        '/v1/audit?action=auth.user.created',
      );
      expect(created.body.entries.map((e) => e.entity.id).sort()).toEqual(['alice', 'bob']);
      expect((await bob.get<{ ok: boolean }>('/v1/audit/verify?chain=policy-admin')).body.ok).toBe(
        true,
      );
    } finally {
      expect((await second.process.stop()).code).toBe(0);
    }
  });

  it('writes the passwords to an owner-only file instead of stdout when told to', async () => {
    const file = path.join(scratch, 'admin-credentials.txt');
    // A world-readable file left from an earlier run is narrowed before anything is written.
    writeFileSync(file, 'stale\n', { mode: 0o644 });
    const admin = await startAdmin({
      build,
      database: await database(),
      topics: new TopicNames(uniqueTopicPrefix('policy-restart-file')),
      users: 'carol:admin,dave:approver',
      env: { ADMIN_BOOTSTRAP_CREDENTIALS_FILE: file },
    });
    try {
      expect(admin.passwords.size).toBe(0);
      expect(admin.process.output()).toMatch(/passwords written to the credentials file/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const written = new Map(
        [...readFileSync(file, 'utf8').matchAll(/user=(\S+) roles=\S+ password=(\S+)/g)].map(
          (m) => [m[1]!, m[2]!],
        ),
      );
      expect([...written.keys()]).toEqual(['carol', 'dave']);
      for (const password of written.values())
        expect(admin.process.output()).not.toContain(password);
      expect(await login(admin.url, 'dave', written.get('dave')!)).toBe(200);
    } finally {
      expect((await admin.process.stop()).code).toBe(0);
    }
  });
});
