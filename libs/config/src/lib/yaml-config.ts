import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './config-file-error';

type PathSegment = PropertyKey;

/** Where a zod issue path lands in the document: the key (or list item) and its value. */
interface Location {
  readonly keyOffset: number;
  readonly valueOffset: number;
  /** False when the path leaves the document: the field is missing, the offsets are its parent's. */
  readonly found: boolean;
}

/**
 * Parses YAML (or JSON, which YAML 1.2 reads too) and validates it with `schema`. Every YAML
 * syntax error, and every schema issue, becomes a {@link ConfigIssue} with the line and column
 * of the key or value at fault; `fail` turns them into the caller's error type. Duplicate keys
 * are errors: in a policy, the second of two keys silently winning hides a rule.
 */
export function parseYamlConfig<Schema extends z.ZodType>(
  text: string,
  schema: Schema,
  fail: (issues: readonly ConfigIssue[]) => Error,
): z.output<Schema> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (document.errors.length > 0) {
    throw fail(
      document.errors.map((error) => ({
        ...position(error.pos[0]),
        field: '',
        message: `YAML syntax: ${error.message}`,
      })),
    );
  }

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses to expand an alias bomb; say so instead of passing its error through bare.
    const reason = error instanceof Error ? error.message : String(error);
    throw fail([{ line: 1, column: 1, field: '', message: `YAML: ${reason}` }]);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;

  const issues = parsed.error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const where = locate(document.contents, [...issue.path, key]);
        return {
          ...position(where.keyOffset),
          field: fieldName([...issue.path, key]),
          message: `unknown field "${key}" (check its spelling: an unknown field would be ignored)`,
        };
      });
    }
    const where = locate(document.contents, issue.path);
    return [
      {
        ...position(where.found ? where.valueOffset : where.keyOffset),
        field: fieldName(issue.path),
        message:
          where.found || issue.path.length === 0 ? issue.message : 'required field is missing',
      },
    ];
  });
  throw fail(issues.sort((a, b) => a.line - b.line || a.column - b.column));
}

function locate(root: unknown, path: readonly PathSegment[]): Location {
  let node = root;
  let keyOffset = startOf(root) ?? 0;
  let valueOffset = keyOffset;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) return { keyOffset, valueOffset, found: false };
      keyOffset = startOf(pair.key) ?? keyOffset;
      valueOffset = startOf(pair.value) ?? keyOffset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) return { keyOffset, valueOffset, found: false };
      keyOffset = startOf(item) ?? keyOffset;
      valueOffset = keyOffset;
      node = item;
    } else {
      return { keyOffset, valueOffset, found: false };
    }
  }
  return { keyOffset, valueOffset, found: true };
}

function startOf(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

/** `overrides[2].match.assets[0]`: the way a person reading the file names a field. */
export function fieldName(path: readonly PathSegment[]): string {
  let name = '';
  for (const segment of path) {
    if (typeof segment === 'number') name += `[${segment}]`;
    else name += name === '' ? String(segment) : `.${String(segment)}`;
  }
  return name;
}
