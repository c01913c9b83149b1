import { type Bump, edited, type EditResult, lineEnding, refused } from './manifest-edit';

// peerDependencies are the consumers' contract, not this package's install: never rewritten.
const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** `4.17.15`, `^4.17.15`, `~4.17.15`, `>=4.17.15`, `=4.17.15`: one bound we can move. */
const SIMPLE_SPEC = /^(\^|~|>=|=)?v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The indentation package.json was written with (npm keeps what it finds). */
function indentOf(text: string): string | number {
  const match = /^[{[]\r?\n([ \t]+)\S/.exec(text);
  return match?.[1] ?? 2;
}

/**
 * Upgrades a dependency in package.json: its range keeps its operator and moves to the fixed
 * version (`^4.17.15` -> `^4.17.21`). A dependency that is only transitive is pinned through
 * npm `overrides`. Ranges a bot cannot move safely (`>=1 <3`, `*`, git URLs, `workspace:`)
 * are refused.
 */
export function bumpPackageJson(text: string, bump: Bump): EditResult {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    return refused('unsupported-manifest', `package.json is not valid JSON: ${String(error)}`);
  }
  if (!isObject(manifest)) return refused('unsupported-manifest', 'package.json is not an object');
  const changes: string[] = [];
  const notes: string[] = [];
  for (const section of SECTIONS) {
    const dependencies = manifest[section];
    if (!isObject(dependencies) || !Object.hasOwn(dependencies, bump.name)) continue;
    const spec = dependencies[bump.name];
    const match = typeof spec === 'string' ? SIMPLE_SPEC.exec(spec.trim()) : null;
    if (!match)
      return refused(
        'unsupported-manifest',
        `${section}.${bump.name} is ${JSON.stringify(spec)}, not a single version a bot may move`,
      );
    const next = `${match[1] ?? ''}${bump.toVersion}`;
    dependencies[bump.name] = next;
    changes.push(`${bump.name} ${String(spec)} -> ${next} in ${section}`);
  }
  if (changes.length === 0) {
    // Transitive only: npm >= 8.3 pins it for the whole tree through overrides.
    const overrides = manifest['overrides'];
    if (overrides !== undefined && !isObject(overrides))
      return refused('unsupported-manifest', 'package.json overrides is not an object');
    const current = isObject(overrides) ? overrides[bump.name] : undefined;
    if (current !== undefined && typeof current !== 'string')
      return refused(
        'unsupported-manifest',
        `overrides.${bump.name} is a nested override; edit it by hand`,
      );
    manifest['overrides'] = {
      ...(isObject(overrides) ? overrides : {}),
      [bump.name]: bump.toVersion,
    };
    changes.push(
      `${bump.name} pinned to ${bump.toVersion} through overrides (it is a transitive dependency)`,
    );
    notes.push(
      `overrides pin every copy of ${bump.name} in the tree to ${bump.toVersion}; check the packages that depend on it`,
    );
  }
  const eol = lineEnding(text);
  let content = JSON.stringify(manifest, null, indentOf(text));
  if (eol === '\r\n') content = content.replace(/\n/g, '\r\n');
  if (/\r?\n$/.test(text)) content += eol;
  return edited(content, changes.join('; '), notes);
}
