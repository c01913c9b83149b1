import { type Bump, edited, type EditResult, lineEnding, refused } from './manifest-edit';

export type LockfilePolicy =
  /** Leave package-lock.json alone and say in the pull request that it must be regenerated. */
  | 'note'
  /** Move the pinned entries to the new version and drop their integrity (npm fills it in). */
  | 'edit';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const REGENERATE =
  'run `npm install --package-lock-only` on this branch to refresh package-lock.json';

/** Entries of a v2/v3 lockfile that install `name` at `version`: `node_modules/a/node_modules/name`... */
function pinnedEntries(packages: Json, bump: Bump): string[] {
  const suffix = `node_modules/${bump.name}`;
  return Object.keys(packages).filter((key) => {
    const entry = packages[key];
    return (
      (key === suffix || key.endsWith(`/${suffix}`)) &&
      isObject(entry) &&
      entry['version'] === bump.fromVersion
    );
  });
}

/**
 * What a pull request must say about package-lock.json after a package.json bump: which
 * entries pin the old version, and that the lockfile must be regenerated (a bot cannot know
 * the new tarball's integrity or dependencies without asking the registry).
 */
export function lockfileNote(text: string, bump: Bump): string {
  try {
    const lock: unknown = JSON.parse(text);
    const packages = isObject(lock) && isObject(lock['packages']) ? lock['packages'] : undefined;
    if (packages) {
      const pinned = pinnedEntries(packages, bump);
      if (pinned.length > 0)
        return `package-lock.json still pins ${bump.name}@${bump.fromVersion} at ${pinned.join(', ')}: ${REGENERATE}`;
    }
  } catch {
    // An unreadable lockfile gets the generic note; package.json was already changed.
  }
  return `package-lock.json may still pin ${bump.name}@${bump.fromVersion}: ${REGENERATE}`;
}

/**
 * Moves every lockfile entry of `name@fromVersion` to `toVersion` (version, and the registry
 * tarball URL), drops its integrity so npm recomputes it, and updates the root package's
 * declared range to `rootRange` when given. lockfileVersion 1 is refused.
 */
export function bumpPackageLock(text: string, bump: Bump, rootRange?: string): EditResult {
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch (error) {
    return refused('unsupported-manifest', `package-lock.json is not valid JSON: ${String(error)}`);
  }
  if (!isObject(lock) || !isObject(lock['packages']))
    return refused(
      'unsupported-manifest',
      'package-lock.json has no "packages" map (lockfileVersion 1): regenerate it with npm 7 or later',
    );
  const packages = lock['packages'];
  const pinned = pinnedEntries(packages, bump);
  if (pinned.length === 0)
    return refused(
      'dependency-not-found',
      `package-lock.json has no entry of ${bump.name}@${bump.fromVersion}`,
    );
  for (const key of pinned) {
    const entry = packages[key] as Json;
    entry['version'] = bump.toVersion;
    if (typeof entry['resolved'] === 'string')
      entry['resolved'] = entry['resolved'].replace(
        new RegExp(`-${bump.fromVersion.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tgz$`),
        `-${bump.toVersion}.tgz`,
      );
    delete entry['integrity'];
  }
  const root = packages[''];
  if (rootRange !== undefined && isObject(root)) {
    for (const section of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      const dependencies = root[section];
      if (isObject(dependencies) && Object.hasOwn(dependencies, bump.name))
        dependencies[bump.name] = rootRange;
    }
  }
  const eol = lineEnding(text);
  const indent = /^\{\r?\n([ \t]+)\S/.exec(text)?.[1] ?? 2;
  let content = JSON.stringify(lock, null, indent);
  if (eol === '\r\n') content = content.replace(/\n/g, '\r\n');
  if (/\r?\n$/.test(text)) content += eol;
  return edited(content, `package-lock.json: ${pinned.join(', ')} -> ${bump.toVersion}`, [
    `integrity of ${bump.name}@${bump.toVersion} removed from package-lock.json (npm recomputes it); if its dependencies changed, ${REGENERATE}`,
  ]);
}
