import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, envUrl, loadConfig, secret } from '@hum/config';
import type { CommandLine } from '../../args/command-line';
import type { CommandSpec } from '../../args/command-spec';
import { CliError, UsageError } from '../../cli-error';
import { type CliIo, writeOut } from '../../cli-io';
import type { Command } from '../../command';
import { EXIT, type ExitCode } from '../../exit-codes';
import { httpRefusal } from '../../http/http-refusal';

const KINDS = ['kev', 'epss'] as const;
type IntelKind = (typeof KINDS)[number];
const TIMEOUT_MS = 120_000;

const intelEnv = z.object({
  /** The risk classifier's base URL. */
  HUM_CLASSIFIER_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
  /** The ops token the classifier's intel endpoint requires. */
  HUM_OPS_TOKEN: secret().optional(),
});

const IntelAnswer = z.object({
  kind: z.enum(KINDS),
  snapshotId: z.string(),
  asOf: z.string(),
  entries: z.number(),
});

const spec: CommandSpec = {
  path: ['intel', 'refresh'],
  description:
    'Loads newer threat intelligence into the risk classifier: the CISA KEV catalogue (JSON)\n' +
    'and/or the FIRST EPSS scores (CSV, gzip or not), each from a file or an http(s) URL. The\n' +
    'classifier validates and stores it, then re-classifies the open findings it changes.',
  positionals: [],
  flags: {
    kev: { type: 'string', value: 'FILE|URL', description: 'known_exploited_vulnerabilities.json' },
    epss: { type: 'string', value: 'FILE|URL', description: 'epss_scores-YYYY-MM-DD.csv(.gz)' },
    classifier: {
      type: 'string',
      value: 'URL',
      description: "the risk classifier's base URL (default HUM_CLASSIFIER_URL)",
    },
    json: { type: 'boolean', description: 'print what the classifier stored as JSON lines' },
  },
  refusedFlags: {
    token:
      'a token on the command line lands in shell history and ps; set HUM_OPS_TOKEN (or HUM_OPS_TOKEN_FILE)',
  },
  epilog: `environment:
  HUM_CLASSIFIER_URL   the classifier's base URL
  HUM_OPS_TOKEN        the ops token (or HUM_OPS_TOKEN_FILE)

exit codes:
    0  stored; re-classification announced
    2  bad command line
   65  the file is not a valid KEV catalogue / EPSS CSV (the classifier says where)
   66  the file or URL was not found
   69  the classifier or the URL is unreachable
   77  wrong ops token
   78  HUM_OPS_TOKEN or HUM_CLASSIFIER_URL invalid

examples:
  HUM_OPS_TOKEN_FILE=/run/secrets/ops hum intel refresh --classifier https://hum-classifier:8081 \\
    --kev https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
  hum intel refresh --epss ./epss_scores-2026-11-26.csv.gz`,
};

export interface IntelRefreshOptions {
  classifier: URL;
  token: string;
  sources: { kind: IntelKind; source: string }[];
  json: boolean;
}

function httpUrl(value: string): URL | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

export function intelRefreshOptions(line: CommandLine, io: CliIo): IntelRefreshOptions {
  let env: z.output<typeof intelEnv>;
  try {
    env = loadConfig(intelEnv, { service: 'hum intel', env: io.env });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(EXIT.config, error.message);
    throw error;
  }
  const sources = KINDS.flatMap((kind) => {
    const source = line.optional(kind);
    return source === undefined ? [] : [{ kind, source }];
  });
  if (sources.length === 0) throw new UsageError('give --kev FILE|URL, --epss FILE|URL, or both');
  const given = line.optional('classifier') ?? env.HUM_CLASSIFIER_URL;
  if (given === undefined)
    throw new UsageError("--classifier (or HUM_CLASSIFIER_URL) is required: the classifier's URL");
  const classifier = httpUrl(given);
  if (classifier === undefined)
    throw new UsageError(`--classifier: expected an http(s) URL, got "${given}"`);
  if (env.HUM_OPS_TOKEN === undefined)
    throw new CliError(EXIT.config, 'HUM_OPS_TOKEN is required: the ops token of the classifier');
  return { classifier, token: env.HUM_OPS_TOKEN.reveal(), sources, json: line.has('json') };
}

async function load(source: string): Promise<Buffer> {
  const url = httpUrl(source);
  if (url === undefined) {
    try {
      return await readFile(source);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        code === 'ENOENT' ? EXIT.notFound : EXIT.ioError,
        `cannot read ${source}: ${(error as Error).message}`,
      );
    }
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(
      EXIT.unavailable,
      `cannot download ${url.href}: ${(error as Error).message}`,
    );
  }
  if (!response.ok) throw await httpRefusal(response, `downloading ${url.href}`);
  return Buffer.from(await response.arrayBuffer());
}

export async function runIntelRefresh(options: IntelRefreshOptions, io: CliIo): Promise<ExitCode> {
  for (const { kind, source } of options.sources) {
    const body = await load(source);
    const origin = httpUrl(source)?.href ?? `file:${path.basename(source)}`;
    const base = new URL(options.classifier);
    if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
    const target = new URL(`v1/intel/${kind}?source=${encodeURIComponent(origin)}`, base);
    let response: Response;
    try {
      response = await fetch(target, {
        method: 'POST',
        body,
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/octet-stream',
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(
        EXIT.unavailable,
        `the classifier is unreachable at ${target.origin}: ${(error as Error).message}`,
      );
    }
    if (!response.ok) throw await httpRefusal(response, `${kind}: the classifier answered`);
    const answer = IntelAnswer.safeParse(await response.json());
    if (!answer.success)
      throw new CliError(EXIT.protocol, `${target.origin} did not answer like the risk classifier`);
    const stored = answer.data;
    await writeOut(
      io.stdout,
      options.json
        ? `${JSON.stringify({ ...stored, source: origin })}\n`
        : `${kind}: stored snapshot ${stored.snapshotId.slice(0, 12)} (as of ${stored.asOf}, ${stored.entries} entries) from ${origin}; open findings it changes are re-classified\n`,
    );
  }
  return EXIT.ok;
}

export const intelRefreshCommand: Command = {
  spec,
  run: (line, io) => runIntelRefresh(intelRefreshOptions(line, io), io),
};
