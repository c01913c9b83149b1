import type { JsonKind } from './path-pattern';

type Scalar = string | number | boolean | null;

/**
 * What the first bytes of a JSON report show: its root type, the key paths seen (array
 * indices written `#`) and the first scalar at each. Detection looks at structure, not at
 * words that could appear anywhere: `head.has('runs.#.tool.driver')` rather than
 * `/"driver"/.test(text)`.
 */
export interface JsonHead {
  /** Type of the root value; undefined when the text does not start like JSON. */
  readonly root: JsonKind | undefined;
  /** Whether the text held a whole, well-formed document (not cut by the detection window). */
  readonly complete: boolean;
  has(path: string): boolean;
  /** JSON type of the first value seen at a path. */
  kind(path: string): JsonKind | undefined;
  /** The first scalar at a path (strings cut to 200 characters). */
  scalar(path: string): Scalar | undefined;
  /** Key paths seen, for diagnostics. */
  readonly paths: ReadonlyMap<string, JsonKind>;
}

const MAX_DEPTH = 8;

function kindAt(c: number): JsonKind | undefined {
  if (c === 0x7b) return 'object';
  if (c === 0x5b) return 'array';
  if (c === 0x22) return 'string';
  if (c === 0x74 || c === 0x66) return 'boolean';
  if (c === 0x6e) return 'null';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'number';
  return undefined;
}
const MAX_PATHS = 5000;

interface Frame {
  kind: 'object' | 'array';
  path: string;
  key: string | undefined;
}

class HeadReader {
  private i = 0;
  readonly paths = new Map<string, JsonKind>();
  readonly scalars = new Map<string, Scalar>();
  root: JsonKind | undefined;

  constructor(private readonly text: string) {}

  private ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  /** Reads a string token at `i` (on the opening quote); undefined when cut off or invalid. */
  private string(): string | undefined {
    const t = this.text;
    const start = this.i;
    let j = start + 1;
    let escaped = false;
    while (j < t.length) {
      const c = t.charCodeAt(j);
      if (c === 0x5c) {
        escaped = true;
        j += 2;
        continue;
      }
      if (c === 0x22) break;
      j++;
    }
    if (j >= t.length) return undefined;
    this.i = j + 1;
    const raw = t.slice(start + 1, j);
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return undefined;
    }
  }

  private bare(): Scalar | undefined {
    const t = this.text;
    const start = this.i;
    while (this.i < t.length && /[0-9a-zA-Z+\-.]/.test(t[this.i]!)) this.i++;
    // A token that runs to the end of the text may be cut; a whole literal or number is kept.
    const token = t.slice(start, this.i);
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    const number = Number(token);
    return token !== '' && Number.isFinite(number) ? number : undefined;
  }

  private record(path: string, depth: number, kind: JsonKind | undefined): void {
    if (kind === undefined || depth > MAX_DEPTH || this.paths.size >= MAX_PATHS) return;
    if (!this.paths.has(path)) this.paths.set(path, kind);
  }

  /** Walks the text; returns true when it held one complete, well-formed document. */
  run(): boolean {
    const t = this.text;
    const stack: Frame[] = [];
    let expectValue = true;
    this.ws();
    const first = t.charCodeAt(this.i);
    this.root = first === 0x7b ? 'object' : first === 0x5b ? 'array' : undefined;
    if (this.root === undefined) {
      if (first === 0x22) this.root = 'string';
      else if (first === 0x74 || first === 0x66) this.root = 'boolean';
      else if (first === 0x6e) this.root = 'null';
      else if (first === 0x2d || (first >= 0x30 && first <= 0x39)) this.root = 'number';
    }
    while (true) {
      this.ws();
      if (this.i >= t.length) return false;
      const c = t.charCodeAt(this.i);
      const top = stack[stack.length - 1];
      if (expectValue) {
        const path =
          top === undefined
            ? ''
            : top.kind === 'array'
              ? top.path === ''
                ? '#'
                : `${top.path}.#`
              : top.path === ''
                ? top.key!
                : `${top.path}.${top.key!}`;
        const depth = stack.length;
        if (top !== undefined) this.record(path, depth, kindAt(c));
        if (c === 0x7b || c === 0x5b) {
          stack.push({ kind: c === 0x7b ? 'object' : 'array', path, key: undefined });
          this.i++;
          if (c === 0x7b) {
            this.ws();
            if (t.charCodeAt(this.i) === 0x7d) {
              this.i++;
              stack.pop();
              expectValue = false;
              if (stack.length === 0) break;
              continue;
            }
            if (!this.key(stack)) return false;
            continue;
          }
          this.ws();
          if (t.charCodeAt(this.i) === 0x5d) {
            this.i++;
            stack.pop();
            expectValue = false;
            if (stack.length === 0) break;
            continue;
          }
          continue;
        }
        const value = c === 0x22 ? this.string() : this.bare();
        if (value === undefined) return false;
        if (depth <= MAX_DEPTH && !this.scalars.has(path) && this.scalars.size < MAX_PATHS) {
          this.scalars.set(path, typeof value === 'string' ? value.slice(0, 200) : value);
        }
        expectValue = false;
        if (stack.length === 0) break;
        continue;
      }
      if (top === undefined) break;
      if (c === 0x2c) {
        this.i++;
        if (top.kind === 'object' && !this.key(stack)) return false;
        expectValue = true;
        continue;
      }
      if ((c === 0x7d && top.kind === 'object') || (c === 0x5d && top.kind === 'array')) {
        this.i++;
        stack.pop();
        if (stack.length === 0) break;
        continue;
      }
      return false;
    }
    this.ws();
    return this.i >= t.length;
  }

  /** Reads `"key":` into the top frame; false when cut off or malformed. */
  private key(stack: Frame[]): boolean {
    this.ws();
    if (this.text.charCodeAt(this.i) !== 0x22) return false;
    const key = this.string();
    if (key === undefined) return false;
    this.ws();
    if (this.text.charCodeAt(this.i) !== 0x3a) return false;
    this.i++;
    stack[stack.length - 1]!.key = key;
    return true;
  }
}

// Detection asks every parser about the same head; reading it once per report is enough.
let lastText: string | undefined;
let lastHead: JsonHead | undefined;

/** Reads the structure of a (possibly cut-off) JSON text, tolerating the cut. */
export function readJsonHead(text: string): JsonHead {
  if (text === lastText && lastHead !== undefined) return lastHead;
  const reader = new HeadReader(text);
  let complete = false;
  try {
    complete = reader.run();
  } catch {
    // A pathological head (e.g. a lone surrogate escape) is simply not a recognisable report.
    complete = false;
  }
  const head: JsonHead = {
    root: reader.root,
    complete,
    paths: reader.paths,
    has: (path) => reader.paths.has(path),
    kind: (path) => reader.paths.get(path),
    scalar: (path) => reader.scalars.get(path),
  };
  lastText = text;
  lastHead = head;
  return head;
}
