import { open, stat } from 'node:fs/promises';
import { AssetRef } from '@hum/contracts';
import { FORMAT_IDS, type FormatId, type ReportSource, sourceFromFile } from '@hum/scanner-formats';
import type { CommandLine } from './args/command-line';
import type { FlagSpec } from './args/command-spec';
import { wrapWords } from './args/help';
import { CliError, UsageError } from './cli-error';
import { EXIT } from './exit-codes';

export const FORMAT_FLAG: FlagSpec = {
  type: 'string',
  value: 'FORMAT',
  description: 'read the report as this format instead of detecting it',
};

export const FORMATS_HELP = `formats (detected from content; --format overrides):\n${wrapWords(
  FORMAT_IDS.join(', '),
  76,
)
  .map((line) => `  ${line}`)
  .join('\n')}`;

export function formatFlag(line: CommandLine): FormatId | undefined {
  return line.oneOf('format', FORMAT_IDS);
}

/** An asset id as the contracts accept it (it travels in keys and URLs). */
export function assetIdFrom(value: string, flag: string): string {
  const checked = AssetRef.shape.id.safeParse(value);
  if (!checked.success) {
    throw new UsageError(
      `--${flag}: "${value}" ${checked.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  return checked.data;
}

export interface ReportFile {
  path: string;
  /** Bytes on disk (compressed size for a .gz). */
  size: number;
  /** Gzip on disk (`report.json.gz`), by its magic bytes. */
  gzipped: boolean;
  source: ReportSource;
}

/** Opens REPORT for streaming; a missing or unreadable file is exit 66, not a stack trace. */
export async function openReportFile(path: string): Promise<ReportFile> {
  if (path === '') throw new UsageError('REPORT is empty; give the path of the report file');
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(EXIT.notFound, `${path}: not a regular file`);
    return {
      path,
      size: info.size,
      gzipped: await startsWithGzipMagic(path),
      source: await sourceFromFile(path),
    };
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(EXIT.notFound, `${path}: no such file`, [], { cause: error });
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CliError(EXIT.notFound, `${path}: not readable (permission denied)`, [], {
        cause: error,
      });
    }
    throw error;
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}
