import { createReadStream } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** The gateway's answers are small JSON documents; anything bigger is not the gateway. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface UploadRequest {
  /** The full `/v1/scans?...` URL. */
  url: URL;
  /** The pipeline's API key; only ever placed in the Authorization header. */
  apiKey: string;
  file: string;
  /** The file is gzip already (`report.json.gz`): send it as it is. */
  alreadyGzipped: boolean;
  /** Socket idle time after which the upload is given up. */
  idleTimeoutMs: number;
  userAgent: string;
  /** Bytes of the file read so far, for the progress bar. */
  onBytes?: (read: number) => void;
  /** Everything was sent; the gateway now parses and publishes. */
  onSent?: () => void;
}

export interface GatewayAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export class UploadTimeoutError extends Error {
  override readonly name = 'UploadTimeoutError';
  readonly code = 'ETIMEDOUT';
}

function countBytes(onBytes: ((read: number) => void) | undefined): Transform {
  let read = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      onBytes?.(read);
      callback(null, chunk);
    },
  });
}

function readAnswer(response: IncomingMessage): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
    });
    response.on('error', reject);
    response.on('end', () =>
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: response.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
}

/**
 * POSTs the report as a stream, gzipped on the fly (`Content-Encoding: gzip`) so neither side
 * holds it in memory and the wire carries a fraction of it. An early answer (401, 413) ends
 * the upload at once: the rest of a large file is not worth sending.
 */
export async function uploadReport(request: UploadRequest): Promise<GatewayAnswer> {
  const client = request.url.protocol === 'https:' ? https : http;
  const outgoing = client.request(request.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${request.apiKey}`,
      'content-type': 'application/octet-stream',
      'content-encoding': 'gzip',
      accept: 'application/json, application/problem+json',
      'user-agent': request.userAgent,
    },
  });
  outgoing.setTimeout(request.idleTimeoutMs, () => {
    outgoing.destroy(
      new UploadTimeoutError(`no answer from the gateway for ${request.idleTimeoutMs / 1000} s`),
    );
  });
  const file: Readable = createReadStream(request.file);
  const answer = new Promise<GatewayAnswer>((resolve, reject) => {
    outgoing.on('response', (response) => {
      readAnswer(response).then((received) => {
        file.destroy();
        resolve(received);
      }, reject);
    });
    outgoing.on('error', reject);
  });
  const stages = [file, countBytes(request.onBytes)];
  if (!request.alreadyGzipped) stages.push(createGzip());
  const sent = pipeline([...stages, outgoing] as unknown as [Readable, NodeJS.WritableStream]).then(
    () => request.onSent?.(),
  );
  const [upload, received] = await Promise.allSettled([sent, answer]);
  if (received.status === 'fulfilled') return received.value;
  // A local read failure explains more than the broken connection it caused.
  if (upload.status === 'rejected' && (upload.reason as NodeJS.ErrnoException).syscall === 'open') {
    throw upload.reason;
  }
  throw received.reason;
}
