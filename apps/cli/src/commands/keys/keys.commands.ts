import {
  API_KEY_PERMISSIONS,
  type ApiKeyPermission,
  type ApiKeyRecord,
  generateApiKey,
} from '@hum/auth';
import { parseDuration } from '@hum/config';
import { TeamName } from '@hum/contracts';
import type { CommandLine } from '../../args/command-line';
import type { CommandSpec, FlagSpec } from '../../args/command-spec';
import { UsageError } from '../../cli-error';
import { type CliIo, say, writeOut } from '../../cli-io';
import type { Command } from '../../command';
import { EXIT, type ExitCode } from '../../exit-codes';
import { KeyFile, withKeyFileLock } from './key-file';

const FILE_FLAG: FlagSpec = {
  type: 'string',
  value: 'KEYS_FILE',
  description: 'the YAML/JSON key file the gateway reads (GATEWAY_API_KEYS_FILE)',
};
const JSON_FLAG: FlagSpec = { type: 'boolean', description: 'print JSON on stdout' };
const RESTART_NOTE =
  'the gateway reads the key file when it starts: restart it to apply the change';

function fileFlag(line: CommandLine): string {
  return line.required('file', ' (the key file the gateway reads, e.g. --file keys.yaml)');
}

/** What `hum keys` shows of a record: everything but the hash. */
export interface KeyView {
  id: string;
  name: string;
  status: 'active' | 'revoked' | 'expired';
  permissions: ApiKeyPermission[];
  assets: string[];
  teams: string[];
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
}

export function viewOf(record: ApiKeyRecord, now: Date): KeyView {
  const { hash: _hash, ...shown } = record;
  const status =
    record.revokedAt !== undefined
      ? 'revoked'
      : record.expiresAt !== undefined && new Date(record.expiresAt) <= now
        ? 'expired'
        : 'active';
  return { ...shown, status };
}

// --- hum keys create -------------------------------------------------------------------------

export interface CreateKeyOptions {
  file: string;
  name: string;
  assets: string[];
  teams: string[];
  permissions: ApiKeyPermission[];
  expiresAt: string | undefined;
  json: boolean;
}

function expiresAt(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return undefined;
  const duration = parseDuration(value);
  const at =
    duration !== undefined
      ? new Date(now.getTime() + duration)
      : /^\d{4}-\d{2}-\d{2}/.test(value)
        ? new Date(value)
        : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw new UsageError(
      `--expires: expected a duration (90d, 12h) or a date (2027-01-31), got "${value}"`,
    );
  }
  if (at <= now) throw new UsageError(`--expires: ${at.toISOString()} is not in the future`);
  return at.toISOString();
}

export function createKeyOptions(line: CommandLine, now: Date): CreateKeyOptions {
  const name = line.required('name', ' (what the key is for, e.g. --name "shop-web CI")').trim();
  if (name === '' || name.length > 200) throw new UsageError('--name: 1 to 200 characters');
  const assets = line.list('assets');
  if (assets === undefined) {
    throw new UsageError(
      '--assets is required: asset id globs the key may publish for, e.g. --assets "shop-*"',
    );
  }
  const tooLong = assets.find((glob) => glob.length > 200);
  if (tooLong !== undefined)
    throw new UsageError(`--assets: "${tooLong.slice(0, 40)}..." is longer than 200 characters`);
  const teams = line.list('teams') ?? [];
  const badTeam = teams.find((team) => !TeamName.safeParse(team).success);
  if (badTeam !== undefined)
    throw new UsageError(
      `--teams: "${badTeam}" is not a team name (letters, digits, space and ._-)`,
    );
  const permissions = line.list('permissions') ?? ['scans:publish'];
  const unknown = permissions.find((p) => !(API_KEY_PERMISSIONS as readonly string[]).includes(p));
  if (unknown !== undefined) {
    throw new UsageError(
      `--permissions: "${unknown}" is not one of ${API_KEY_PERMISSIONS.join(', ')}`,
    );
  }
  return {
    file: fileFlag(line),
    name,
    assets,
    teams,
    permissions: [...new Set(permissions)] as ApiKeyPermission[],
    expiresAt: expiresAt(line.optional('expires'), now),
    json: line.has('json'),
  };
}

export async function runCreateKey(options: CreateKeyOptions, io: CliIo): Promise<ExitCode> {
  const now = io.clock.now();
  const { record, token } = await withKeyFileLock(options.file, async () => {
    const file = await KeyFile.read(options.file, { createIfMissing: true });
    const taken = new Set(file.records().map((r) => r.id));
    let key = generateApiKey();
    // 12 random characters: a clash is astronomically unlikely, but cheap to rule out.
    while (taken.has(key.id)) key = generateApiKey();
    const created: ApiKeyRecord = {
      id: key.id,
      name: options.name,
      hash: key.hash,
      permissions: options.permissions,
      assets: options.assets,
      teams: options.teams,
      createdAt: now.toISOString(),
      ...(options.expiresAt !== undefined ? { expiresAt: options.expiresAt } : {}),
    };
    file.add(created);
    await file.save();
    return { record: created, token: key.token };
  });
  if (options.json) {
    await writeOut(
      io.stdout,
      `${JSON.stringify({ ...viewOf(record, now), token, file: options.file })}\n`,
    );
  } else {
    await writeOut(io.stdout, `${token}\n`);
  }
  say(io, `hum keys: created API key ${record.id} (${record.name}) in ${options.file}`);
  say(
    io,
    'hum keys: WARNING: the token is shown only this once; store it in the CI secret store now (e.g. as HUM_API_KEY)',
  );
  say(io, `hum keys: ${RESTART_NOTE}`);
  return EXIT.ok;
}

