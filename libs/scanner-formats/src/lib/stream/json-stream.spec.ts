import { ReportParseError } from '../core/errors';
import { thrownReportError } from '../../testing/parser-spec';
import {
  parseJsonText,
  readJsonStream,
  type JsonStreamItem,
  type JsonStreamSpec,
} from './json-stream';

/** A source that cuts `text` into chunks of the given sizes (cycling), as a network would. */
function chunked(text: string | Buffer, sizes: readonly number[]) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return {
    async *chunks() {
      let offset = 0;
      let step = 0;
      while (offset < bytes.length) {
        const size = Math.max(1, sizes[step % sizes.length]!);
        yield bytes.subarray(offset, offset + size);
        offset += size;
        step++;
      }
    },
  };
}

async function collect<R extends string, M extends string = never>(
  source: ReturnType<typeof chunked>,
  spec: Omit<JsonStreamSpec<R, M>, 'format'>,
): Promise<JsonStreamItem<R | M>[]> {
  const items: JsonStreamItem<R | M>[] = [];
  for await (const item of readJsonStream(source, { format: 'sarif', ...spec })) items.push(item);
  return items;
}

async function failure(
  text: string,
  sizes: readonly number[] = [1 << 20],
): Promise<ReportParseError> {
  try {
    await collect(chunked(text, sizes), { read: { x: 'a.#' } });
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error('expected a ReportParseError');
}

describe('readJsonStream', () => {
  const doc = {
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Tool "quoted" \\ back', rules: [{ id: 'r1' }] } },
        results: [
          { ruleId: 'r1', message: { text: 'héllo wörld — ünïcödé 😀 {not [a brace' } },
          { ruleId: 'r2', message: { text: 'line\nbreak \u0001 \\" tricky' } },
        ],
      },
      { tool: { driver: { name: 'second' } }, results: [] },
    ],
  };
  const text = JSON.stringify(doc, null, 2);
  const spec = {
    read: { tool: 'runs.#.tool', result: 'runs.#.results.#', version: 'version' },
  } as const;

  it('yields values at the given paths with their index paths, in document order', async () => {
    const items = await collect(chunked(text, [1 << 20]), spec);
    expect(items.map((i) => [i.name, i.path])).toEqual([
      ['version', ['version']],
      ['tool', ['runs', 0, 'tool']],
      ['result', ['runs', 0, 'results', 0]],
      ['result', ['runs', 0, 'results', 1]],
      ['tool', ['runs', 1, 'tool']],
    ]);
    expect(items[2]!.value).toEqual(doc.runs[0]!.results[0]);
    expect(items[3]!.value).toEqual(doc.runs[0]!.results[1]);
    expect(items[1]!.value).toEqual(doc.runs[0]!.tool);
  });

  it('gives the same values for every way of cutting the bytes (strings, escapes, UTF-8)', async () => {
    const whole = await collect(chunked(text, [1 << 20]), spec);
    for (const sizes of [[1], [2], [3], [7, 1, 2], [13], [64]]) {
      const parts = await collect(chunked(text, sizes), spec);
      expect(parts).toEqual(whole);
    }
  });

  it('splits a multi-byte character between chunks without corrupting it', async () => {
    const json = JSON.stringify({ a: ['😀€ü'], k: '€' });
    const bytes = Buffer.from(json);
    // Cut inside the 4-byte emoji and inside the 3-byte euro sign.
    const emojiAt = bytes.indexOf(Buffer.from('😀'));
    const items = await collect(chunked(bytes, [emojiAt + 2, 3, 1, 100]), {
      read: { x: 'a.#', k: 'k' },
    });
    expect(items.map((i) => i.value)).toEqual(['😀€ü', '€']);
  });

  it('decodes escaped keys and matches them against patterns', async () => {
    const items = await collect(chunked('{"a\\u0062c": {"x\\"y": [1, 2]}}', [3]), {
      read: { v: 'abc.x"y.#' },
    });
    expect(items.map((i) => i.value)).toEqual([1, 2]);
  });

  it('reads scalars at the root and at the end of the input', async () => {
    expect(
      (await collect(chunked('  42  ', [1]), { read: { v: '' } })).map((i) => i.value),
    ).toEqual([42]);
    expect(
      (await collect(chunked('-1.5e3', [2]), { read: { v: '' } })).map((i) => i.value),
    ).toEqual([-1500]);
    expect((await collect(chunked('null', [1]), { read: { v: 'a' } })).length).toBe(0);
  });

  it('distinguishes # (array index) from * (any key or index)', async () => {
    const json = JSON.stringify({ list: [{ Name: 'a' }], obj: { OS: { Name: 'b' } } });
    const hash = await collect(chunked(json, [5]), { read: { n: '*.#.Name' } });
    const star = await collect(chunked(json, [5]), { read: { n: '*.*.Name' } });
    expect(hash.map((i) => i.value)).toEqual(['a']);
    expect(star.map((i) => i.value)).toEqual(['a', 'b']);
  });

  it('marks paths with their kind without reading them', async () => {
    const items = await collect(chunked('{"runs": [], "x": {"runs": 1}}', [4]), {
      read: {},
      mark: { runs: 'runs' },
    });
    expect(items).toEqual([{ name: 'runs', path: ['runs'], kind: 'array', value: undefined }]);
  });

  it('reports a type outside `expect` with the JSON pointer', async () => {
    const error = await (async () => {
      try {
        await collect(chunked('{\n  "Results": "oops"\n}', [3]), {
          read: { v: 'Results.#.Vulnerabilities.#' },
          expect: { Results: ['array', 'null'] },
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ReportParseError);
    const parseError = error as ReportParseError;
    expect(parseError.location.pointer).toBe('/Results');
    expect(parseError.location.line).toBe(2);
    expect(parseError.message).toMatch(/expected array or null, found string/);
  });

  it('reports truncation with the line and column of the end', async () => {
    const error = await failure('{\n  "a": [\n    {"b": 1},\n    {"b": 2', [4]);
    expect(error.message).toMatch(/unexpected end of input/);
    expect(error.location.line).toBe(4);
    expect(error.location.column).toBe(12);
  });

  it('reports a syntax error inside a read value at its own line and column', async () => {
    const error = await failure('{"a": [\n  {"ok": true},\n  {"bad": tru}\n]}', [5]);
    expect(error.location.line).toBe(3);
    expect(error.location.column).toBe(14);
    expect(error.message).toMatch(/invalid literal/);
  });

  it('reports a syntax error outside read values (skipped parts are validated too)', async () => {
    const error = await failure('{"skip": {"x": [1, 2,, 3]}, "a": []}', [3]);
    expect(error.location).toEqual({ line: 1, column: 22 });
    expect(error.message).toMatch(/expected a value, found ','/);
  });

  it.each([
    ['', /empty/],
    ['{"a": [1] } x', /after the end of the document/],
    ['{"a": "tab\there"}', /control character/],
    ['{"a": "\\q"}', /invalid escape/],
    ['{"a": 01}', /leading zero/],
    ['{"a" 1}', /expected ':'/],
    ['{"a": [1 2]}', /./],
    ['[1,]', /expected a value/],
  ])('rejects %j', async (input, message) => {
    const error = await failure(input, [2]);
    expect(error.message).toMatch(message);
    expect(error.location.line).toBeGreaterThanOrEqual(1);
  });

  it('stops on a value bigger than maxValueBytes instead of buffering the rest of the input', async () => {
    const big = JSON.stringify({ a: [{ s: 'x'.repeat(5000) }] });
    await expect(
      (async () => {
        for await (const _ of readJsonStream(chunked(big, [100]), {
          format: 'trivy-json',
          read: { v: 'a.#' },
          maxValueBytes: 1000,
        })) {
          // drain
        }
      })(),
    ).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('finds the real error when a bracket mismatch would swallow the rest of the input', async () => {
    // The first element never closes: the reader must not treat the rest as part of it silently.
    const error = await failure('{"a": [{"x": [1, 2}, {"y": 3}]}', [4]);
    expect(error.message).toMatch(/expected ',' or '\]', found '\}'/);
    expect(error.location).toEqual({ line: 1, column: 19 });
  });

  it('skips a UTF-8 byte-order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": [7]}')]);
    const items = await collect(chunked(bytes, [2]), { read: { v: 'a.#' } });
    expect(items.map((i) => i.value)).toEqual([7]);
  });
});

describe('readJsonStream against JSON.parse on random documents', () => {
  // Deterministic generator (mulberry32) so a failure can be reproduced from the seed.
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const ALPHABET = [
    'a',
    'Z',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\t',
    '\u0001',
    'é',
    '€',
    '😀',
    '{',
    ']',
    ',',
    ':',
  ];

  function randomString(next: () => number): string {
    const length = Math.floor(next() * 12);
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
    return out;
  }

  function randomValue(next: () => number, depth: number): unknown {
    const pick = next();
    if (depth > 4 || pick < 0.35) {
      const scalar = next();
      if (scalar < 0.3) return randomString(next);
      if (scalar < 0.5) return Math.floor(next() * 2000) - 1000;
      if (scalar < 0.65) return (next() - 0.5) * 1e6;
      if (scalar < 0.75) return next() < 0.5;
      if (scalar < 0.85) return null;
      return next() * 1e-8;
    }
    if (pick < 0.65) {
      return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
    }
    const obj: Record<string, unknown> = {};
    const keys = Math.floor(next() * 5);
    for (let i = 0; i < keys; i++) obj[randomString(next)] = randomValue(next, depth + 1);
    return obj;
  }

  /** What the reader should yield for pattern `*.#`: every element of an array at depth 1. */
  function expected(doc: unknown): unknown[] {
    if (doc === null || typeof doc !== 'object') return [];
    const out: unknown[] = [];
    for (const child of Object.values(doc as Record<string, unknown>)) {
      if (Array.isArray(child)) out.push(...(child as unknown[]));
    }
    return out;
  }

  it('reads the same values as JSON.parse for 300 random documents and random chunkings', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const doc = randomValue(next, 0);
      const text = JSON.stringify(doc, null, next() < 0.5 ? 0 : 2);
      const sizes = [1 + Math.floor(next() * 9), 1 + Math.floor(next() * 40)];
      let items: JsonStreamItem<string>[];
      try {
        items = await collect(chunked(text, sizes), { read: { v: '*.#', root: '' } });
      } catch (error) {
        throw new Error(`seed ${seed} sizes ${sizes.join(',')}: ${String(error)}\n${text}`);
      }
      const rootItems = items.filter((i) => i.name === 'root');
      // A pattern below a read value is not looked at: the root read wins over `*.#`.
      expect(rootItems.map((i) => i.value)).toEqual([JSON.parse(text)]);
      let partial: JsonStreamItem<string>[];
      try {
        partial = await collect(chunked(text, sizes), { read: { v: '*.#' } });
      } catch (error) {
        throw new Error(`seed ${seed} sizes ${sizes.join(',')}: ${String(error)}\n${text}`);
      }
      expect(partial.map((i) => i.value)).toEqual(expected(JSON.parse(text)));
    }
  });

  it('rejects every random truncation of a valid document that JSON.parse rejects', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const next = random(seed * 7919);
      const text = JSON.stringify({
        a: [randomValue(next, 1), randomValue(next, 1)],
        b: randomString(next),
      });
      const cut = text.slice(0, Math.floor(next() * text.length));
      let parsed = true;
      try {
        JSON.parse(cut);
      } catch {
        parsed = false;
      }
      let streamed = true;
      try {
        await collect(chunked(cut, [3]), { read: { v: 'a.#' } });
      } catch (error) {
        expect(error).toBeInstanceOf(ReportParseError);
        streamed = false;
      }
      expect(streamed).toBe(parsed);
    }
  });
});

