import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

const workspace = path.resolve(__dirname, '../../../..');
const brokers = process.env['KAFKA_BROKERS'] ?? '';
const OPS_TOKEN = 'ops-token-0123456789abcdef';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('runService (a service in its own process)', () => {
  const buildDir = path.join(workspace, 'tmp', `build-runtime-${randomUUID().slice(0, 8)}`);
  const entry = path.join(buildDir, 'libs/runtime/src/testing/fixture-service.js');

  beforeAll(() => {
    if (!brokers)
      throw new Error('KAFKA_BROKERS must point at a running broker (npm test starts one)');
    execFileSync(
      process.execPath,
      [path.join(workspace, 'tools/scripts/build.mjs'), '--out', buildDir],
      { stdio: 'pipe' },
    );
  });

  afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

  function run(
    env: Record<string, string>,
    until?: (out: string) => boolean,
  ): Promise<Run & { stop(): Promise<Run> }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [entry], {
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const exited = new Promise<Run>((done) =>
        child.on('exit', (code) => done({ code, stdout, stderr })),
      );
      const timer = setTimeout(
        () => reject(new Error(`no result in time: ${stdout}${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (until?.(stdout)) {
          clearTimeout(timer);
          resolve({
            code: null,
            stdout,
            stderr,
            stop: async () => {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      void exited.then((result) => {
        clearTimeout(timer);
        resolve({ ...result, stop: async () => result });
      });
    });
  }

  it('refuses to start on bad config, naming every variable, with exit code 78', async () => {
    const result = await run({ KAFKA_BROKERS: brokers, PORT: 'http', KAFKA_SSL: 'maybe' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT: expected an integer');
    expect(result.stderr).toContain('HUM_OPS_TOKEN: required');
    expect(result.stderr).toContain('KAFKA_SSL');
  });

  it('exits non-zero with a clear message when Kafka is unreachable', async () => {
    const result = await run({
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_STARTUP_ATTEMPTS: '2',
      KAFKA_CONNECTION_TIMEOUT: '300',
      HUM_OPS_TOKEN: OPS_TOKEN,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Kafka unreachable at 127.0.0.1:1 after 2 attempts (check KAFKA_BROKERS)',
    );
  });

  it('serves /health and /metrics only with the ops token, and stops cleanly on SIGTERM', async () => {
    const running = await run(
      {
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: `t.rt.${randomUUID().slice(0, 6)}.`,
        HUM_OPS_TOKEN: OPS_TOKEN,
        PORT: '0',
      },
      (out) => out.includes('listening '),
    );
    const url = /listening (\S+)/.exec(running.stdout)![1]!;
    try {
      const anonymous = await fetch(`${url}/health`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);

      const auth = { authorization: `Bearer ${OPS_TOKEN}` };
      const health = await fetch(`${url}/health`, { headers: auth });
      expect(health.status).toBe(200);
      const body = (await health.json()) as { status: string; info: { kafka: { status: string } } };
      expect(body.status).toBe('ok');
      expect(body.info.kafka.status).toBe('up');
      const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
      expect(metrics).toContain('hum_process_resident_memory_bytes');
      expect(running.stdout).not.toContain(OPS_TOKEN);
    } finally {
      const result = await running.stop();
      expect(result.code).toBe(0);
    }
  });
});
