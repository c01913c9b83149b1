import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseApiKeyToken, secretMatches, StaticApiKeyStore } from '@hum/auth';
import { buildWorkspace, type WorkspaceBuild } from '@hum/testing';
import { runBuiltCli } from './built-cli';

describe('hum keys (the built CLI)', () => {
  let build: WorkspaceBuild;
  let hum: string;
  let work: string;

  beforeAll(() => {
    build = buildWorkspace('cli-keys');
    hum = build.entry('apps/cli/src/main.js');
    work = mkdtempSync(path.join(tmpdir(), 'hum-cli-keys-'));
  });

  afterAll(() => {
    build?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('creates a key file 0600, prints the token once, and lists and revokes without hashes', async () => {
    const file = path.join(work, 'keys.yaml');
    const created = await runBuiltCli(hum, [
      'keys',
      'create',
      '--name',
      'shop-web CI',
      '--assets',
      'shop-*,cart',
      '--teams',
      'payments',
      '--expires',
      '30d',
      '--file',
      file,
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const parsed = parseApiKeyToken(token)!;
    expect(parsed).toBeDefined();
    expect(created.stdout).toBe(`${token}\n`);
    expect(created.stderr).toContain('shown only this once');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(parsed.secret);
    const record = await StaticApiKeyStore.fromText(text, file).get(parsed.id);
    expect(record).toMatchObject({
      name: 'shop-web CI',
      assets: ['shop-*', 'cart'],
      teams: ['payments'],
      permissions: ['scans:publish'],
    });
    expect(secretMatches(parsed.secret, record!.hash)).toBe(true);
    expect(record!.expiresAt).toBeDefined();

    const listed = await runBuiltCli(hum, ['keys', 'list', '--file', file]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^ID +NAME +STATUS.*\\n${parsed.id} +shop-web CI +active +scans:publish +shop-\\*,cart +payments`,
      ),
    );
    expect(listed.stdout).not.toContain(record!.hash);

    const revoked = await runBuiltCli(hum, ['keys', 'revoke', parsed.id, '--file', file, '--json']);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id: parsed.id, status: 'revoked' });
    expect(JSON.stringify(JSON.parse(revoked.stdout))).not.toContain(record!.hash);
    expect(
      (await StaticApiKeyStore.fromText(readFileSync(file, 'utf8'), file).get(parsed.id))
        ?.revokedAt,
    ).toBeDefined();

    const unknown = await runBuiltCli(hum, ['keys', 'revoke', 'aaaaaaaaaaaa', '--file', file]);
    expect(unknown.code).toBe(66);
  });

  it('keeps a JSON key file JSON and refuses to touch one the gateway would reject', async () => {
    const file = path.join(work, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [] }));
    const created = await runBuiltCli(hum, [
      'keys',
      'create',
      '--name',
      'ci',
      '--assets',
      '*',
      '--file',
      file,
      '--json',
    ]);
    expect(created.code).toBe(0);
    const answer = JSON.parse(created.stdout) as { id: string; token: string };
    expect(parseApiKeyToken(answer.token)?.id).toBe(answer.id);
    expect(
      (JSON.parse(readFileSync(file, 'utf8')) as { keys: { id: string }[] }).keys.map((k) => k.id),
    ).toEqual([answer.id]);

    const broken = path.join(work, 'broken.yaml');
    writeFileSync(broken, 'keys:\n  - id: nope\n');
    const refused = await runBuiltCli(hum, [
      'keys',
      'create',
      '--name',
      'ci',
      '--assets',
      '*',
      '--file',
      broken,
    ]);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain(broken);
    expect(readFileSync(broken, 'utf8')).toBe('keys:\n  - id: nope\n');

    const missing = await runBuiltCli(hum, [
      'keys',
      'list',
      '--file',
      path.join(work, 'none.yaml'),
    ]);
    expect(missing.code).toBe(66);
  });
});
