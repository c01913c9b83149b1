import type { IncomingMessage } from 'node:http';
import { ProblemException } from '@hum/runtime';

/** The request body as bytes (the service runs without a body parser), at most `limit` bytes. */
export async function readRawBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) {
      throw new ProblemException({
        status: 413,
        code: 'payload-too-large',
        title: 'Payload too large',
        detail: `the body exceeds ${limit} bytes`,
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
