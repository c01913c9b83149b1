import { ReportParseError } from '../core/errors';
import { jsonPointer, type JsonPathSegment } from '../core/json-pointer';
import type { FormatId } from '../core/types';
import { JsonScanner, JsonShapeError, JsonSyntaxError } from './json-scanner';
import { compilePatterns, type JsonKind, type PatternList } from './path-pattern';

/**
 * What to read from a JSON document as it streams past.
 *
 * Patterns are dot-separated path segments: an object key, `*` (any key or array index) or `#`
 * (any array index only); `''` is the root. A name may list several patterns.
 */
export interface JsonStreamSpec<R extends string, M extends string = never> {
  /** Whose errors these are: the format named in every ReportParseError. */
  format: FormatId | 'unknown';
  /**
   * Values to read, by name. Each value at a matching path is cut out of the byte stream and
   * parsed with JSON.parse on its own, so memory holds one value at a time. Patterns below a
   * read value are not looked at.
   */
  read: Readonly<Record<R, PatternList>>;
  /** Paths whose presence and JSON type are reported without reading the value. */
  mark?: Readonly<Record<M, PatternList>>;
  /** Allowed JSON types at paths; any other type stops the stream with a ReportParseError. */
  expect?: Readonly<Record<string, JsonKind | readonly JsonKind[]>>;
  /** Largest single value read (bytes); bigger stops with an error. Default 64 MiB. */
  maxValueBytes?: number;
}

/** One value found at a path, in document order. */
export interface JsonStreamItem<N extends string> {
  name: N;
  /** Index path of the value, e.g. `['runs', 0, 'results', 12]`. */
  path: JsonPathSegment[];
  kind: JsonKind;
  /** The parsed value; `undefined` for `mark` items. */
  value: unknown;
}

/** Anything that yields the report's bytes from the start, e.g. `ReportSource`. */
export interface ByteSource {
  chunks(): AsyncIterable<Uint8Array | string>;
}

function asBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * Streams a JSON document and yields the values at the given paths, in document order, each
 * parsed on its own. The whole document is checked as it passes: a syntax error anywhere
 * (including truncation) is a ReportParseError with line and column; a type outside `expect`
 * is one with the JSON pointer. Memory holds one read value plus one chunk.
 *
 * ```ts
 * for await (const item of readJsonStream(source, {
 *   format: 'sarif',
 *   read: { tool: 'runs.#.tool', result: 'runs.#.results.#' },
 *   expect: { runs: 'array' },
 * })) {
 *   if (item.name === 'tool') ... else ...
 * }
 * ```
 */
export async function* readJsonStream<R extends string, M extends string = never>(
  source: ByteSource,
  spec: JsonStreamSpec<R, M>,
): AsyncGenerator<JsonStreamItem<R | M>> {
  for await (const batch of readJsonBatches(source, spec)) yield* batch;
}

/**
 * readJsonStream a chunk at a time: the values found in one chunk of input, in document order.
 * A consumer that handles values synchronously pays for one asynchronous step per chunk
 * instead of one per value.
 */
export async function* readJsonBatches<R extends string, M extends string = never>(
  source: ByteSource,
  spec: JsonStreamSpec<R, M>,
): AsyncGenerator<readonly JsonStreamItem<R | M>[]> {
  const patterns = compilePatterns({
    read: spec.read,
    ...(spec.mark ? { mark: spec.mark } : {}),
    ...(spec.expect ? { expect: spec.expect } : {}),
  });
  const scanner = new JsonScanner(patterns, spec.maxValueBytes);
  const out = scanner.out;
  // The scanner's names are the spec's names: it delivers nothing else.
  const take = (): JsonStreamItem<R | M>[] => out.splice(0) as unknown as JsonStreamItem<R | M>[];
  try {
    for await (const chunk of source.chunks()) {
      scanner.write(asBytes(chunk));
      if (out.length > 0) yield take();
    }
    scanner.end();
  } catch (error) {
    throw toReportError(spec.format, error);
  }
  if (out.length > 0) yield take();
}

function toReportError(format: FormatId | 'unknown', error: unknown): unknown {
  if (error instanceof JsonSyntaxError) {
    return new ReportParseError(
      format,
      `malformed JSON: ${error.message}`,
      { line: error.line, column: error.column },
      { cause: error },
    );
  }
  if (error instanceof JsonShapeError) {
    const pointer = jsonPointer(error.path);
    return new ReportParseError(
      format,
      error.message,
      { pointer, line: error.line, column: error.column },
      { cause: error },
    );
  }
  return error;
}

/**
 * JSON.parse for formats read in one piece, with the stream reader's error: a ReportParseError
 * with the line and column of the first syntax error.
 */
export function parseJsonText(text: string, format: FormatId | 'unknown'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const bytes = Buffer.from(text, 'utf8');
    const scanner = new JsonScanner(undefined);
    try {
      scanner.write(bytes);
      scanner.end();
    } catch (located) {
      throw toReportError(format, located);
    }
    // The scanner accepts what JSON.parse refused (should not happen): report it without a place.
    throw new ReportParseError(
      format,
      `malformed JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}
