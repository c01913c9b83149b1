import { randomUUID } from 'node:crypto';
import { parseReport } from '@hum/scanner-formats';
import type { CommandLine } from '../../args/command-line';
import type { CommandSpec } from '../../args/command-spec';
import { type CliIo, say } from '../../cli-io';
import type { Command } from '../../command';
import { EXIT, type ExitCode } from '../../exit-codes';
import { LineWriter, OutputClosedError } from '../../line-writer';
import {
  assetIdFrom,
  FORMAT_FLAG,
  formatFlag,
  FORMATS_HELP,
  openReportFile,
} from '../../report-file';
import { plural, severityText } from '../../severity-text';

/** Fingerprints mix in the asset id; without one, findings are fingerprinted for this name. */
export const LOCAL_ASSET_ID = 'local';

const spec: CommandSpec = {
  path: ['parse'],
  description:
    'Reads a scanner report and prints its canonical findings (Finding v1) as JSON lines on\n' +
    'stdout. Needs no broker and no gateway: use it to check a report before publishing it.',
  positionals: [
    { name: 'REPORT', description: 'the report file (JSON or XML, optionally gzipped)' },
  ],
  flags: {
    format: FORMAT_FLAG,
    asset: {
      type: 'string',
      value: 'ID',
      description: `asset id the fingerprints are computed for (default ${LOCAL_ASSET_ID})`,
    },
    verbose: { type: 'boolean', description: 'print a summary (format, counts) on stderr' },
  },
  epilog: `${FORMATS_HELP}

exit codes:
    0  parsed; every finding printed
    2  bad command line
   65  invalid report: one line on stderr says what and where
   66  REPORT not found or not readable`,
};

export interface ParseOptions {
  report: string;
  format: ReturnType<typeof formatFlag>;
  assetId: string;
  verbose: boolean;
}

export function parseOptions(line: CommandLine): ParseOptions {
  const asset = line.optional('asset');
  return {
    report: line.positionals[0]!,
    format: formatFlag(line),
    assetId: asset === undefined ? LOCAL_ASSET_ID : assetIdFrom(asset, 'asset'),
    verbose: line.has('verbose'),
  };
}

export async function runParse(options: ParseOptions, io: CliIo): Promise<ExitCode> {
  const file = await openReportFile(options.report);
  const report = parseReport(file.source, {
    ...(options.format !== undefined ? { format: options.format } : {}),
    context: {
      scanId: randomUUID(),
      asset: { id: options.assetId, type: 'repository' },
      detectedAt: io.clock.now().toISOString(),
    },
  });
  const out = new LineWriter(io.stdout);
  try {
    for await (const finding of report.findings) await out.line(JSON.stringify(finding));
    await out.flush();
  } catch (error) {
    if (error instanceof OutputClosedError) return EXIT.ok;
    throw error;
  }
  if (options.verbose) {
    const summary = report.summary();
    const tools = summary.tools.map((t) => (t.version ? `${t.name} ${t.version}` : t.name));
    say(
      io,
      `${report.format}: ${plural(summary.count, 'finding')} (${severityText(summary.severityCounts)})` +
        `${summary.duplicates > 0 ? `, ${plural(summary.duplicates, 'duplicate')} dropped` : ''}` +
        `${tools.length > 0 ? `; tools: ${tools.join(', ')}` : ''}`,
    );
  }
  return EXIT.ok;
}

export const parseCommand: Command = {
  spec,
  run: (line, io) => runParse(parseOptions(line), io),
};