describe('parseJsonText', () => {
  const thrown = (text: string): ReportParseError =>
    thrownReportError(() => parseJsonText(text, 'checkov-json'));

  it('parses a document', () => {
    expect(parseJsonText('{"a":[1]}', 'checkov-json')).toEqual({ a: [1] });
  });

  it('gives the line and column of a syntax error without quoting the report', () => {
    const error = thrown('{\n  "a": 1,\n  "b": secret-value\n}');
    expect(error.format).toBe('checkov-json');
    expect(error.message).toMatch(/^malformed JSON: /);
    expect(error.message).not.toContain('secret-value');
    expect(error.location).toEqual({ line: 3, column: 8 });
  });

  it('places a bad literal and a missing comma where they are', () => {
    expect(thrown('{\n  "a": 1,\n  "b": tru\n}').location).toEqual({ line: 3, column: 11 });
    expect(thrown('[1,\n 2 3]').location).toEqual({ line: 2, column: 4 });
  });

  it('places a truncated document at its end', () => {
    const error = thrown('{\n "a": [1,\n');
    expect(error.message).toMatch(/truncated/);
    expect(error.location).toEqual({ line: 3, column: 1 });
  });

  it('rejects an empty report', () => {
    expect(thrown(' \n').message).toBe('malformed JSON: the report is empty');
  });
});
