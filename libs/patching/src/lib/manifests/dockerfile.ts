import { type Bump, edited, type EditResult, escapeRegExp, refused } from './manifest-edit';

/** `docker.io/library/node` and `node` are one image. */
export function normalizeImageName(name: string): string {
  return name
    .toLowerCase()
    .replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
    .replace(/^library\//, '');
}

const FROM =
  /^(\s*FROM\s+(?:--\S+\s+)*)(\S+?)(?::(\S+?))?(@sha256:[0-9a-f]{64})?(\s+AS\s+\S+)?(\s*)$/i;
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Values a tag template's variables take in `tag` (`${V}-alpine` against `18.19.0-alpine`). */
function solve(template: string, tag: string): Map<string, string> | undefined {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const match of template.matchAll(VARIABLE)) {
    source += escapeRegExp(template.slice(last, match.index));
    names.push(match[1] ?? match[2]!);
    source += '(.+?)';
    last = match.index + match[0].length;
  }
  source += escapeRegExp(template.slice(last));
  const match = new RegExp(`^${source}$`).exec(tag);
  if (!match) return undefined;
  return new Map(names.map((name, i) => [name, match[i + 1]!]));
}

/**
 * Moves a base image tag in a Dockerfile: `FROM node:18.19.0-alpine3.19 AS build` becomes
 * `FROM node:18.20.1-alpine3.19 AS build`; a tag built from `ARG` defaults
 * (`FROM node:${NODE_VERSION}-alpine`) moves the ARG instead. A base pinned by digest is
 * refused: the new tag's digest must come from the registry.
 */
export function bumpDockerfile(text: string, bump: Bump): EditResult {
  const image = normalizeImageName(bump.name);
  const lines = text.split(/(?<=\n)/);
  const changes: string[] = [];
  const argEdits = new Map<string, { from: string; to: string }>();
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const newline = /\r?\n$/.exec(line)?.[0] ?? '';
    const match = FROM.exec(line.slice(0, line.length - newline.length));
    if (!match) continue;
    const [, head, name, tag, digest, stage = '', trailing = ''] = match;
    if (normalizeImageName(name!) !== image || tag === undefined) continue;
    if (tag.includes('$')) {
      const before = solve(tag, bump.fromVersion);
      const after = solve(tag, bump.toVersion);
      if (before === undefined || after === undefined) continue;
      for (const [variable, value] of before) {
        const next = after.get(variable)!;
        if (next !== value) argEdits.set(variable, { from: value, to: next });
      }
      continue;
    }
    if (tag !== bump.fromVersion) continue;
    if (digest !== undefined)
      return refused(
        'unsupported-manifest',
        `FROM ${name}:${tag} is pinned by digest; the digest of ${bump.toVersion} must come from the registry`,
      );
    lines[i] = `${head}${name}:${bump.toVersion}${stage}${trailing}${newline}`;
    changes.push(`FROM ${name}:${tag} -> ${bump.toVersion}`);
  }
  for (const [variable, { from, to }] of argEdits) {
    const arg = new RegExp(
      `^(\\s*ARG\\s+${variable}\\s*=\\s*)(["']?)${escapeRegExp(from)}\\2(\\s*)$`,
      'i',
    );
    let moved = false;
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i]!;
      const newline = /\r?\n$/.exec(line)?.[0] ?? '';
      const match = arg.exec(line.slice(0, line.length - newline.length));
      if (!match) continue;
      lines[i] = `${match[1]}${match[2]}${to}${match[2]}${match[3]}${newline}`;
      moved = true;
    }
    if (!moved)
      return refused(
        'unsupported-manifest',
        `the base image tag comes from ARG ${variable}, which has no default ${from} in the Dockerfile (a build argument?)`,
      );
    changes.push(`ARG ${variable} ${from} -> ${to}`);
  }
  if (changes.length === 0)
    return refused(
      'dependency-not-found',
      `the Dockerfile has no FROM ${bump.name}:${bump.fromVersion}`,
    );
  return edited(lines.join(''), `Dockerfile: ${changes.join('; ')}`);
}
