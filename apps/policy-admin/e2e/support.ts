import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { createKafkaClient, defaultKafkaSettings, TopicNames } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import {
  readTopic,
  startServiceProcess,
  testKafkaBrokers,
  type ServiceProcess,
  type TestDatabase,
  type TopicMessage,
  type WorkspaceBuild,
} from '@hum/testing';

export const OPS_TOKEN = 'policy-admin-ops-token-0123';
export const logger = createLogger({ service: 'policy-admin-spec', level: 'silent' });

export interface AdminUnderTest {
  process: ServiceProcess;
  url: string;
  /** Bootstrap passwords as the service printed them, by user name. */
  passwords: Map<string, string>;
}

/** Starts the built policy-admin and reads the bootstrap passwords it printed once. */
export async function startAdmin(options: {
  build: WorkspaceBuild;
  database: TestDatabase;
  topics: TopicNames;
  users: string;
  env?: Record<string, string>;
}): Promise<AdminUnderTest> {
  const process = await startServiceProcess({
    entry: options.build.entry('apps/policy-admin/src/main.js'),
    env: {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: options.topics.prefix,
      HUM_OPS_TOKEN: OPS_TOKEN,
      HUM_INSTANCE_ID: `policy-admin-spec-${options.topics.prefix.slice(2, 20)}`,
      PORT: '0',
      DATABASE_URL: options.database.url,
      DATABASE_SCHEMA: options.database.schema,
      ADMIN_BOOTSTRAP_USERS: options.users,
      ADMIN_EXPIRY_INTERVAL: '1s',
      ADMIN_OUTBOX_POLL: '500ms',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    readyPattern: /"url":"(http:\/\/[^"]+)".*"msg":"policy-admin started"/,
    timeoutMs: 90_000,
  });
  const passwords = new Map<string, string>();
  for (const match of process.output().matchAll(/user=(\S+) roles=\S+ password=(\S+)/g))
    passwords.set(match[1]!, match[2]!);
  return { process, url: process.ready, passwords };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client; `token` is a bearer token (session, OIDC or API key). */
export class Api {
  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  withToken(token: string): Api {
    return new Api(this.url, { ...this.headers, authorization: `Bearer ${token}` });
  }

  withHeaders(headers: Record<string, string>): Api {
    return new Api(this.url, { ...this.headers, ...headers });
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (the console's HTML): the text is the answer.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>> {
    return this.call<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<Answer<T>> {
    return this.call<T>('POST', path, body ?? {});
  }
}

/** Logs in with the password the service printed and returns a bearer session token. */
export async function loginToken(admin: AdminUnderTest, username: string): Promise<string> {
  const password = admin.passwords.get(username);
  if (password === undefined) throw new Error(`no bootstrap password printed for ${username}`);
  const answer = await new Api(admin.url).post<{ token: string }>('/v1/auth/login', {
    username,
    password,
    bearer: true,
  });
  if (answer.status !== 200)
    throw new Error(`login ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

export function specKafka(): Kafka {
  return createKafkaClient(
    defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'policy-admin-spec' }),
    logger,
  );
}

/**
 * Reads a topic from the beginning until `until` holds, parsing each message once (`until`
 * runs after every message).
 */
export async function readUntil<T>(
  topic: string,
  until: (all: readonly { key: string | null; value: T }[]) => boolean,
  timeoutMs = 30_000,
): Promise<{ key: string | null; value: T }[]> {
  const parsed: { key: string | null; value: T }[] = [];
  await readTopic({
    topic,
    until: (seen: readonly TopicMessage[]) => {
      for (let i = parsed.length; i < seen.length; i += 1)
        parsed.push({ key: seen[i]!.key, value: JSON.parse(seen[i]!.value ?? 'null') as T });
      return until(parsed);
    },
    timeoutMs,
  });
  return parsed;
}

/** How many records a topic holds (all partitions). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Runs SQL in the spec's schema as the database superuser would (e.g. to tamper). */
export async function sqlAsSuperuser(database: TestDatabase, statements: string[]): Promise<void> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(`set search_path to "${database.schema}"`);
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

export { TopicNames };
