// Types for broker.cjs, so TypeScript specs and scripts can use the harness with checking.

export declare const WORKSPACE_ROOT: string;
export declare const KAFKA_VERSION: string;
export declare const LIBS_DIR: string;
export declare const RUN_DIR: string;
export declare const BACKENDS: readonly ['external', 'testcontainers', 'jvm'];

export declare class KafkaSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown });
}

export type KafkaBackendKind = (typeof BACKENDS)[number];

export type KafkaBackend =
  | { kind: 'external'; brokers: string[]; reason: string }
  | { kind: 'testcontainers' | 'jvm'; reason: string };

type Env = Record<string, string | undefined>;
type Log = (line: string) => void;

export declare function resolveKafkaBackend(
  env?: Env,
  probes?: { dockerAvailable?: (env: Env) => boolean },
): KafkaBackend;
export declare function isDockerAvailable(env?: Env): boolean;

export interface ProvidedKafka {
  backend: KafkaBackendKind;
  /** Comma-separated host:port list, the format of KAFKA_BROKERS. */
  brokers: string;
  /** False for a cluster named by KAFKA_BROKERS: stop() leaves it alone. */
  started: boolean;
  /** The JVM broker's data directory (removed by stop()); absent for other backends. */
  dataDir?: string;
  stop(): Promise<string>;
}
export declare function provideKafka(options?: {
  env?: Env;
  log?: Log;
  heapMb?: number;
  externalReadyTimeoutMs?: number;
}): Promise<ProvidedKafka>;

/** cp-kafka environment the Testcontainers backend starts the broker with. */
export declare const TESTCONTAINERS_BROKER_ENVIRONMENT: Readonly<Record<string, string>>;
export declare const TESTCONTAINERS_DEFAULT_IMAGE: string;

export declare function checkJava(env?: Env): { java: string; major: number };
export declare function checkMaven(env?: Env): void;
export declare function parseJavaMajor(versionOutput: string): number | undefined;
export declare function ensureJars(options?: { log?: Log; env?: Env }): {
  java: string;
  libsDir: string;
  jars: string[];
  fetched: boolean;
};

export interface StartBrokerOptions {
  dataDir?: string;
  log?: Log;
  heapMb?: number;
  port?: number;
  controllerPort?: number;
  detached?: boolean;
  env?: Env;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}
export interface StartedBroker {
  brokers: string;
  port: number;
  controllerPort: number;
  pid: number;
  dataDir: string;
  logFile: string;
  exited: Promise<{ code: number | null; signal: string | null; error?: Error }>;
  stop(): Promise<'not-running' | 'terminated' | 'killed'>;
}
export declare function startBroker(options?: StartBrokerOptions): Promise<StartedBroker>;
/** A KRaft cluster id: 16 random bytes, URL-safe base64, never starting with "-". */
export declare function randomClusterId(): string;
export declare function serverProperties(options: {
  port: number;
  controllerPort: number;
  logDir: string;
}): string;

export declare function waitForKafka(
  brokers: string[],
  options?: {
    timeoutMs?: number;
    intervalMs?: number;
    aborted?: () => string | undefined | false;
    describeFailure?: () => string;
  },
): Promise<{ brokers: unknown[]; controller: number | null; clusterId: string }>;
export declare function parseBrokerList(value: string | undefined, source?: string): string[];

export declare function isAlive(pid: number): boolean;
export declare function stopProcess(
  pid: number,
  options?: { graceMs?: number; exited?: Promise<unknown> },
): Promise<'not-running' | 'terminated' | 'killed'>;
