import path from 'node:path/posix';
import type { Ecosystem } from '@hum/policy';
import { bumpDockerfile } from './dockerfile';
import { bumpGoMod } from './go-mod';
import { type Bump, type EditResult, type ManifestRefusal } from './manifest-edit';
import { bumpPomXml } from './maven-pom';
import { bumpPackageJson } from './npm-package-json';
import { bumpPackageLock, type LockfilePolicy, lockfileNote } from './npm-lockfile';
import { bumpRequirementsTxt } from './pip-requirements';
import { bumpPyproject } from './pyproject';

export type { LockfilePolicy } from './npm-lockfile';

/** The ecosystems a repository strategy can bump by editing files. */
export const EDITABLE_ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'pypi', 'maven', 'golang', 'oci'];

export interface FileChange {
  readonly path: string;
  readonly content: string;
}

export type ManifestPlan =
  | {
      readonly ok: true;
      readonly files: readonly FileChange[];
      readonly summary: readonly string[];
      readonly notes: readonly string[];
    }
  | {
      readonly ok: false;
      readonly reason: ManifestRefusal | 'manifest-not-found';
      readonly detail: string;
    };

type Editor = (text: string, bump: Bump) => EditResult;

/**
 * The directory a finding's component path points into, inside the repository. Finding data
 * is not trusted: absolute paths and `..` fall back to the repository root.
 */
export function manifestDirectory(componentPath: string | undefined): string {
  if (componentPath === undefined) return '';
  let cleaned = componentPath.replace(/\\/g, '/').replace(/^\.\//, '');
  const nodeModules = cleaned.indexOf('node_modules/');
  if (nodeModules >= 0) cleaned = cleaned.slice(0, nodeModules);
  else cleaned = path.dirname(cleaned);
  const normalized = path.normalize(cleaned === '' ? '.' : cleaned);
  if (normalized.startsWith('/') || normalized.split('/').includes('..') || normalized === '.')
    return '';
  return normalized.replace(/\/$/, '');
}

function join(dir: string, file: string): string {
  return dir === '' ? file : `${dir}/${file}`;
}

function candidates(
  ecosystem: Ecosystem,
  componentPath: string | undefined,
): Array<[string, Editor]> {
  const dir = manifestDirectory(componentPath);
  const named = componentPath === undefined ? undefined : path.basename(componentPath);
  const direct = named === undefined ? undefined : join(dir, named);
  const unique = (list: Array<[string, Editor]>): Array<[string, Editor]> =>
    list.filter(([file], i) => list.findIndex(([other]) => other === file) === i);
  switch (ecosystem) {
    case 'pypi': {
      const first: Array<[string, Editor]> = [];
      if (direct && /^requirements[\w.-]*\.txt$/.test(named!))
        first.push([direct, bumpRequirementsTxt]);
      if (direct && named === 'pyproject.toml') first.push([direct, bumpPyproject]);
      return unique([
        ...first,
        [join(dir, 'requirements.txt'), bumpRequirementsTxt],
        [join(dir, 'pyproject.toml'), bumpPyproject],
        ['requirements.txt', bumpRequirementsTxt],
        ['pyproject.toml', bumpPyproject],
      ]);
    }
    case 'maven':
      return unique([
        ...(direct && named === 'pom.xml' ? [[direct, bumpPomXml] as [string, Editor]] : []),
        ...(componentPath?.endsWith('.jar')
          ? []
          : [[join(dir, 'pom.xml'), bumpPomXml] as [string, Editor]]),
        ['pom.xml', bumpPomXml],
      ]);
    case 'golang':
      return unique([
        [join(dir, 'go.mod'), bumpGoMod],
        ['go.mod', bumpGoMod],
      ]);
    case 'oci':
      return unique([
        ...(direct && /dockerfile/i.test(named!)
          ? [[direct, bumpDockerfile] as [string, Editor]]
          : []),
        [join(dir, 'Dockerfile'), bumpDockerfile],
        ['Dockerfile', bumpDockerfile],
      ]);
    // npm has its own two-file plan; the rest have no editor (awx-job or webhook patch them).
    case 'npm':
    case 'cargo':
    case 'nuget':
    case 'composer':
    case 'gem':
    case 'hex':
    case 'pub':
    case 'swift':
    case 'deb':
    case 'rpm':
    case 'apk':
      return [];
  }
}

/**
 * Reads the manifests a dependency bump touches (through `read`, e.g. the GitHub contents API
 * at the base branch) and returns the edited files. The first manifest that declares the
 * component wins; npm edits package.json and, by policy, edits package-lock.json or notes
 * that it must be regenerated.
 */
export async function planManifestEdits(input: {
  readonly ecosystem: Ecosystem;
  readonly componentPath: string | undefined;
  readonly bump: Bump;
  readonly lockfile: LockfilePolicy;
  readonly read: (file: string) => Promise<string | undefined>;
}): Promise<ManifestPlan> {
  const { bump, read } = input;
  if (input.ecosystem === 'npm') return planNpm(input);
  const list = candidates(input.ecosystem, input.componentPath);
  if (list.length === 0)
    return {
      ok: false,
      reason: 'unsupported-manifest',
      detail: `no manifest editor for ecosystem ${input.ecosystem}`,
    };
  const refusals: string[] = [];
  let found = false;
  for (const [file, editor] of list) {
    const text = await read(file);
    if (text === undefined) continue;
    found = true;
    const result = editor(text, bump);
    if (result.ok)
      return {
        ok: true,
        files: [{ path: file, content: result.content }],
        summary: [result.summary],
        notes: result.notes,
      };
    if (result.reason === 'unsupported-manifest')
      return { ok: false, reason: result.reason, detail: `${file}: ${result.detail}` };
    refusals.push(`${file}: ${result.detail}`);
  }
  return found
    ? { ok: false, reason: 'dependency-not-found', detail: refusals.join('; ') }
    : {
        ok: false,
        reason: 'manifest-not-found',
        detail: `none of ${list.map(([file]) => file).join(', ')} exists`,
      };
}

async function planNpm(input: Parameters<typeof planManifestEdits>[0]): Promise<ManifestPlan> {
  const dir = manifestDirectory(input.componentPath);
  const manifestPath = join(dir, 'package.json');
  const manifest = await input.read(manifestPath);
  if (manifest === undefined)
    return { ok: false, reason: 'manifest-not-found', detail: `${manifestPath} does not exist` };
  const result = bumpPackageJson(manifest, input.bump);
  if (!result.ok)
    return { ok: false, reason: result.reason, detail: `${manifestPath}: ${result.detail}` };
  const files: FileChange[] = [{ path: manifestPath, content: result.content }];
  const summary = [result.summary];
  const notes = [...result.notes];
  const lockPath = join(dir, 'package-lock.json');
  const lock = await input.read(lockPath);
  if (lock !== undefined) {
    const declared = JSON.parse(result.content) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    const range = ['dependencies', 'devDependencies', 'optionalDependencies']
      .map((section) => declared[section]?.[input.bump.name])
      .find((value): value is string => typeof value === 'string');
    const edit = input.lockfile === 'edit' ? bumpPackageLock(lock, input.bump, range) : undefined;
    if (edit?.ok) {
      files.push({ path: lockPath, content: edit.content });
      summary.push(edit.summary);
      notes.push(...edit.notes);
    } else {
      notes.push(lockfileNote(lock, input.bump));
    }
  }
  return { ok: true, files, summary, notes };
}
