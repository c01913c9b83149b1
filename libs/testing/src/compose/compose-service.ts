import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const WORKSPACE = path.resolve(__dirname, '../../../..');
const SECRETS_PREFIX = '/run/secrets/';

interface ComposeFile {
  secrets?: Record<string, { file?: string }>;
  services?: Record<string, ComposeServiceDefinition>;
}

interface ComposeServiceDefinition {
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  secrets?: (string | { source: string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  image?: string;
}

export interface ComposeService {
  /** The service's environment as the container sees it, with secret and config files made
   * readable here: a sample secret per `/run/secrets/*` file, and bind-mounted files mapped
   * to their place in the repository. */
  env: Record<string, string>;
  command: string[];
  dependsOn: Record<string, string>;
  /** Where the sample secrets were written. */
  secretsDir: string;
}

/** `${VAR}`, `${VAR:-default}` and `${VAR-default}` as compose interpolates them, from `vars`. */
export function interpolateCompose(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (match, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const set = name !== undefined ? vars[name] : undefined;
      if (op === ':-') return set === undefined || set === '' ? (fallback ?? '') : set;
      if (op === '-') return set === undefined ? (fallback ?? '') : set;
      return set ?? '';
    },
  );
}

function sampleSecret(name: string): string {
  if (/url/i.test(name)) return 'postgres://hum:sample-password@postgres:5432/hum';
  return randomBytes(24).toString('base64url');
}

/**
 * One service of the repository's docker-compose.yml, resolved so a spec can feed its
 * environment to the service's own config loader: that is how the compose file is checked
 * against the config schemas without a Docker engine.
 */
export function composeService(
  name: string,
  options: { file?: string; vars?: Readonly<Record<string, string>> } = {},
): ComposeService {
  const file = options.file ?? path.join(WORKSPACE, 'docker-compose.yml');
  const doc = parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
  const service = doc.services?.[name];
  if (service === undefined) throw new Error(`${file}: no service "${name}"`);
  const vars = options.vars ?? {};
  const secretsDir = mkdtempSync(path.join(tmpdir(), `hum-compose-${name}-`));

  const granted = new Set(
    (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source)),
  );
  const mounts = new Map<string, string>();
  for (const volume of service.volumes ?? []) {
    const [source, target] =
      typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (source?.startsWith('.') && target !== undefined) {
      mounts.set(target, path.resolve(path.dirname(file), interpolateCompose(source, vars)));
    }
  }

  const raw: Record<string, string> = Array.isArray(service.environment)
    ? Object.fromEntries(
        service.environment.map((entry) => {
          const at = entry.indexOf('=');
          return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
        }),
      )
    : Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]),
      );

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    let resolved = interpolateCompose(value, vars);
    if (resolved.startsWith(SECRETS_PREFIX)) {
      const secret = resolved.slice(SECRETS_PREFIX.length);
      if (!granted.has(secret)) {
        throw new Error(`${name}: ${key} reads secret "${secret}", which the service is not given`);
      }
      if (doc.secrets?.[secret] === undefined) {
        throw new Error(`${name}: secret "${secret}" is not declared under the top-level secrets`);
      }
      const sample = path.join(secretsDir, secret);
      if (!existsSync(sample)) writeFileSync(sample, sampleSecret(secret), { mode: 0o600 });
      resolved = sample;
    } else if (mounts.has(resolved)) {
      const host = mounts.get(resolved)!;
      if (!existsSync(host))
        throw new Error(`${name}: ${key} mounts ${host}, which does not exist`);
      resolved = host;
    }
    env[key] = resolved;
  }

  const command =
    typeof service.command === 'string' ? service.command.split(/\s+/) : (service.command ?? []);
  const dependsOn = Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(
        Object.entries(service.depends_on ?? {}).map(([d, v]) => [
          d,
          v.condition ?? 'service_started',
        ]),
      );
  return { env, command, dependsOn, secretsDir };
}
