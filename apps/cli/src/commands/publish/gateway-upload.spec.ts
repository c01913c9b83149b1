import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { uploadReport, type UploadRequest } from './gateway-upload';

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
  url: string;
}

type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  received: Promise<Received>,
) => void;

function readAll(request: IncomingMessage): Promise<Received> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () =>
      resolve({ headers: request.headers, body: Buffer.concat(chunks), url: request.url ?? '' }),
    );
    request.on('error', reject);
  });
}

describe('uploadReport (a real HTTP server)', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'hum-upload-'));
    server = createServer((request, response) => handler(request, response, readAll(request)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  function request(file: string, overrides: Partial<UploadRequest> = {}): UploadRequest {
    return {
      url: new URL(`${base}/v1/scans?asset=shop`),
      apiKey: 'hum_abcdefghijkl_secret',
      file,
      alreadyGzipped: false,
      idleTimeoutMs: 30_000,
      userAgent: 'hum-cli/test',
      ...overrides,
    };
  }

  it('streams the file gzipped with the key in the Authorization header, reporting progress', async () => {
    const file = path.join(work, 'report.json');
    const content = Buffer.from(JSON.stringify({ padding: randomBytes(300_000).toString('hex') }));
    writeFileSync(file, content);
    let seen: Received | undefined;
    handler = (_request, response, received) => {
      void received.then((r) => {
        seen = r;
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"scanId":"x"}');
      });
    };
    const progress: number[] = [];
    let sent = false;
    const answer = await uploadReport(
      request(file, { onBytes: (read) => progress.push(read), onSent: () => (sent = true) }),
    );
    expect(answer).toMatchObject({ status: 202, body: '{"scanId":"x"}' });
    expect(seen!.headers['authorization']).toBe('Bearer hum_abcdefghijkl_secret');
    expect(seen!.headers['content-encoding']).toBe('gzip');
    expect(seen!.headers['transfer-encoding']).toBe('chunked');
    expect(seen!.url).toBe('/v1/scans?asset=shop');
    expect(seen!.body.length).toBeLessThan(content.length);
    expect(gunzipSync(seen!.body).equals(content)).toBe(true);
    expect(progress.at(-1)).toBe(content.length);
    expect(sent).toBe(true);
  });

  it('sends an already gzipped file as it is', async () => {
    const file = path.join(work, 'report.json.gz');
    const gz = gzipSync(Buffer.from('{"SchemaVersion":2}'));
    writeFileSync(file, gz);
    let body: Buffer | undefined;
    handler = (_request, response, received) => {
      void received.then((r) => {
        body = r.body;
        response.writeHead(202).end('{}');
      });
    };
    await uploadReport(request(file, { alreadyGzipped: true }));
    expect(body!.equals(readFileSync(file))).toBe(true);
  });

  it('returns an early answer (413) without sending the rest of a large file', async () => {
    const file = path.join(work, 'large.json');
    writeFileSync(file, randomBytes(16 * 1024 * 1024));
    let bytesAtAnswer = 0;
    handler = (request, response) => {
      request.once('data', (chunk: Buffer) => {
        bytesAtAnswer = chunk.length;
        response
          .writeHead(413, { 'content-type': 'application/problem+json', connection: 'close' })
          .end('{"title":"Report too large","detail":"limit"}', () => request.destroy());
      });
    };
    let read = 0;
    const answer = await uploadReport(request(file, { onBytes: (n) => (read = n) }));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ title: 'Report too large' });
    expect(bytesAtAnswer).toBeGreaterThan(0);
    expect(read).toBeLessThan(16 * 1024 * 1024);
  });

  it('gives up on a gateway that stays silent, with a timeout the CLI maps to 75', async () => {
    const file = path.join(work, 'small.json');
    writeFileSync(file, '{}');
    handler = () => undefined;
    await expect(uploadReport(request(file, { idleTimeoutMs: 200 }))).rejects.toMatchObject({
      name: 'UploadTimeoutError',
      code: 'ETIMEDOUT',
    });
  });

  it('fails with the system error when nothing listens', async () => {
    const file = path.join(work, 'small.json');
    writeFileSync(file, '{}');
    await expect(
      uploadReport(request(file, { url: new URL('http://127.0.0.1:1/v1/scans') })),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
