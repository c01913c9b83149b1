import { readFileSync } from 'node:fs';

/** A JSON client for a hum service's HTTP API, with a bearer token when it has one. */
export class Api {
  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  async call<T>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.base}${route}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/** The local users policy-admin printed once on first start: user name → password. */
export function bootstrapPasswords(credentialsFile: string): Map<string, string> {
  return new Map(
    [...readFileSync(credentialsFile, 'utf8').matchAll(/user=(\S+) roles=\S+ password=(\S+)/g)].map(
      (m) => [m[1]!, m[2]!],
    ),
  );
}

/** Logs a local user in to policy-admin; the session token comes back as a bearer token. */
export async function login(base: string, username: string, password: string): Promise<Api> {
  const answer = await new Api(base).call<{ token: string }>('POST', '/v1/auth/login', {
    username,
    password,
    bearer: true,
  });
  if (answer.status !== 200) throw new Error(`login as ${username} answered ${answer.status}`);
  return new Api(base, answer.body.token);
}
