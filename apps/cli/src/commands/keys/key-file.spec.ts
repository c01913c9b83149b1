import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ApiKeyRecord, generateApiKey, StaticApiKeyStore } from '@hum/auth';
import { parseCommandLine } from '../../args/command-line';
import { CliError, UsageError } from '../../cli-error';
import { EXIT } from '../../exit-codes';
import { KeyFile, withKeyFileLock } from './key-file';
import { createKeyOptions, keysCreateCommand, keysTable, viewOf } from './keys.commands';

const NOW = new Date('2026-11-27T10:00:00.000Z');

function record(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const key = generateApiKey();
  return {
    id: key.id,
    name: 'shop CI',
    hash: key.hash,
    permissions: ['scans:publish'],
    assets: ['shop-*'],
    teams: [],
    createdAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

async function failure(work: () => Promise<unknown>): Promise<CliError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError');
}

describe('KeyFile', () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'hum-keyfile-'));
  });

  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('creates a missing file 0600 that the gateway loads', async () => {
    const file = path.join(work, 'keys.yaml');
    const keys = await KeyFile.read(file, { createIfMissing: true });
    const added = record();
    keys.add(added);
    await keys.save();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# API keys of the hum ingest gateway/);
    expect(await StaticApiKeyStore.fromText(text, file).get(added.id)).toEqual(added);
  });

  it('keeps the comments of a YAML file and the permission bits it had', async () => {
    const file = path.join(work, 'keys.yaml');
    const first = record();
    writeFileSync(
      file,
      `# managed by ops, ask #platform\nkeys:\n  # the first pipeline\n  - ${JSON.stringify(first)}\n`,
    );
    chmodSync(file, 0o640);
    const keys = await KeyFile.read(file, { createIfMissing: false });
    keys.add(record({ name: 'second' }));
    expect(keys.revoke(first.id, NOW)).toBe(true);
    expect(keys.revoke(first.id, NOW)).toBe(false);
    await keys.save();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# managed by ops, ask #platform');
    expect(text).toContain('# the first pipeline');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const store = StaticApiKeyStore.fromText(text, file);
    expect((await store.get(first.id))?.revokedAt).toBe(NOW.toISOString());
    const reread = await KeyFile.read(file, { createIfMissing: false });
    expect(reread.records().map((r) => r.name)).toEqual(['shop CI', 'second']);
  });

  it('keeps a JSON file JSON, and treats a file of comments only as empty', async () => {
    const json = path.join(work, 'keys.json');
    writeFileSync(json, '{"keys": []}');
    const keys = await KeyFile.read(json, { createIfMissing: false });
    keys.add(record());
    await keys.save();
    expect((JSON.parse(readFileSync(json, 'utf8')) as { keys: unknown[] }).keys).toHaveLength(1);

    const empty = path.join(work, 'empty.yaml');
    writeFileSync(empty, '# nothing yet\n');
    expect((await KeyFile.read(empty, { createIfMissing: false })).records()).toEqual([]);
  });

  it('refuses a file the gateway would refuse (78), and a missing one when not creating (66)', async () => {
    const broken = path.join(work, 'broken.yaml');
    writeFileSync(broken, 'keys:\n  - id: 1\n');
    expect((await failure(() => KeyFile.read(broken, { createIfMissing: false }))).exitCode).toBe(
      EXIT.config,
    );
    writeFileSync(broken, 'keys: [oops');
    const syntax = await failure(() => KeyFile.read(broken, { createIfMissing: false }));
    expect(syntax.exitCode).toBe(EXIT.config);
    expect(syntax.message).toContain('not valid YAML/JSON');
    const missing = await failure(() =>
      KeyFile.read(path.join(work, 'none.yaml'), { createIfMissing: false }),
    );
    expect(missing.exitCode).toBe(EXIT.notFound);
    const keys = await KeyFile.read(path.join(work, 'k.yaml'), { createIfMissing: true });
    expect((await failure(async () => keys.revoke('aaaaaaaaaaaa', NOW))).exitCode).toBe(
      EXIT.notFound,
    );
  });

  it('lets one hum keys run change a file at a time', async () => {
    const file = path.join(work, 'keys.yaml');
    let inner: CliError | undefined;
    await withKeyFileLock(file, async () => {
      inner = await failure(() => withKeyFileLock(file, async () => undefined));
    });
    expect(inner?.exitCode).toBe(EXIT.temporary);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('hum keys create options and views', () => {
  function options(...argv: string[]): ReturnType<typeof createKeyOptions> {
    const parsed = parseCommandLine(keysCreateCommand.spec, argv);
    if (parsed.help) throw new Error('unexpected help');
    return createKeyOptions(parsed.line, NOW);
  }

  function usage(...argv: string[]): string {
    try {
      options(...argv);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error('expected a usage error');
  }

  it('reads scope, permissions and expiry', () => {
    expect(
      options(
        '--name',
        'ci',
        '--assets',
        'shop-*,cart',
        '--teams',
        'payments',
        '--permissions',
        'scans:publish,gate:read',
        '--expires',
        '90d',
        '--file',
        'k.yaml',
      ),
    ).toEqual({
      file: 'k.yaml',
      name: 'ci',
      assets: ['shop-*', 'cart'],
      teams: ['payments'],
      permissions: ['scans:publish', 'gate:read'],
      expiresAt: '2027-02-25T10:00:00.000Z',
      json: false,
    });
    expect(
      options('--name', 'ci', '--assets', '*', '--file', 'k', '--expires', '2027-01-31').expiresAt,
    ).toBe('2027-01-31T00:00:00.000Z');
    expect(options('--name', 'ci', '--assets', '*', '--file', 'k').permissions).toEqual([
      'scans:publish',
    ]);
  });

  it('names the flag of every mistake', () => {
    expect(usage('--assets', '*', '--file', 'k')).toContain('--name is required');
    expect(usage('--name', 'ci', '--file', 'k')).toContain('--assets is required');
    expect(usage('--name', 'ci', '--assets', '*')).toContain('--file is required');
    expect(usage('--name', 'ci', '--assets', '*', '--file', 'k', '--permissions', 'admin')).toBe(
      '--permissions: "admin" is not one of scans:publish, gate:read',
    );
    expect(usage('--name', 'ci', '--assets', '*', '--file', 'k', '--expires', 'soon')).toContain(
      '--expires: expected',
    );
    expect(
      usage('--name', 'ci', '--assets', '*', '--file', 'k', '--expires', '2020-01-01'),
    ).toContain('not in the future');
    expect(usage('--name', 'ci', '--assets', '*', '--file', 'k', '--teams', 'a/b')).toContain(
      '--teams',
    );
  });

  it('shows status and scope but never the hash', () => {
    const active = record();
    const expired = record({ expiresAt: '2026-11-01T00:00:00.000Z' });
    const revoked = record({ revokedAt: '2026-11-20T00:00:00.000Z' });
    const views = [active, expired, revoked].map((r) => viewOf(r, NOW));
    expect(views.map((v) => v.status)).toEqual(['active', 'expired', 'revoked']);
    const table = keysTable(views);
    expect(table.split('\n')[0]).toMatch(
      /^ID +NAME +STATUS +PERMISSIONS +ASSETS +TEAMS +CREATED +EXPIRES$/,
    );
    expect(table).toContain('revoked 2026-11-20');
    for (const r of [active, expired, revoked]) {
      expect(table).not.toContain(r.hash);
      expect(JSON.stringify(viewOf(r, NOW))).not.toContain(r.hash);
    }
  });
});
