import { ASSET_TYPES, type AssetRef, ENVIRONMENTS, EXPOSURES } from '@hum/contracts';
import { readScanRequest } from '@hum/ingest';
import type { FormatId } from '@hum/scanner-formats';
import type { CommandLine } from '../../args/command-line';
import type { FlagSpec } from '../../args/command-spec';
import { UsageError } from '../../cli-error';
import { formatFlag } from '../../report-file';
import { detectCiContext } from './ci-context';

/** Flag -> the gateway's query parameter, in the order `--help` lists them. */
const CONTEXT_FLAGS = [
  { flag: 'asset', parameter: 'asset' },
  { flag: 'asset-type', parameter: 'assetType' },
  { flag: 'env', parameter: 'environment' },
  { flag: 'team', parameter: 'team' },
  { flag: 'owner', parameter: 'owner' },
  { flag: 'exposure', parameter: 'exposure' },
  { flag: 'repository', parameter: 'repository' },
  { flag: 'commit', parameter: 'commit' },
  { flag: 'pipeline-run', parameter: 'pipelineRun' },
] as const;

export const SCAN_CONTEXT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  asset: { type: 'string', value: 'ID', description: 'asset the report is about (required)' },
  'asset-type': {
    type: 'string',
    value: 'TYPE',
    description: `${ASSET_TYPES.join(', ')} (default repository)`,
  },
  env: { type: 'string', value: 'ENV', description: ENVIRONMENTS.join(', ') },
  team: { type: 'string', value: 'TEAM', description: 'owning team (tickets are routed to it)' },
  owner: { type: 'string', value: 'OWNER', description: 'owning person or group' },
  exposure: { type: 'string', value: 'EXPOSURE', description: EXPOSURES.join(', ') },
  repository: {
    type: 'string',
    value: 'URL',
    description: 'source repository URL (default: from the CI environment)',
  },
  commit: { type: 'string', value: 'SHA', description: 'commit scanned (default: from the CI)' },
  'pipeline-run': {
    type: 'string',
    value: 'URL',
    description: 'URL of this pipeline run (default: from the CI)',
  },
};

export interface ScanContext {
  asset: AssetRef;
  format: FormatId | undefined;
  /** The same context as the gateway's query parameters. */
  query: Record<string, string>;
}

/**
 * Reads the scan context from flags (and, for commit, repository and pipeline run, from the CI
 * environment when the flag is absent) and checks it with the gateway's own reader, so a bad
 * value fails here, naming the flag, before any byte is uploaded.
 */
export function scanContextFrom(
  line: CommandLine,
  env: Readonly<Record<string, string | undefined>>,
): ScanContext {
  line.oneOf('asset-type', ASSET_TYPES);
  line.oneOf('env', ENVIRONMENTS);
  line.oneOf('exposure', EXPOSURES);
  const format = formatFlag(line);
  const detected = detectCiContext(env);
  const query: Record<string, string> = {};
  for (const { flag, parameter } of CONTEXT_FLAGS) {
    const value = line.optional(flag) ?? detected[parameter as keyof typeof detected];
    if (value !== undefined) query[parameter] = value;
  }
  if (query['asset'] === undefined) {
    throw new UsageError('--asset is required: the id of what was scanned, e.g. --asset shop-web');
  }
  if (format !== undefined) query['format'] = format;
  const read = readScanRequest(query, {});
  if (!read.ok) {
    const first = read.errors[0]!;
    const flag =
      CONTEXT_FLAGS.find((f) => f.parameter === first.parameter)?.flag ?? first.parameter;
    throw new UsageError(`--${flag ?? 'asset'}: ${first.detail}`);
  }
  return { asset: read.request.asset, format: read.request.format, query };
}
