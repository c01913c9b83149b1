import { createReadStream } from 'node:fs';
import { open as openFile, readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { DETECTION_WINDOW_BYTES, type ReportSource } from './types';

/** The size of the pieces a report is read in: large enough that per-chunk work is noise. */
const CHUNK_BYTES = 256 * 1024;

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function headText(bytes: Buffer): string {
  // Strip a UTF-8 byte-order mark: some Windows scanners write one, and it is not content.
  const text = bytes.subarray(0, DETECTION_WINDOW_BYTES).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A report already in memory (HTTP body, test fixture). Gzip is detected by magic bytes. */
export async function sourceFromBuffer(input: Buffer): Promise<ReportSource> {
  const bytes = isGzip(input) ? gunzipSync(input) : input;
  return {
    head: headText(bytes),
    size: bytes.length,
    async *chunks() {
      const step = CHUNK_BYTES;
      for (let offset = 0; offset < bytes.length; offset += step) {
        yield bytes.subarray(offset, offset + step);
      }
    },
    text: async () => {
      const text = bytes.toString('utf8');
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    },
  };
}

/** A report on disk, streamed so a large file is never held whole unless a parser asks for text(). */
export async function sourceFromFile(path: string): Promise<ReportSource> {
  const info = await stat(path);
  const first = Buffer.alloc(Math.min(info.size, DETECTION_WINDOW_BYTES));
  const handle = await openFile(path, 'r');
  try {
    await handle.read(first, 0, first.length, 0);
  } finally {
    await handle.close();
  }
  const gzipped = isGzip(first);
  const open = (): NodeJS.ReadableStream =>
    gzipped
      ? pipeline(
          createReadStream(path),
          // zlib's 16 KiB default means sixteen times as many chunks for the parser to handle.
          createGunzip({ chunkSize: CHUNK_BYTES }),
          // A read or gunzip error destroys the gunzip stream, whose reader then throws it.
          () => undefined,
        )
      : createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let head = gzipped ? '' : headText(first);
  if (gzipped) {
    const pieces: Buffer[] = [];
    let total = 0;
    for await (const chunk of open() as AsyncIterable<Buffer>) {
      pieces.push(chunk);
      total += chunk.length;
      if (total >= DETECTION_WINDOW_BYTES) break;
    }
    head = headText(Buffer.concat(pieces));
  }
  return {
    head,
    size: gzipped ? undefined : info.size,
    chunks: () => open() as AsyncIterable<Buffer>,
    text: async () => {
      const bytes = gzipped
        ? await readAllChunks(open() as AsyncIterable<Buffer>)
        : await readFile(path);
      const text = bytes.toString('utf8');
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    },
  };
}

async function readAllChunks(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
