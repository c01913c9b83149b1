import { type Bump, edited, type EditResult, refused } from './manifest-edit';
import { moveSpecifier, normalizePythonName } from './pip-requirements';

// PEP 621 / PEP 735 tables whose array values are PEP 508 requirement strings.
const REQUIREMENT_ARRAYS: ReadonlyArray<{ table: RegExp; key: RegExp }> = [
  { table: /^project$/, key: /^dependencies$/ },
  { table: /^project\.optional-dependencies$/, key: /.*/ },
  { table: /^dependency-groups$/, key: /.*/ },
];
// Poetry: `name = "^1.2"` or `name = { version = "^1.2", ... }`.
const POETRY_TABLE =
  /^tool\.poetry\.(?:dependencies|dev-dependencies|group\.[A-Za-z0-9_.-]+\.dependencies)$/;

const REQUIREMENT_STRING = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\s*\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$/;

/** Poetry's own constraint syntax: `^1.2.3`, `~1.2`, `1.2.3`, or PEP 440 clauses. */
function movePoetryConstraint(constraint: string, bump: Bump): string | undefined {
  const trimmed = constraint.trim();
  const caretOrTilde = /^(\^|~|==|=)?\s*v?\d[0-9A-Za-z.+-]*$/.exec(trimmed);
  if (caretOrTilde) return `${caretOrTilde[1] ?? ''}${bump.toVersion}`;
  return moveSpecifier(trimmed, bump);
}

function stripStrings(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
}

/**
 * Upgrades a dependency in pyproject.toml, editing text in place (comments and layout stay):
 * PEP 621 `[project] dependencies`, optional dependencies and PEP 735 groups as requirement
 * strings, and Poetry dependency tables with their caret/tilde constraints.
 */
export function bumpPyproject(text: string, bump: Bump): EditResult {
  const lines = text.split(/(?<=\n)/);
  const wanted = normalizePythonName(bump.name);
  const changes: string[] = [];
  let table = '';
  let inArray = false;
  let depth = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const body = line.replace(/\r?\n$/, '');
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(body);
    if (header && !inArray) {
      table = header[1]!.replace(/\s+/g, '').replace(/"/g, '');
      continue;
    }
    if (!inArray) {
      const assignment = /^\s*("?)([A-Za-z0-9_.-]+)\1\s*=\s*(.*)$/.exec(body);
      if (!assignment) continue;
      const key = assignment[2]!;
      if (POETRY_TABLE.test(table) && normalizePythonName(key) === wanted) {
        const result = editPoetryLine(line, key, bump);
        if (!result.ok) return result;
        lines[i] = result.content;
        changes.push(result.summary);
        continue;
      }
      const isArray = REQUIREMENT_ARRAYS.some((r) => r.table.test(table) && r.key.test(key));
      if (!isArray || !assignment[3]!.trimStart().startsWith('[')) continue;
      inArray = true;
      depth = 0;
    }
    // Inside a requirement array: rewrite matching quoted requirements on this line.
    let failure: EditResult | undefined;
    lines[i] = line.replace(
      /(["'])((?:(?!\1)[^\\]|\\.)*)\1/g,
      (whole, quote: string, body: string) => {
        const match = REQUIREMENT_STRING.exec(body);
        if (!match || normalizePythonName(match[1]!) !== wanted) return whole;
        const [, name, extras = '', specifier = '', marker = ''] = match;
        const moved = specifier === '' ? undefined : moveSpecifier(specifier, bump);
        if (moved === undefined) {
          failure = refused(
            'unsupported-manifest',
            `"${body}" has no pin or lower bound to move to ${bump.toVersion}`,
          );
          return whole;
        }
        changes.push(`${name} ${specifier.replace(/\s+/g, '')} -> ${moved}`);
        return `${quote}${name}${extras}${moved}${marker === '' ? '' : ` ${marker}`}${quote}`;
      },
    );
    if (failure) return failure;
    const bare = stripStrings(line.replace(/#.*$/, ''));
    for (const c of bare) {
      if (c === '[') depth += 1;
      if (c === ']') depth -= 1;
    }
    if (depth <= 0) inArray = false;
  }
  if (changes.length === 0)
    return refused('dependency-not-found', `pyproject.toml does not declare ${bump.name}`);
  const notes = [
    'if the project has a lockfile (poetry.lock, uv.lock, pdm.lock), regenerate it on this branch',
  ];
  return edited(lines.join(''), `pyproject.toml: ${changes.join('; ')}`, notes);
}

function editPoetryLine(line: string, key: string, bump: Bump): EditResult {
  const inline = /^(\s*"?[A-Za-z0-9_.-]+"?\s*=\s*\{.*?\bversion\s*=\s*)(["'])([^"']*)\2(.*)$/s.exec(
    line,
  );
  const plain = /^(\s*"?[A-Za-z0-9_.-]+"?\s*=\s*)(["'])([^"']*)\2(.*)$/s.exec(line);
  const match = inline ?? plain;
  if (!match)
    return refused(
      'unsupported-manifest',
      `${key} in pyproject.toml has no version constraint (a path or git dependency?)`,
    );
  const [, head, quote, constraint, tail] = match;
  const moved = movePoetryConstraint(constraint!, bump);
  if (moved === undefined)
    return refused(
      'unsupported-manifest',
      `${key} = "${constraint}" in pyproject.toml is not a constraint a bot may move`,
    );
  return edited(`${head}${quote}${moved}${quote}${tail}`, `${key} ${constraint} -> ${moved}`, []);
}
