import type { JsonPathSegment } from '../core/json-pointer';
import { advance, type CompiledPatterns, type JsonKind, type PatternNode } from './path-pattern';

/** A value the scanner delivers: read whole (`value`) or only marked (`value` undefined). */
export interface ScannedValue {
  name: string;
  path: JsonPathSegment[];
  kind: JsonKind;
  value: unknown;
}

/** Where in the byte stream something went wrong, before it is turned into a report error. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    /** Absolute byte offset of the offending byte. */
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** A value at a path has a JSON type the caller ruled out. */
export class JsonShapeError extends Error {
  override readonly name = 'JsonShapeError';
  constructor(
    message: string,
    readonly path: JsonPathSegment[],
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

// Parser states. Plain numbers: a switch over small integers is what V8 optimises best.
const S_VALUE = 0;
const S_ARRAY_FIRST = 1;
const S_OBJECT_FIRST = 2;
const S_KEY = 3;
const S_COLON = 4;
const S_AFTER = 5;
const S_STRING = 6;
const S_NUMBER = 7;
const S_LITERAL = 8;
const S_DONE = 9;
const S_CAPTURE = 10;
const S_START = 11;

// Number grammar (RFC 8259 section 6).
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_EXP = 5;
const N_EXP_SIGN = 6;
const N_EXP_DIGITS = 7;

// Capture (raw scan) kinds.
const C_CONTAINER = 0;
const C_STRING = 1;
const C_BARE = 2;

const OBJ = 1;
const ARR = 2;

const MAX_DEPTH = 4096;

const BOM = [0xef, 0xbb, 0xbf];

const LITERALS: Record<number, Uint8Array> = {
  0x74: Buffer.from('true'),
  0x66: Buffer.from('false'),
  0x6e: Buffer.from('null'),
};

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function kindOf(c: number): JsonKind | undefined {
  if (c === 0x7b) return 'object';
  if (c === 0x5b) return 'array';
  if (c === 0x22) return 'string';
  if (c === 0x2d || isDigit(c)) return 'number';
  if (c === 0x74 || c === 0x66) return 'boolean';
  if (c === 0x6e) return 'null';
  return undefined;
}

function describeByte(c: number): string {
  if (c >= 0x21 && c <= 0x7e) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function countNewlines(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (bytes[i] === 0x0a) count++;
  return count;
}

/**
 * A resumable JSON scanner over UTF-8 bytes. Outside the values it reads, it validates the whole
 * grammar and keeps the path; inside a value it only tracks strings and nesting to find the end,
 * then hands the exact slice to JSON.parse (which validates it). Structure is ASCII, and UTF-8
 * continuation bytes are never ASCII, so scanning bytes is safe and chunks may split characters.
 */
export class JsonScanner {
  private state = S_START;
  /** Container kind per depth (OBJ / ARR). */
  private kinds = new Uint8Array(64);
  private depth = 0;
  /** Current key per object level, current index per array level. */
  private readonly keys: (string | undefined)[] = [];
  private readonly indices: number[] = [];
  /** Pattern nodes each open container matched; undefined = nothing can match below. */
  private readonly levelNodes: (PatternNode[] | undefined)[] = [];
  /** For arrays: the nodes every element matches, when that does not depend on the index. */
  private readonly elementNodes: (PatternNode[] | undefined | null)[] = [];
  private readonly rootList: PatternNode[];

  // String state (outside captures).
  private stringIsKey = false;
  private escape = false;
  private hexLeft = 0;
  private keyPieces: Uint8Array[] | undefined;
  private keyStart = -1;
  private keyEscaped = false;

  // Number / literal state.
  private numState = N_MINUS;
  private literal: Uint8Array | undefined;
  private literalPos = 0;

  // Capture state.
  private capKind = C_CONTAINER;
  private capDepth = 0;
  private capInString = false;
  private capEscape = false;
  private capStart = -1;
  private capPieces: Uint8Array[] = [];
  private capBytes = 0;
  private capName = '';
  private capPath: JsonPathSegment[] = [];
  private capValueKind: JsonKind = 'null';
  private capStartAbs = 0;
  private capStartChunk: Uint8Array | undefined;
  private capStartChunkLines = 0;
  private capStartChunkAbs = 0;
  private capStartChunkLineStartAbs = 0;

  // Position bookkeeping for error messages.
  private chunkAbs = 0;
  private chunkLines = 0;
  /** Absolute offset where the current line starts, as known at the start of the chunk. */
  private lineStartAbs = 0;
  private chunk: Uint8Array = new Uint8Array(0);
  /** The current chunk as a Buffer, for decoding slices of it. */
  private chunkBuffer: Buffer = Buffer.alloc(0);
  private bomSeen = 0;

  /** Values found in the last chunk, in document order. */
  readonly out: ScannedValue[] = [];

  constructor(
    patterns: CompiledPatterns | undefined,
    /** A read value larger than this stops the scan: memory stays bounded on hostile input. */
    private readonly maxValueBytes = 64 * 1024 * 1024,
  ) {
    this.rootList = patterns ? [patterns.root] : [];
  }

  write(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.chunkBuffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let i = 0;
    const n = chunk.length;
    // A UTF-8 byte-order mark (EF BB BF) at offset 0 is not content; it may span chunks.
    while (this.bomSeen < 3 && i < n && this.chunkAbs + i === this.bomSeen) {
      if (chunk[i] !== BOM[this.bomSeen]) {
        if (this.bomSeen > 0) this.fail('incomplete byte-order mark', this.chunkAbs + i);
        this.bomSeen = 3;
        break;
      }
      this.bomSeen++;
      i++;
    }
    while (i < n) {
      switch (this.state) {
        case S_CAPTURE:
          i = this.scanCapture(chunk, i);
          break;
        case S_STRING:
          i = this.scanString(chunk, i);
          break;
        case S_NUMBER:
          i = this.scanNumber(chunk, i);
          break;
        case S_LITERAL:
          i = this.scanLiteral(chunk, i);
          break;
        default: {
          const c = chunk[i]!;
          if (isWhitespace(c)) {
            // Indentation is much of a pretty-printed report.
            i++;
            while (i < n && isWhitespace(chunk[i]!)) i++;
            continue;
          }
          i = this.structural(chunk, i, c);
        }
      }
    }
    this.finishChunk(chunk);
  }

  /** Call after the last chunk: checks that the document is complete. */
  end(): void {
    const at = this.chunkAbs;
    if (this.state === S_CAPTURE) {
      // finishChunk already kept the tail of the last chunk in capPieces.
      if (this.capKind === C_BARE) this.finishCapture(new Uint8Array(0), 0);
      else this.failInCapture(Buffer.concat(this.capPieces), undefined, true);
    } else if (this.state === S_NUMBER) {
      if (!this.numberCanEnd()) this.fail('incomplete number at the end of the input', at);
      this.afterValue();
    }
    if (this.state === S_START) this.fail('the report is empty', at);
    if (this.state !== S_DONE) this.fail('unexpected end of input (truncated JSON?)', at);
  }

  private finishChunk(chunk: Uint8Array): void {
    let lines = 0;
    let last = -1;
    let at = -1;
    const buffer = this.chunkBuffer;
    while ((at = buffer.indexOf(0x0a, at + 1)) !== -1) {
      lines++;
      last = at;
    }
    if (last !== -1) this.lineStartAbs = this.chunkAbs + last + 1;
    this.chunkLines += lines;
    this.chunkAbs += chunk.length;
    if (this.state === S_CAPTURE) {
      const piece = chunk.subarray(this.capStart);
      this.capPieces.push(piece);
      this.capBytes += piece.length;
      this.capStart = 0;
      if (this.capBytes > this.maxValueBytes) {
        this.failInCapture(Buffer.concat(this.capPieces), undefined, false);
      }
    }
    if (this.state === S_STRING && this.keyStart !== -1) {
      (this.keyPieces ??= []).push(chunk.subarray(this.keyStart));
      this.keyStart = 0;
    }
  }

  // ---- structural mode -------------------------------------------------------------------

  private structural(chunk: Uint8Array, i: number, c: number): number {
    switch (this.state) {
      case S_START:
      case S_VALUE:
        return this.beginValue(chunk, i, c);
      case S_ARRAY_FIRST:
        if (c === 0x5d) {
          this.pop();
          return i + 1;
        }
        return this.beginValue(chunk, i, c);
      case S_OBJECT_FIRST:
        if (c === 0x7d) {
          this.pop();
          return i + 1;
        }
        if (c === 0x22) return this.beginKey(i);
        return this.fail(`expected a key or '}', found ${describeByte(c)}`, this.chunkAbs + i);
      case S_KEY:
        if (c === 0x22) return this.beginKey(i);
        return this.fail(`expected a key, found ${describeByte(c)}`, this.chunkAbs + i);
      case S_COLON:
        if (c === 0x3a) {
          this.state = S_VALUE;
          return i + 1;
        }
        return this.fail(`expected ':' after a key, found ${describeByte(c)}`, this.chunkAbs + i);
      case S_AFTER: {
        const top = this.kinds[this.depth - 1];
        if (c === 0x2c) {
          this.state = top === OBJ ? S_KEY : S_VALUE;
          return i + 1;
        }
        if ((c === 0x7d && top === OBJ) || (c === 0x5d && top === ARR)) {
          this.pop();
          return i + 1;
        }
        const expected = top === OBJ ? "',' or '}'" : "',' or ']'";
        return this.fail(`expected ${expected}, found ${describeByte(c)}`, this.chunkAbs + i);
      }
      case S_DONE:
        return this.fail(
          `unexpected ${describeByte(c)} after the end of the document`,
          this.chunkAbs + i,
        );
      default:
        return this.fail('scanner in an impossible state', this.chunkAbs + i);
    }
  }

  private beginKey(i: number): number {
    this.state = S_STRING;
    this.stringIsKey = true;
    this.escape = false;
    this.hexLeft = 0;
    this.keyEscaped = false;
    // Keys are only decoded where a pattern could still match below.
    if (this.levelNodes[this.depth - 1] !== undefined) {
      this.keyStart = i + 1;
      this.keyPieces = undefined;
    } else {
      this.keyStart = -1;
    }
    return i + 1;
  }

  private nodesForChild(): PatternNode[] | undefined {
    const depth = this.depth;
    if (depth === 0) return this.rootList.length > 0 ? this.rootList : undefined;
    const parent = depth - 1;
    if (this.kinds[parent] === ARR) {
      const index = ++this.indices[parent]!;
      const cached = this.elementNodes[parent];
      if (cached !== null) return cached;
      const nodes = this.levelNodes[parent];
      return nodes === undefined ? undefined : advance(nodes, index);
    }
    const nodes = this.levelNodes[parent];
    if (nodes === undefined) return undefined;
    return advance(nodes, this.keys[parent]!);
  }

  private beginValue(chunk: Uint8Array, i: number, c: number): number {
    const kind = kindOf(c);
    if (kind === undefined) {
      return this.fail(`expected a value, found ${describeByte(c)}`, this.chunkAbs + i);
    }
    const nodes = this.nodesForChild();
    let read: string | undefined;
    if (nodes !== undefined) {
      for (const node of nodes) {
        if (node.expect !== undefined && !node.expect.includes(kind)) {
          const position = this.position(this.chunkAbs + i);
          throw new JsonShapeError(
            `expected ${node.expect.join(' or ')}, found ${kind}`,
            this.currentPath(),
            position.line,
            position.column,
          );
        }
        if (node.mark !== undefined) {
          this.out.push({
            name: node.mark,
            path: this.currentPath(),
            kind,
            value: undefined,
          });
        }
        if (node.read !== undefined) read = node.read;
      }
    }
    if (read !== undefined) return this.beginCapture(chunk, i, c, kind, read);
    switch (kind) {
      case 'object':
      case 'array':
        this.push(kind === 'object' ? OBJ : ARR, nodes, i);
        return i + 1;
      case 'string':
        this.state = S_STRING;
        this.stringIsKey = false;
        this.escape = false;
        this.hexLeft = 0;
        this.keyStart = -1;
        return i + 1;
      case 'number':
        this.state = S_NUMBER;
        this.numState = c === 0x2d ? N_MINUS : c === 0x30 ? N_ZERO : N_INT;
        return i + 1;
      case 'boolean':
      case 'null':
        this.state = S_LITERAL;
        this.literal = LITERALS[c];
        this.literalPos = 1;
        return i + 1;
    }
  }

  private push(kind: number, nodes: PatternNode[] | undefined, i: number): void {
    const depth = this.depth;
    if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, this.chunkAbs + i);
    if (depth >= this.kinds.length) {
      const bigger = new Uint8Array(this.kinds.length * 2);
      bigger.set(this.kinds);
      this.kinds = bigger;
    }
    this.kinds[depth] = kind;
    let live: PatternNode[] | undefined;
    if (nodes !== undefined) {
      for (const node of nodes) if (node.hasChildren) (live ??= []).push(node);
    }
    this.levelNodes[depth] = live;
    this.keys[depth] = undefined;
    this.indices[depth] = -1;
    if (kind === ARR) {
      // Most patterns below an array are `*` or `#`: work out the element nodes once.
      let indexFree = true;
      if (live !== undefined) for (const node of live) if (node.keys.size > 0) indexFree = false;
      this.elementNodes[depth] =
        live === undefined ? undefined : indexFree ? advance(live, 0) : null;
    } else {
      this.elementNodes[depth] = null;
    }
    this.depth = depth + 1;
    this.state = kind === OBJ ? S_OBJECT_FIRST : S_ARRAY_FIRST;
  }

  private pop(): void {
    this.depth--;
    this.afterValue();
  }

  private afterValue(): void {
    this.state = this.depth === 0 ? S_DONE : S_AFTER;
  }

  private currentPath(): JsonPathSegment[] {
    const path: JsonPathSegment[] = [];
    for (let d = 0; d < this.depth; d++) {
      path.push(this.kinds[d] === ARR ? this.indices[d]! : this.keys[d]!);
    }
    return path;
  }

  // ---- strings, numbers, literals (validated, not kept) -----------------------------------

  private scanString(chunk: Uint8Array, start: number): number {
    let i = start;
    const n = chunk.length;
    while (i < n) {
      let c = chunk[i]!;
      if (this.hexLeft === 0 && !this.escape) {
        // Plain characters are nearly all of a string: step over them in a tight loop.
        while (c !== 0x22 && c !== 0x5c && c >= 0x20) {
          if (++i === n) return i;
          c = chunk[i]!;
        }
      }
      if (this.hexLeft > 0) {
        if (!isHex(c)) return this.fail('invalid \\u escape in a string', this.chunkAbs + i);
        this.hexLeft--;
      } else if (this.escape) {
        this.escape = false;
        if (c === 0x75) this.hexLeft = 4;
        else if (
          c !== 0x22 &&
          c !== 0x5c &&
          c !== 0x2f &&
          c !== 0x62 &&
          c !== 0x66 &&
          c !== 0x6e &&
          c !== 0x72 &&
          c !== 0x74
        ) {
          return this.fail(`invalid escape \\${String.fromCharCode(c)}`, this.chunkAbs + i);
        }
      } else if (c === 0x22) {
        this.endString(chunk, i);
        return i + 1;
      } else if (c === 0x5c) {
        this.escape = true;
        this.keyEscaped = true;
      } else if (c < 0x20) {
        return this.fail('unescaped control character in a string', this.chunkAbs + i);
      }
      i++;
    }
    return i;
  }

  private endString(chunk: Uint8Array, end: number): void {
    if (!this.stringIsKey) {
      this.afterValue();
      return;
    }
    if (this.keyStart !== -1) {
      let bytes: Buffer;
      if (this.keyPieces === undefined) {
        bytes = Buffer.from(chunk.buffer, chunk.byteOffset + this.keyStart, end - this.keyStart);
      } else {
        this.keyPieces.push(chunk.subarray(this.keyStart, end));
        bytes = Buffer.concat(this.keyPieces);
        this.keyPieces = undefined;
      }
      const raw = bytes.toString('utf8');
      this.keys[this.depth - 1] = this.keyEscaped ? (JSON.parse(`"${raw}"`) as string) : raw;
      this.keyStart = -1;
    }
    this.state = S_COLON;
  }

  private numberCanEnd(): boolean {
    const s = this.numState;
    return s === N_ZERO || s === N_INT || s === N_FRAC || s === N_EXP_DIGITS;
  }

  private scanNumber(chunk: Uint8Array, start: number): number {
    let i = start;
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i]!;
      const digit = isDigit(c);
      switch (this.numState) {
        case N_MINUS:
          if (!digit) return this.fail('expected a digit after -', this.chunkAbs + i);
          this.numState = c === 0x30 ? N_ZERO : N_INT;
          break;
        case N_ZERO:
        case N_INT:
          if (digit && this.numState === N_INT) break;
          if (digit) return this.fail('leading zero in a number', this.chunkAbs + i);
          if (c === 0x2e) this.numState = N_DOT;
          else if (c === 0x65 || c === 0x45) this.numState = N_EXP;
          else return this.endNumber(i);
          break;
        case N_DOT:
          if (!digit) return this.fail('expected a digit after .', this.chunkAbs + i);
          this.numState = N_FRAC;
          break;
        case N_FRAC:
          if (digit) break;
          if (c === 0x65 || c === 0x45) this.numState = N_EXP;
          else return this.endNumber(i);
          break;
        case N_EXP:
          if (c === 0x2b || c === 0x2d) this.numState = N_EXP_SIGN;
          else if (digit) this.numState = N_EXP_DIGITS;
          else return this.fail('expected a digit in an exponent', this.chunkAbs + i);
          break;
        case N_EXP_SIGN:
          if (!digit) return this.fail('expected a digit in an exponent', this.chunkAbs + i);
          this.numState = N_EXP_DIGITS;
          break;
        case N_EXP_DIGITS:
          if (digit) break;
          return this.endNumber(i);
      }
      i++;
    }
    return i;
  }

