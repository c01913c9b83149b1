// The broker harness in tools/kafka: backend selection and the checks that must give a
// person a clear message. Starting real brokers is covered in jvm-broker.spec.ts.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testKafkaBrokers } from './brokers';
import { kafkaHarness } from './harness';

const {
  checkJava,
  checkMaven,
  ensureJars,
  isDockerAvailable,
  KafkaSetupError,
  parseBrokerList,
  parseJavaMajor,
  provideKafka,
  randomClusterId,
  resolveKafkaBackend,
  serverProperties,
  waitForKafka,
} = kafkaHarness();

const NO_TOOLS = { PATH: '/nonexistent-bin' };

describe('resolveKafkaBackend', () => {
  const docker = (available: boolean) => {
    const probe = jest.fn((_env: Record<string, string | undefined>) => available);
    return probe;
  };

  it('uses KAFKA_BROKERS when set, without probing Docker', () => {
    const probe = docker(true);
    expect(
      resolveKafkaBackend({ KAFKA_BROKERS: '127.0.0.1:9092' }, { dockerAvailable: probe }),
    ).toEqual({ kind: 'external', brokers: ['127.0.0.1:9092'], reason: 'KAFKA_BROKERS is set' });
    expect(probe).not.toHaveBeenCalled();
  });

  it('lets KAFKA_BROKERS win over KAFKA_BACKEND, so a runner can hand its broker down', () => {
    const backend = resolveKafkaBackend(
      { KAFKA_BROKERS: ' a:1, [::1]:2 ', KAFKA_BACKEND: 'jvm' },
      { dockerAvailable: docker(true) },
    );
    expect(backend).toMatchObject({ kind: 'external', brokers: ['a:1', '[::1]:2'] });
  });

  it.each([
    ['testcontainers', false, 'testcontainers'],
    ['jvm', true, 'jvm'],
    [' JVM ', true, 'jvm'],
  ])('honours KAFKA_BACKEND=%j whatever Docker says (docker=%s)', (requested, available, kind) => {
    const probe = docker(available);
    expect(resolveKafkaBackend({ KAFKA_BACKEND: requested }, { dockerAvailable: probe }).kind).toBe(
      kind,
    );
    expect(probe).not.toHaveBeenCalled();
  });

  it('picks Testcontainers when Docker answers, else the JVM broker', () => {
    const env = { HOME: '/home/x' };
    const probe = docker(true);
    expect(resolveKafkaBackend(env, { dockerAvailable: probe }).kind).toBe('testcontainers');
    expect(probe).toHaveBeenCalledWith(env);
    expect(resolveKafkaBackend({}, { dockerAvailable: docker(false) })).toEqual({
      kind: 'jvm',
      reason: 'no KAFKA_BROKERS and no Docker daemon',
    });
  });

  it('treats a blank KAFKA_BROKERS as unset', () => {
    expect(
      resolveKafkaBackend({ KAFKA_BROKERS: '  ' }, { dockerAvailable: docker(false) }).kind,
    ).toBe('jvm');
  });

  it('rejects an unknown backend, external without brokers, and brokers that are not host:port', () => {
    const probe = { dockerAvailable: docker(false) };
    expect(() => resolveKafkaBackend({ KAFKA_BACKEND: 'podman' }, probe)).toThrow(
      /KAFKA_BACKEND="podman" is not one of external, testcontainers, jvm/,
    );
    expect(() => resolveKafkaBackend({ KAFKA_BACKEND: 'external' }, probe)).toThrow(
      /KAFKA_BACKEND=external needs KAFKA_BROKERS/,
    );
    expect(() => resolveKafkaBackend({ KAFKA_BROKERS: 'localhost' }, probe)).toThrow(
      /"localhost", which is not host:port/,
    );
    expect(() => resolveKafkaBackend({ KAFKA_BROKERS: 'h:70000' }, probe)).toThrow(KafkaSetupError);
  });
});

