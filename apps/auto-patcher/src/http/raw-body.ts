import type { IncomingMessage } from 'node:http';
import { ProblemException } from '@hum/runtime';

const LIMIT_BYTES = 64 * 1024;

/** The request body as sent (bytes matter for signatures), bounded; 413 beyond the limit. */
export async function readRawBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > LIMIT_BYTES)
      throw new ProblemException({
        status: 413,
        code: 'body-too-large',
        title: 'Payload too large',
        detail: `the body exceeds ${LIMIT_BYTES} bytes`,
      });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(text: string): unknown {
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new ProblemException({
      status: 400,
      code: 'invalid-json',
      title: 'Bad request',
      detail: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