const createSpec: CommandSpec = {
  path: ['keys', 'create'],
  description:
    'Generates a pipeline API key, appends its record (the hash only) to the key file the\n' +
    'gateway reads (created 0600 if missing), and prints the token once on stdout.',
  positionals: [],
  flags: {
    name: { type: 'string', value: 'NAME', description: 'what the key is for, e.g. "shop-web CI"' },
    assets: {
      type: 'string',
      value: 'GLOBS',
      description: 'asset id globs it may publish for, comma-separated ("*" for all)',
    },
    teams: {
      type: 'string',
      value: 'TEAMS',
      description: 'teams it may publish for, comma-separated (default any)',
    },
    permissions: {
      type: 'string',
      value: 'P',
      description: `comma-separated: ${API_KEY_PERMISSIONS.join(', ')} (default scans:publish)`,
    },
    expires: {
      type: 'string',
      value: 'WHEN',
      description: 'expiry: a duration (90d) or a date (2027-01-31)',
    },
    file: FILE_FLAG,
    json: JSON_FLAG,
  },
  epilog: `example:
  hum keys create --name "shop-web CI" --assets "shop-*" --file /etc/hum/keys.yaml > token.txt`,
};

// --- hum keys list ---------------------------------------------------------------------------

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function keysTable(views: readonly KeyView[]): string {
  const day = (iso: string | undefined): string => (iso === undefined ? '-' : iso.slice(0, 10));
  return table([
    ['ID', 'NAME', 'STATUS', 'PERMISSIONS', 'ASSETS', 'TEAMS', 'CREATED', 'EXPIRES'],
    ...views.map((v) => [
      v.id,
      v.name,
      v.status === 'revoked' ? `revoked ${day(v.revokedAt)}` : v.status,
      v.permissions.join(','),
      v.assets.join(','),
      v.teams.length > 0 ? v.teams.join(',') : '(any)',
      day(v.createdAt),
      day(v.expiresAt),
    ]),
  ]);
}

async function runListKeys(line: CommandLine, io: CliIo): Promise<ExitCode> {
  const file = await KeyFile.read(fileFlag(line), { createIfMissing: false });
  const now = io.clock.now();
  const views = file.records().map((record) => viewOf(record, now));
  if (line.has('json')) await writeOut(io.stdout, `${JSON.stringify(views)}\n`);
  else if (views.length === 0) say(io, `hum keys: no keys in ${file.path}`);
  else await writeOut(io.stdout, `${keysTable(views)}\n`);
  return EXIT.ok;
}

const listSpec: CommandSpec = {
  path: ['keys', 'list'],
  description: 'Lists the keys of a key file: id, name, status, scope. Never prints hashes.',
  positionals: [],
  flags: { file: FILE_FLAG, json: JSON_FLAG },
};

// --- hum keys revoke -------------------------------------------------------------------------

async function runRevokeKey(line: CommandLine, io: CliIo): Promise<ExitCode> {
  const id = line.positionals[0]!;
  const path = fileFlag(line);
  const now = io.clock.now();
  const { revoked, record } = await withKeyFileLock(path, async () => {
    const file = await KeyFile.read(path, { createIfMissing: false });
    const changed = file.revoke(id, now);
    if (changed) await file.save();
    return { revoked: changed, record: file.records().find((r) => r.id === id)! };
  });
  if (line.has('json')) await writeOut(io.stdout, `${JSON.stringify(viewOf(record, now))}\n`);
  if (revoked) {
    say(io, `hum keys: revoked API key ${id} (${record.name}) in ${path}`);
    say(io, `hum keys: ${RESTART_NOTE}`);
  } else {
    say(io, `hum keys: API key ${id} (${record.name}) was already revoked on ${record.revokedAt}`);
  }
  return EXIT.ok;
}

const revokeSpec: CommandSpec = {
  path: ['keys', 'revoke'],
  description: 'Revokes a key: its record stays (for the audit trail), marked revoked.',
  positionals: [{ name: 'ID', description: 'the key id (hum keys list shows it)' }],
  flags: { file: FILE_FLAG, json: JSON_FLAG },
};

export const keysCreateCommand: Command = {
  spec: createSpec,
  run: (line, io) => runCreateKey(createKeyOptions(line, io.clock.now()), io),
};
export const keysListCommand: Command = { spec: listSpec, run: runListKeys };
export const keysRevokeCommand: Command = { spec: revokeSpec, run: runRevokeKey };
