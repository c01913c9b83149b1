import type { JsonPathSegment } from '../core/json-pointer';

/** The JSON type of a value, as its first character tells it. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/**
 * A node of the compiled pattern trie. Patterns are dot-separated segments: a key, `*` (any key
 * or array index) or `#` (any array index); the empty pattern is the document root.
 */
export interface PatternNode {
  readonly keys: Map<string, PatternNode>;
  anyChild: PatternNode | undefined;
  anyIndex: PatternNode | undefined;
  /** Read the whole value here and deliver it under this name. */
  read: string | undefined;
  /** Report that a value is here (name and kind) without reading it. */
  mark: string | undefined;
  /** JSON types allowed here; anything else is a report error at this pointer. */
  expect: readonly JsonKind[] | undefined;
  /** Whether any pattern continues below this node (otherwise its subtree needs no paths). */
  hasChildren: boolean;
}

function newNode(): PatternNode {
  return {
    keys: new Map(),
    anyChild: undefined,
    anyIndex: undefined,
    read: undefined,
    mark: undefined,
    expect: undefined,
    hasChildren: false,
  };
}

export function splitPattern(pattern: string | readonly string[]): string[] {
  if (typeof pattern !== 'string') return [...pattern];
  return pattern === '' ? [] : pattern.split('.');
}

function insert(root: PatternNode, segments: readonly string[]): PatternNode {
  let node = root;
  for (const segment of segments) {
    node.hasChildren = true;
    if (segment === '*') {
      node.anyChild ??= newNode();
      node = node.anyChild;
    } else if (segment === '#') {
      node.anyIndex ??= newNode();
      node = node.anyIndex;
    } else {
      let next = node.keys.get(segment);
      if (next === undefined) {
        next = newNode();
        node.keys.set(segment, next);
      }
      node = next;
    }
  }
  return node;
}

export type PatternList = string | readonly string[];

export interface CompiledPatterns {
  root: PatternNode;
}

/**
 * Builds the trie the scanner walks. A name may have several patterns; one path may not be
 * both read under two names, since a value is delivered once.
 */
export function compilePatterns(spec: {
  read: Readonly<Record<string, PatternList>>;
  mark?: Readonly<Record<string, PatternList>>;
  expect?: Readonly<Record<string, JsonKind | readonly JsonKind[]>>;
}): CompiledPatterns {
  const root = newNode();
  const asList = (patterns: PatternList): readonly string[] =>
    typeof patterns === 'string' ? [patterns] : patterns;
  for (const [name, patterns] of Object.entries(spec.read)) {
    for (const pattern of asList(patterns)) {
      const node = insert(root, splitPattern(pattern));
      if (node.read !== undefined && node.read !== name) {
        throw new Error(`pattern "${pattern}" is read as both "${node.read}" and "${name}"`);
      }
      node.read = name;
    }
  }
  for (const [name, patterns] of Object.entries(spec.mark ?? {})) {
    for (const pattern of asList(patterns)) {
      const node = insert(root, splitPattern(pattern));
      if (node.mark !== undefined && node.mark !== name) {
        throw new Error(`pattern "${pattern}" is marked as both "${node.mark}" and "${name}"`);
      }
      node.mark = name;
    }
  }
  for (const [pattern, kinds] of Object.entries(spec.expect ?? {})) {
    const node = insert(root, splitPattern(pattern));
    node.expect = typeof kinds === 'string' ? [kinds] : kinds;
  }
  return { root };
}

/** The nodes a child value at `segment` matches, given the nodes its container matched. */
export function advance(
  parents: readonly PatternNode[],
  segment: JsonPathSegment,
): PatternNode[] | undefined {
  let out: PatternNode[] | undefined;
  for (const parent of parents) {
    if (typeof segment === 'string') {
      const exact = parent.keys.get(segment);
      if (exact !== undefined) (out ??= []).push(exact);
    } else {
      if (parent.anyIndex !== undefined) (out ??= []).push(parent.anyIndex);
      if (parent.keys.size > 0) {
        const exact = parent.keys.get(String(segment));
        if (exact !== undefined) (out ??= []).push(exact);
      }
    }
    if (parent.anyChild !== undefined) (out ??= []).push(parent.anyChild);
  }
  return out;
}
