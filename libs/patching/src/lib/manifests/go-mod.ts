import { type Bump, edited, type EditResult, escapeRegExp, refused } from './manifest-edit';

/**
 * Upgrades a module in go.mod: `require path vX` lines and `require ( ... )` blocks, keeping
 * `// indirect` comments. A `replace` directive for the module wins over require, so one is
 * refused. go.sum cannot be written without downloading the module: the pull request says so.
 */
export function bumpGoMod(text: string, bump: Bump): EditResult {
  const modulePath = escapeRegExp(bump.name);
  const directive = new RegExp(`^replace\\s+${modulePath}(\\s|$)`, 'm');
  const blocks = [...text.matchAll(/^replace\s*\(([\s\S]*?)^\)/gm)].map((m) => m[1]!).join('\n');
  if (directive.test(text) || new RegExp(`^\\s*${modulePath}(\\s|$)`, 'm').test(blocks))
    return refused(
      'unsupported-manifest',
      `go.mod replaces ${bump.name}; change the replace directive by hand`,
    );
  const lines = text.split(/(?<=\n)/);
  let inRequire = false;
  const changes: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (/^require\s*\(\s*(\/\/.*)?$/.test(line.trimEnd())) {
      inRequire = true;
      continue;
    }
    if (inRequire && /^\)\s*$/.test(line.trim())) {
      inRequire = false;
      continue;
    }
    const pattern = inRequire
      ? new RegExp(`^(\\s*${modulePath}\\s+)(v\\S+)(.*)$`, 's')
      : new RegExp(`^(require\\s+${modulePath}\\s+)(v\\S+)(.*)$`, 's');
    const match = pattern.exec(line);
    if (!match) continue;
    const [, head, version, tail] = match;
    if (version !== bump.fromVersion) continue;
    lines[i] = `${head}${bump.toVersion}${tail}`;
    changes.push(`${bump.name} ${version} -> ${bump.toVersion}`);
  }
  if (changes.length === 0)
    return refused(
      'dependency-not-found',
      `go.mod does not require ${bump.name} ${bump.fromVersion}`,
    );
  return edited(lines.join(''), `go.mod: ${changes.join('; ')}`, [
    'go.sum is not updated: run `go mod tidy` on this branch (CI with -mod=readonly fails until then)',
  ]);
}
