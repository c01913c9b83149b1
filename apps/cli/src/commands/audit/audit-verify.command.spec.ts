import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../cli';
import { memoryIo } from '../../testing/memory-io';
import type { ChainVerification } from './audit-verify.command';

/** Stands in for policy-admin's verify endpoint: answers what the test sets, records requests. */
class VerifyEndpoint {
  answer: { status: number; body: unknown } = { status: 200, body: {} };
  readonly seen: { url: string; authorization: string | undefined }[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      response.statusCode = this.answer.status;
      response.setHeader(
        'content-type',
        this.answer.status === 200 ? 'application/json' : 'application/problem+json',
      );
      response.end(JSON.stringify(this.answer.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('hum audit verify', () => {
  const endpoint = new VerifyEndpoint();
  beforeAll(() => endpoint.start());
  afterAll(() => endpoint.close());

  const env = () => ({ HUM_ADMIN_URL: endpoint.url, HUM_ADMIN_TOKEN: 'hs1.session-token' });

  it('reports an intact chain and exits 0, sending the token only as a bearer header', async () => {
    endpoint.answer = {
      status: 200,
      body: {
        chain: 'policy-admin',
        source: 'database',
        ok: true,
        checked: 42,
      } satisfies ChainVerification,
    };
    const { io, stdout } = memoryIo(env());
    expect(await runCli(['audit', 'verify'], io)).toBe(0);
    expect(stdout.text).toBe('chain policy-admin intact: 42 entries verified (database)\n');
    expect(endpoint.seen.at(-1)).toEqual({
      url: '/v1/audit/verify?chain=policy-admin',
      authorization: 'Bearer hs1.session-token',
    });
  });

  it('names the first broken entry and exits 65', async () => {
    const broken: ChainVerification = {
      chain: 'auto-patcher',
      source: 'audit.log',
      ok: false,
      checked: 4,
      brokenAt: 5,
      reason: 'content does not match its hash',
      firstBroken: {
        seq: 5,
        id: '3d4e5f60-7182-4394-a5b6-c7d8e9f00112',
        at: '2026-11-19T09:00:00.000Z',
        action: 'patcher.tier.auto-paused',
        actor: { type: 'service', id: 'auto-patcher' },
        entity: { type: 'tier', id: 'tier:low' },
      },
    };
    endpoint.answer = { status: 200, body: broken };
    const { io, stdout, stderr } = memoryIo(env());
    expect(await runCli(['audit', 'verify', '--chain', 'auto-patcher'], io)).toBe(65);
    expect(stdout.text).toMatch(
      /^chain auto-patcher BROKEN at entry 5 \(id 3d4e5f60-.*, patcher\.tier\.auto-paused by auto-patcher on tier tier:low at 2026-11-19T09:00:00\.000Z\): content does not match its hash; 4 entries before it verified\n$/,
    );
    expect(stderr.text).toMatch(/does not verify/);
    const json = memoryIo(env());
    expect(await runCli(['audit', 'verify', '--chain', 'auto-patcher', '--json'], json.io)).toBe(
      65,
    );
    expect(JSON.parse(json.stdout.text)).toEqual(broken);
  });

  it('maps refusals and missing configuration to their exit codes', async () => {
    endpoint.answer = { status: 401, body: { detail: 'the credentials are not valid' } };
    const denied = memoryIo(env());
    expect(await runCli(['audit', 'verify'], denied.io)).toBe(77);
    expect(denied.stderr.text).toMatch(/policy-admin answered 401: the credentials are not valid/);
    const noToken = memoryIo({ HUM_ADMIN_URL: endpoint.url });
    expect(await runCli(['audit', 'verify'], noToken.io)).toBe(78);
    expect(await runCli(['audit', 'verify', '--token', 'x'], memoryIo(env()).io)).toBe(2);
    expect(await runCli(['audit', 'verify', '--chain', 'Bad Chain'], memoryIo(env()).io)).toBe(2);
    const unreachable = memoryIo({ HUM_ADMIN_URL: 'http://127.0.0.1:9', HUM_ADMIN_TOKEN: 't' });
    expect(await runCli(['audit', 'verify'], unreachable.io)).toBe(69);
  });
});
