import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_FINDING, TOPICS } from '@hum/contracts';
import { createKafkaClient, defaultKafkaSettings, EventProducer, TopicNames } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { waitFor } from '@hum/testing';

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
  ): Promise<Run & { stop(): Promise<Run>; output(): string }> {
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
            output: () => stdout,
          });
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      void exited.then((result) => {
        clearTimeout(timer);
        resolve({ ...result, stop: async () => result, output: () => result.stdout });
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

  it('on SIGTERM mid-handler, finishes the handler and commits it: the next instance starts after it', async () => {
    const prefix = `t.rt.${randomUUID().slice(0, 6)}.`;
    const workDir = mkdtempSync(path.join(tmpdir(), 'hum-runtime-'));
    const record = path.join(workDir, 'handled.log');
    const release = path.join(workDir, 'release');
    const handled = (): string[] =>
      existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : [];
    const env = {
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      HUM_OPS_TOKEN: OPS_TOKEN,
      PORT: '0',
      FIXTURE_CONSUMER_GROUP: 'graceful',
      FIXTURE_RECORD_FILE: record,
      // Held in flight until the stop, then until this spec creates the release file.
      FIXTURE_SLOW_TITLE: 'slow',
      FIXTURE_RELEASE_FILE: release,
    };
    const logger = createLogger({ service: 'run-service-spec', level: 'silent' });
    const kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: brokers.split(','), clientId: 'run-service-spec' }),
      logger,
    );
    const producer = new EventProducer(kafka, {
      names: new TopicNames(prefix),
      source: '/hum/spec',
      logger,
    });
    try {
      const first = await run(env, (out) => out.includes('listening '));
      await producer.connect();
      // One key: one partition, handled in this order.
      await producer.publish(
        ['a', 'slow', 'b', 'c'].map((title) => ({
          topic: TOPICS.findingsRaw,
          key: 'one-partition',
          data: { ...EXAMPLE_FINDING, title },
        })),
      );
      await waitFor(() => first.output().includes('handling slow'), {
        timeoutMs: 30_000,
        describe: () => `the slow handler to start (stdout: ${first.output()})`,
      });
      expect(handled()).toEqual(['a']);
      let exited = false;
      const stopped = first.stop().then((result) => {
        exited = true;
        return result;
      });
      await waitFor(() => first.output().includes('slow saw the stop'), {
        timeoutMs: 30_000,
        describe: () => `the slow handler to see the stop (stdout: ${first.output()})`,
      });
      // The handler is held until the release file exists: a process that did not wait for it
      // would exit in this pause (a correct one can never fail this check, only a broken one
      // could slip through it).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(exited).toBe(false);
      writeFileSync(release, '');
      expect((await stopped).code).toBe(0);
      // The handler in flight finished before the process exited; nothing after it started.
      expect(handled()).toEqual(['a', 'slow']);

      const second = await run(env, (out) => out.includes('listening '));
      try {
        // One partition, in order from the committed offset: had a or slow not been committed,
        // they would be handled again before c.
        await waitFor(() => handled().includes('c'), {
          timeoutMs: 30_000,
          describe: () => `the second instance to handle c (handled: ${handled().join(', ')})`,
        });
      } finally {
        expect((await second.stop()).code).toBe(0);
      }
      expect(handled()).toEqual(['a', 'slow', 'b', 'c']);
    } finally {
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
