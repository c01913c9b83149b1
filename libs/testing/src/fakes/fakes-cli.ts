import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RepositoryInit } from './github/github-store';
import type { FaultSpec } from './server/faults';
import { FAKE_NAMES, type AllFakesOptions, type FakeName } from './start-all-fakes';

export const FAKES_USAGE = `Usage: node dist/libs/testing/src/fakes/main.js [options]
Starts fake Jira Cloud, Jira Data Center, ServiceNow and GitHub servers and prints their URLs and
credentials as one line of JSON. Stops on SIGINT/SIGTERM.

  --host <addr>            interface to bind (default 127.0.0.1)
  --jira-cloud-port <n>    port for Jira Cloud (default: a free port)
  --jira-dc-port <n>       port for Jira Data Center
  --servicenow-port <n>    port for ServiceNow
  --github-port <n>        port for GitHub
  --github-repos <file>    JSON list of repositories to start with: {owner, name, files}
  --only <names>           comma list of jira-cloud, jira-dc, servicenow, github
  --latency-ms <n>         add this latency to every API request
  --rate-limit <n>         allow n requests per second per fake (429 + Retry-After beyond)

Environment (all optional; random secrets otherwise):
  HUM_FAKES_CONTROL_TOKEN, HUM_FAKE_JIRA_CLOUD_API_TOKEN, HUM_FAKE_JIRA_DC_TOKEN,
  HUM_FAKE_SERVICENOW_PASSWORD, HUM_FAKE_SERVICENOW_CLIENT_SECRET, HUM_FAKE_GITHUB_TOKEN`;

export class FakesUsageError extends Error {
  override readonly name = 'FakesUsageError';
}

/** Command line and environment to startAllFakes options; throws FakesUsageError on bad input. */
export function parseFakesCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AllFakesOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        'jira-cloud-port': { type: 'string' },
        'jira-dc-port': { type: 'string' },
        'servicenow-port': { type: 'string' },
        'github-port': { type: 'string' },
        'github-repos': { type: 'string' },
        only: { type: 'string' },
        'latency-ms': { type: 'string' },
        'rate-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new FakesUsageError(error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  const values = parsed.values;
  if (values.help) return 'help';
  const port = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65_535)
      throw new FakesUsageError(`--${name} must be a port number, got '${raw}'`);
    return value;
  };
  const positive = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new FakesUsageError(`--${name} must be a non-negative number, got '${raw}'`);
    return value;
  };
  let only: FakeName[] | undefined;
  if (values.only !== undefined) {
    only = values.only.split(',').map((name) => name.trim()) as FakeName[];
    const unknown = only.filter((name) => !FAKE_NAMES.includes(name));
    if (unknown.length > 0)
      throw new FakesUsageError(`--only: unknown fake(s) ${unknown.join(', ')}`);
  }
  const faults: FaultSpec[] = [];
  const latency = positive('latency-ms', values['latency-ms']);
  if (latency !== undefined && latency > 0)
    faults.push({ kind: 'latency', ms: Math.round(latency) });
  const rate = positive('rate-limit', values['rate-limit']);
  if (rate !== undefined && rate > 0) faults.push({ kind: 'rateLimit', requestsPerSecond: rate });

  const ports: Partial<Record<FakeName, number>> = {};
  const cloudPort = port('jira-cloud-port', values['jira-cloud-port']);
  if (cloudPort !== undefined) ports['jira-cloud'] = cloudPort;
  const dcPort = port('jira-dc-port', values['jira-dc-port']);
  if (dcPort !== undefined) ports['jira-dc'] = dcPort;
  const snPort = port('servicenow-port', values['servicenow-port']);
  if (snPort !== undefined) ports.servicenow = snPort;
  const gitHubPort = port('github-port', values['github-port']);
  if (gitHubPort !== undefined) ports.github = gitHubPort;

  const fromEnv = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const options: Record<string, unknown> = { ports, faults };
  if (values.host !== undefined) options['host'] = values.host;
  if (only !== undefined) options['only'] = only;
  if (values['github-repos'] !== undefined)
    options['gitHubRepositories'] = readRepositories(values['github-repos']);
  const secrets: Array<[string, string]> = [
    ['controlToken', 'HUM_FAKES_CONTROL_TOKEN'],
    ['jiraCloudApiToken', 'HUM_FAKE_JIRA_CLOUD_API_TOKEN'],
    ['jiraDataCenterToken', 'HUM_FAKE_JIRA_DC_TOKEN'],
    ['serviceNowPassword', 'HUM_FAKE_SERVICENOW_PASSWORD'],
    ['serviceNowClientSecret', 'HUM_FAKE_SERVICENOW_CLIENT_SECRET'],
    ['gitHubToken', 'HUM_FAKE_GITHUB_TOKEN'],
  ];
  for (const [option, variable] of secrets) {
    const value = fromEnv(variable);
    if (value !== undefined) options[option] = value;
  }
  return options as AllFakesOptions;
}

function readRepositories(file: string): RepositoryInit[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FakesUsageError(
      `--github-repos: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (repo: unknown) =>
        typeof repo === 'object' &&
        repo !== null &&
        typeof (repo as { owner?: unknown }).owner === 'string' &&
        typeof (repo as { name?: unknown }).name === 'string',
    );
  if (!valid) {
    throw new FakesUsageError(
      `--github-repos: ${file} must hold a JSON list of {"owner", "name", "files"} objects`,
    );
  }
  return parsed as RepositoryInit[];
}