describe('isDockerAvailable', () => {
  it('says no when there is no docker command at all', () => {
    expect(isDockerAvailable(NO_TOOLS)).toBe(false);
  });

  it('says no when the docker CLI exists but no daemon answers', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-docker-'));
    try {
      const fake = path.join(dir, 'docker');
      writeFileSync(fake, '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2\nexit 1\n');
      chmodSync(fake, 0o755);
      expect(isDockerAvailable({ PATH: dir })).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseBrokerList', () => {
  it('accepts host:port lists including IPv6 literals', () => {
    expect(parseBrokerList('kafka:19092,127.0.0.1:9092,[::1]:9093')).toEqual([
      'kafka:19092',
      '127.0.0.1:9092',
      '[::1]:9093',
    ]);
  });

  it('names the source and the bad entry', () => {
    expect(() => parseBrokerList('a:1,b', 'HUM_KAFKA')).toThrow(
      'HUM_KAFKA has "b", which is not host:port',
    );
    expect(() => parseBrokerList('', 'HUM_KAFKA')).toThrow('HUM_KAFKA is empty');
  });
});

describe('Java and Maven checks', () => {
  let fakeBin: string;

  beforeEach(() => {
    fakeBin = mkdtempSync(path.join(tmpdir(), 'fake-java-'));
  });

  afterEach(() => {
    rmSync(fakeBin, { recursive: true, force: true });
  });

  function fakeJava(versionLine: string): void {
    const file = path.join(fakeBin, 'java');
    writeFileSync(file, `#!/bin/sh\necho '${versionLine}' >&2\n`);
    chmodSync(file, 0o755);
  }

  it('reads the major version from both version schemes', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_402"')).toBe(8);
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });

  it('explains a missing java and every way out', () => {
    const error = (() => {
      try {
        ensureJars({ env: NO_TOOLS });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KafkaSetupError);
    expect(error?.message).toMatch(/Java 17\+ is needed to run the Kafka broker without Docker/);
    expect(error?.message).toMatch(/`java` was not found on PATH/);
    expect(error?.message).toMatch(/openjdk-17/);
    expect(error?.message).toMatch(/KAFKA_BROKERS=host:port/);
    expect(error?.message).toMatch(/docker compose up -d kafka/);
  });

  it('looks in JAVA_HOME when it is set', () => {
    expect(() => checkJava({ PATH: fakeBin, JAVA_HOME: '/nonexistent-jdk' })).toThrow(
      /\/nonexistent-jdk\/bin\/java` was not found \(from JAVA_HOME\)/,
    );
  });

  it('rejects a Java older than 17, saying which one it found', () => {
    fakeJava('java version "1.8.0_402"');
    expect(() => checkJava({ PATH: fakeBin })).toThrow(/needs Java 17\+, but `java` is Java 8/);
  });

  it('accepts Java 17 and reports it', () => {
    fakeJava('openjdk version "17.0.15" 2025-04-15');
    expect(checkJava({ PATH: fakeBin })).toEqual({
      java: 'java',
      major: 17,
      versionText: 'openjdk version "17.0.15" 2025-04-15',
    });
  });

  it('explains a missing Maven', () => {
    expect(() => checkMaven(NO_TOOLS)).toThrow(
      /Maven is needed once, to fetch the Kafka [\d.]+ broker jars.*`mvn` was not found on PATH.*kafka:fetch.*KAFKA_BROKERS/s,
    );
  });
});

describe('randomClusterId', () => {
  it('is 16 bytes in URL-safe base64 and never looks like a command-line option', () => {
    // About 1 in 64 raw ids starts with "-"; 2,000 draws make missing the re-roll near certain to show.
    for (let i = 0; i < 2_000; i += 1) {
      const id = randomClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});

describe('serverProperties', () => {
  const properties = new Map(
    serverProperties({ port: 40001, controllerPort: 40002, logDir: '/data/kraft' })
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );

  it('makes one node both broker and controller on loopback, clients never on the controller', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:40002');
    expect(properties.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002',
    );
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:40001');
    expect(properties.get('log.dirs')).toBe('/data/kraft');
  });

  it('sets every internal topic to replication 1 and turns off auto-creation', () => {
    expect(Object.fromEntries(properties)).toMatchObject({
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'share.coordinator.state.topic.replication.factor': '1',
      'share.coordinator.state.topic.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'false',
      'num.partitions': '3',
    });
  });
});

describe('provideKafka with KAFKA_BROKERS', () => {
  it('checks the named cluster answers and never stops it', async () => {
    const brokers = testKafkaBrokers().join(',');
    const provided = await provideKafka({ env: { KAFKA_BROKERS: brokers } });
    expect(provided).toMatchObject({ backend: 'external', brokers, started: false });
    await expect(provided.stop()).resolves.toBe('not-started');
    await expect(waitForKafka(testKafkaBrokers(), { timeoutMs: 5_000 })).resolves.toMatchObject({
      controller: expect.any(Number),
    });
  });

  it('fails clearly when nothing answers there', async () => {
    await expect(
      provideKafka({ env: { KAFKA_BROKERS: '127.0.0.1:1' }, externalReadyTimeoutMs: 500 }),
    ).rejects.toThrow(
      /Kafka at 127\.0\.0\.1:1 did not answer describeCluster within 500 ms.*must already run/s,
    );
  });
});