  /** The byte at `i` is not part of the number; it is handled in the next state. */
  private endNumber(i: number): number {
    this.afterValue();
    return i;
  }

  private scanLiteral(chunk: Uint8Array, start: number): number {
    let i = start;
    const literal = this.literal!;
    while (i < chunk.length) {
      if (chunk[i] !== literal[this.literalPos]) {
        return this.fail(
          `invalid literal (expected '${Buffer.from(literal).toString()}')`,
          this.chunkAbs + i,
        );
      }
      this.literalPos++;
      i++;
      if (this.literalPos === literal.length) {
        this.afterValue();
        return i;
      }
    }
    return i;
  }

  // ---- capture mode: find the end, then JSON.parse the slice -------------------------------

  private beginCapture(
    chunk: Uint8Array,
    i: number,
    c: number,
    kind: JsonKind,
    name: string,
  ): number {
    this.state = S_CAPTURE;
    this.capName = name;
    this.capPath = this.currentPath();
    this.capValueKind = kind;
    this.capStart = i;
    this.capPieces = [];
    this.capBytes = 0;
    this.capStartAbs = this.chunkAbs + i;
    this.capStartChunk = chunk;
    this.capStartChunkLines = this.chunkLines;
    this.capStartChunkAbs = this.chunkAbs;
    this.capStartChunkLineStartAbs = this.lineStartAbs;
    this.capInString = false;
    this.capEscape = false;
    if (kind === 'object' || kind === 'array') {
      this.capKind = C_CONTAINER;
      this.capDepth = 1;
    } else if (kind === 'string') {
      this.capKind = C_STRING;
      this.capDepth = 0;
      this.capInString = true;
    } else {
      this.capKind = C_BARE;
    }
    return i + 1;
  }

