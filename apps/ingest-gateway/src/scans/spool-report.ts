import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export class ReportTooLargeError extends Error {
  override readonly name = 'ReportTooLargeError';

  constructor(readonly limit: number) {
    super(`the report is larger than ${limit} bytes (after decompression)`);
  }
}

export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
}

export class CorruptBodyError extends Error {
  override readonly name = 'CorruptBodyError';
}

export interface SpooledReport {
  path: string;
  bytes: number;
  discard(): Promise<void>;
}

function limitBytes(limit: number, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit) callback(new ReportTooLargeError(limit));
      else callback(null, chunk);
    },
  });
}

/**
 * Streams a request body to a temporary file, decompressing `Content-Encoding: gzip` on the
 * way and stopping at `limit` decompressed bytes, so a large report never sits in memory and
 * a gzip bomb stops at the limit. The parser then streams from the file.
 */
export async function spoolReport(
  body: Readable,
  contentEncoding: string | undefined,
  options: { directory: string; limit: number },
): Promise<SpooledReport> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new UnsupportedEncodingError(
      `Content-Encoding ${encoding} is not supported; send identity or gzip`,
    );
  }
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const file = path.join(options.directory, `report-${randomUUID()}`);
  const counter = { bytes: 0 };
  const discard = (): Promise<void> => rm(file, { force: true });
  try {
    const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [body];
    if (encoding === 'gzip') stages.push(createGunzip());
    stages.push(limitBytes(options.limit, counter));
    stages.push(createWriteStream(file, { mode: 0o600 }));
    await pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]]);
  } catch (error) {
    await discard();
    if (error instanceof ReportTooLargeError) throw error;
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new CorruptBodyError(`the body is not valid gzip: ${(error as Error).message}`);
    }
    throw error;
  }
  return { path: file, bytes: counter.bytes, discard };
}
