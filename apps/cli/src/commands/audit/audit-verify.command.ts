import { z } from 'zod';
import { ConfigError, envUrl, loadConfig, secret } from '@hum/config';
import type { CommandLine } from '../../args/command-line';
import type { CommandSpec } from '../../args/command-spec';
import { CliError, UsageError } from '../../cli-error';
import { type CliIo, say, writeOut } from '../../cli-io';
import type { Command } from '../../command';
import { EXIT, type ExitCode } from '../../exit-codes';
import { httpRefusal } from '../../http/http-refusal';

const CHAIN_RE = /^[a-z][a-z0-9-]{0,62}$/;
const TIMEOUT_MS = 30_000;

/** policy-admin's answer to GET /v1/audit/verify. */
export interface ChainVerification {
  chain: string;
  source: 'database' | 'audit.log';
  ok: boolean;
  checked: number;
  brokenAt?: number;
  reason?: string;
  firstBroken?: {
    seq: number;
    id: string;
    at: string;
    action: string;
    actor: { type: string; id: string };
    entity: { type: string; id: string };
  };
}

const auditEnv = z.object({
  /** policy-admin's base URL, e.g. https://hum-admin.example.com. */
  HUM_ADMIN_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
  /** A bearer token for policy-admin: a session token or an OIDC access token. */
  HUM_ADMIN_TOKEN: secret().optional(),
});

const spec: CommandSpec = {
  path: ['audit', 'verify'],
  description:
    'Asks policy-admin to walk an audit hash chain entry by entry and names the first entry\n' +
    'whose link or content does not hold (an edited, deleted, inserted or reordered entry).',
  positionals: [],
  flags: {
    chain: {
      type: 'string',
      value: 'NAME',
      description:
        "the chain: policy-admin (default; its own tables) or another service's name (as it arrived on audit.log)",
    },
    url: {
      type: 'string',
      value: 'URL',
      description: "policy-admin's base URL (default HUM_ADMIN_URL)",
    },
    json: { type: 'boolean', description: 'print the verification as JSON on stdout' },
  },
  refusedFlags: {
    token:
      'a token on the command line lands in shell history and ps; set HUM_ADMIN_TOKEN (or HUM_ADMIN_TOKEN_FILE)',
  },
  epilog: `environment:
  HUM_ADMIN_URL     policy-admin's base URL
  HUM_ADMIN_TOKEN   bearer token: POST /v1/auth/login with {"bearer": true}, or an OIDC token

exit codes:
    0  the chain is intact
    2  bad command line
   65  the chain is broken: stdout names the first broken entry
   69  policy-admin unreachable
   77  not authenticated, or no role that may read the audit log
   78  HUM_ADMIN_URL or HUM_ADMIN_TOKEN missing or invalid

example:
  HUM_ADMIN_TOKEN=$(cat token) hum audit verify --url https://hum-admin.example.com`,
};

export interface VerifyOptions {
  url: string;
  token: string;
  chain: string;
  json: boolean;
}

export function verifyOptions(line: CommandLine, io: CliIo): VerifyOptions {
  let env: z.output<typeof auditEnv>;
  try {
    env = loadConfig(auditEnv, { service: 'hum audit', env: io.env });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(EXIT.config, error.message);
    throw error;
  }
  const url = line.optional('url') ?? env.HUM_ADMIN_URL;
  if (url === undefined)
    throw new UsageError('--url (or HUM_ADMIN_URL) is required: policy-admin’s base URL');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--url: expected an http(s) URL, got "${url}"`);
  if (env.HUM_ADMIN_TOKEN === undefined)
    throw new CliError(EXIT.config, 'HUM_ADMIN_TOKEN is required: a bearer token for policy-admin');
  const chain = line.optional('chain') ?? 'policy-admin';
  if (!CHAIN_RE.test(chain))
    throw new UsageError(`--chain: "${chain}" is not a chain name (a service name)`);
  return { url, token: env.HUM_ADMIN_TOKEN.reveal(), chain, json: line.has('json') };
}

export function describeVerification(result: ChainVerification): string {
  if (result.ok)
    return `chain ${result.chain} intact: ${result.checked} entries verified (${result.source})`;
  const entry = result.firstBroken;
  const what = entry
    ? ` (id ${entry.id}, ${entry.action} by ${entry.actor.id} on ${entry.entity.type} ${entry.entity.id} at ${entry.at})`
    : '';
  return `chain ${result.chain} BROKEN at entry ${result.brokenAt ?? '?'}${what}: ${result.reason ?? 'no reason given'}; ${result.checked} entries before it verified`;
}

export async function runVerify(options: VerifyOptions, io: CliIo): Promise<ExitCode> {
  const target = new URL(
    `v1/audit/verify?chain=${encodeURIComponent(options.chain)}`,
    options.url.endsWith('/') ? options.url : `${options.url}/`,
  );
  let response: Response;
  try {
    response = await fetch(target, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(EXIT.unavailable, `policy-admin unreachable at ${target.origin}`, [], {
      cause: error,
    });
  }
  if (!response.ok) throw await httpRefusal(response, 'policy-admin answered');
  const text = await response.text();
  let result: ChainVerification;
  try {
    result = JSON.parse(text) as ChainVerification;
  } catch (error) {
    throw new CliError(EXIT.protocol, `${target.origin} did not answer like policy-admin`, [], {
      cause: error,
    });
  }
  if (typeof result.ok !== 'boolean' || typeof result.checked !== 'number')
    throw new CliError(EXIT.protocol, `${target.origin} did not answer like policy-admin`);
  if (options.json) await writeOut(io.stdout, `${JSON.stringify(result)}\n`);
  else await writeOut(io.stdout, `${describeVerification(result)}\n`);
  if (!result.ok) say(io, `hum audit verify: the audit chain ${result.chain} does not verify`);
  return result.ok ? EXIT.ok : EXIT.invalidInput;
}

export const auditVerifyCommand: Command = {
  spec,
  run: (line, io) => runVerify(verifyOptions(line, io), io),
};