  private scanCapture(chunk: Uint8Array, start: number): number {
    let i = start;
    const n = chunk.length;
    if (this.capKind === C_BARE) {
      while (i < n) {
        const c = chunk[i]!;
        if (isWhitespace(c) || c === 0x2c || c === 0x5d || c === 0x7d) {
          this.finishCapture(chunk, i);
          return i;
        }
        i++;
      }
      return i;
    }
    const buffer = this.chunkBuffer;
    let inString = this.capInString;
    let escape = this.capEscape;
    let depth = this.capDepth;
    while (i < n) {
      if (inString) {
        // Most bytes of a report are string content: jump to the next quote natively, then
        // count the backslashes before it to see whether it is escaped.
        if (escape) {
          escape = false;
          i++;
          continue;
        }
        // Keys and short values end within a few bytes: a plain loop beats a native call there.
        const stop = i + 48 < n ? i + 48 : n;
        let j = i;
        while (j < stop) {
          const c = chunk[j]!;
          if (c === 0x22 || c === 0x5c) break;
          j++;
        }
        if (j < stop) {
          i = j + 1;
          if (chunk[j] === 0x5c) {
            escape = true;
            continue;
          }
          inString = false;
          if (depth === 0) {
            this.finishCapture(chunk, i);
            return i;
          }
          continue;
        }
        i = j;
        if (i >= n) break;
        const quote = buffer.indexOf(0x22, i);
        if (quote === -1) {
          let backslashes = 0;
          for (let k = n - 1; k >= i && chunk[k] === 0x5c; k--) backslashes++;
          escape = (backslashes & 1) === 1;
          i = n;
          break;
        }
        let backslashes = 0;
        for (let k = quote - 1; k >= i && chunk[k] === 0x5c; k--) backslashes++;
        i = quote + 1;
        if ((backslashes & 1) === 1) continue;
        inString = false;
        if (depth === 0) {
          this.finishCapture(chunk, i);
          return i;
        }
        continue;
      }
      const c = chunk[i]!;
      i++;
      // Whitespace, ',' and ':' are most of what is left; they are all below or between.
      if (c < 0x22) continue;
      if (c === 0x22) {
        inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          this.finishCapture(chunk, i);
          return i;
        }
      }
    }
    this.capInString = inString;
    this.capEscape = escape;
    this.capDepth = depth;
    return i;
  }

  private finishCapture(chunk: Uint8Array, end: number): void {
    const start = this.capStart;
    // Most values lie within one chunk: decode them in place, without a Buffer view each.
    const whole = this.capPieces.length === 0;
    let bytes: Buffer | undefined;
    if (!whole) {
      this.capPieces.push(chunk.subarray(0, end));
      bytes = Buffer.concat(this.capPieces);
    }
    this.capPieces = [];
    this.capStartChunk = undefined;
    let value: unknown;
    try {
      value = JSON.parse(
        bytes === undefined
          ? this.chunkBuffer.toString('utf8', start, end)
          : bytes.toString('utf8'),
      );
    } catch (error) {
      this.failInCapture(
        bytes ?? Buffer.from(chunk.buffer, chunk.byteOffset + start, end - start),
        error,
        true,
      );
    }
    this.out.push({
      name: this.capName,
      path: this.capPath,
      kind: this.capValueKind,
      value,
    });
    this.afterValue();
  }

  /**
   * A read value is malformed (JSON.parse refused it, or it never ended): run the validating
   * scanner over the slice to say where and why.
   */
  private failInCapture(bytes: Buffer, cause: unknown, complete: boolean): never {
    const located = locateSyntaxError(bytes, complete);
    if (located === undefined && !complete) {
      const position = this.position(this.chunkAbs + this.chunk.length);
      const message =
        this.capBytes > this.maxValueBytes
          ? `a single value is larger than ${this.maxValueBytes} bytes`
          : 'unexpected end of input (truncated JSON?)';
      throw new JsonSyntaxError(message, this.chunkAbs, position.line, position.column);
    }
    const offset = located?.offset ?? 0;
    const message =
      located?.message ?? (cause instanceof Error ? cause.message : 'malformed JSON value');
    const newlines = countNewlines(bytes, 0, offset);
    let line: number;
    let column: number;
    if (newlines > 0) {
      line = this.capLineAtStart() + newlines;
      const lastNewline = bytes.lastIndexOf(0x0a, offset - 1);
      column = bytes.toString('utf8', lastNewline + 1, offset).length + 1;
    } else {
      line = this.capLineAtStart();
      column = this.capColumnAtStart() + bytes.toString('utf8', 0, offset).length;
    }
    throw new JsonSyntaxError(message, this.capStartAbs + offset, line, column);
  }

  private capLineAtStart(): number {
    const startChunk = this.capStartChunk;
    const within =
      startChunk === undefined
        ? 0
        : countNewlines(startChunk, 0, this.capStartAbs - this.capStartChunkAbs);
    return this.capStartChunkLines + within + 1;
  }

  private capColumnAtStart(): number {
    const startChunk = this.capStartChunk;
    const local = this.capStartAbs - this.capStartChunkAbs;
    if (startChunk !== undefined) {
      const buffer = Buffer.from(startChunk.buffer, startChunk.byteOffset, startChunk.length);
      const lastNewline = local > 0 ? buffer.lastIndexOf(0x0a, local - 1) : -1;
      if (lastNewline !== -1) return buffer.toString('utf8', lastNewline + 1, local).length + 1;
    }
    return this.capStartAbs - this.capStartChunkLineStartAbs + 1;
  }

  // ---- errors ------------------------------------------------------------------------------

  private position(abs: number): { line: number; column: number } {
    const local = abs - this.chunkAbs;
    const chunk = this.chunk;
    if (local < 0 || local > chunk.length) {
      return { line: this.chunkLines + 1, column: abs - this.lineStartAbs + 1 };
    }
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const line = this.chunkLines + countNewlines(chunk, 0, local) + 1;
    const lastNewline = local > 0 ? buffer.lastIndexOf(0x0a, local - 1) : -1;
    const column =
      lastNewline === -1 && this.lineStartAbs < this.chunkAbs
        ? this.chunkAbs - this.lineStartAbs + buffer.toString('utf8', 0, local).length + 1
        : buffer.toString('utf8', lastNewline + 1, local).length + 1;
    return { line, column };
  }

  private fail(message: string, abs: number): never {
    const { line, column } = this.position(abs);
    throw new JsonSyntaxError(message, abs, line, column);
  }
}

/**
 * Validates `bytes` as one JSON document (or, when `complete` is false, as the start of one);
 * returns where the first error is, if any.
 */
export function locateSyntaxError(
  bytes: Uint8Array,
  complete = true,
): { offset: number; message: string } | undefined {
  const scanner = new JsonScanner(undefined);
  try {
    scanner.write(bytes);
    if (complete) scanner.end();
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, message: error.message };
    throw error;
  }
}
