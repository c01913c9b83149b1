import { z } from 'zod';
import { parseDuration } from './duration';
import { redactUrl, scrub } from './redact-url';
import { Secret } from './secret';

/**
 * Field helpers for schemas whose keys are environment variable names. Each takes the raw
 * string and yields a typed value, or an issue worded for the person who set the variable:
 * `expected an integer between 1 and 65535, got "http"`. Chain `.optional()` or
 * `.default(value)` (a value of the output type) for variables that may be left unset.
 */
export type EnvField<T> = z.ZodPipe<z.ZodString, z.ZodTransform<T, string>>;

export const REQUIRED_MESSAGE = 'required';

/** The part of an issue that describes the expectation without the offending value. */
export interface ExpectationParams {
  expected: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const valid = <T>(value: T): Parsed<T> => ({ ok: true, value });
const invalid = (expected: string): Parsed<never> => ({ ok: false, expected });

const SHOWN_VALUE_LIMIT = 80;

/** The offending value as it will be quoted in an error, credentials in URLs masked. */
export function quoteValue(raw: string): string {
  const shown = redactUrl(raw);
  const clipped =
    shown.length > SHOWN_VALUE_LIMIT ? `${shown.slice(0, SHOWN_VALUE_LIMIT)}...` : shown;
  return JSON.stringify(clipped);
}

function envField<T>(parse: (raw: string) => Parsed<T>): EnvField<T> {
  return z
    .string({ error: (issue) => (issue.input === undefined ? REQUIRED_MESSAGE : 'expected text') })
    .transform((raw, ctx) => {
      const parsed = parse(raw);
      if (parsed.ok) return parsed.value;
      const params: ExpectationParams = { expected: parsed.expected };
      ctx.issues.push({
        code: 'custom',
        message: `expected ${parsed.expected}, got ${quoteValue(raw)}`,
        params,
        input: raw,
      });
      return z.NEVER;
    });
}

export interface StringOptions {
  minLength?: number;
  /** The whole value must match; `description` names the shape in the error. */
  pattern?: RegExp;
  description?: string;
}

export function envString(options: StringOptions = {}): EnvField<string> {
  const { minLength = 1, pattern, description } = options;
  const expected = description ?? (pattern ? `text matching ${String(pattern)}` : 'text');
  return envField((raw) => {
    if (raw.length < minLength) return invalid(`${expected} of at least ${minLength} characters`);
    if (pattern !== undefined && !pattern.test(raw)) return invalid(expected);
    return valid(raw);
  });
}

export interface IntOptions {
  min?: number;
  max?: number;
}

function describeIntRange({ min, max }: IntOptions): string {
  if (min !== undefined && max !== undefined) return `an integer between ${min} and ${max}`;
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return 'an integer';
}

export function envInt(options: IntOptions = {}): EnvField<number> {
  const expected = describeIntRange(options);
  return envField((raw) => {
    if (!/^[+-]?\d+$/.test(raw.trim())) return invalid(expected);
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) return invalid(expected);
    if (options.min !== undefined && value < options.min) return invalid(expected);
    if (options.max !== undefined && value > options.max) return invalid(expected);
    return valid(value);
  });
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** Only true/false, 1/0 and yes/no (any case): a typo like `ture` must not read as false. */
export function envBool(): EnvField<boolean> {
  return envField((raw) => {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return valid(true);
    if (FALSE_WORDS.has(word)) return valid(false);
    return invalid('one of true, false, 1, 0, yes, no');
  });
}

export function envEnum<const V extends readonly [string, ...string[]]>(
  values: V,
): EnvField<V[number]> {
  const allowed: ReadonlySet<string> = new Set(values);
  const isAllowed = (raw: string): raw is V[number] => allowed.has(raw);
  return envField((raw) => (isAllowed(raw) ? valid(raw) : invalid(`one of ${values.join(', ')}`)));
}

export interface UrlOptions {
  /** Accepted schemes, with or without the trailing colon: `['https']`, `['postgres:']`. */
  protocols?: readonly string[];
}

/** A URL, kept as written (no normalisation), so joining paths onto it behaves as expected. */
export function envUrl(options: UrlOptions = {}): EnvField<string> {
  const protocols = options.protocols?.map((p) => (p.endsWith(':') ? p : `${p}:`));
  const expected =
    protocols === undefined
      ? 'a URL'
      : `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return envField((raw) => {
    if (!URL.canParse(raw)) return invalid(expected);
    const { protocol } = new URL(raw);
    if (protocols !== undefined && !protocols.includes(protocol)) return invalid(expected);
    return valid(raw);
  });
}

export interface DurationOptions {
  minMs?: number;
  maxMs?: number;
}

/** `30s`, `5m`, `1h`, `250ms`, `2d` or a bare number of milliseconds; yields milliseconds. */
export function envDuration(options: DurationOptions = {}): EnvField<number> {
  const { minMs, maxMs } = options;
  let expected = 'a duration like 30s, 5m, 1h or a number of milliseconds';
  if (minMs !== undefined) expected += `, at least ${minMs} ms`;
  if (maxMs !== undefined) expected += `, at most ${maxMs} ms`;
  return envField((raw) => {
    const ms = parseDuration(raw);
    if (ms === undefined) return invalid(expected);
    if ((minMs !== undefined && ms < minMs) || (maxMs !== undefined && ms > maxMs)) {
      return invalid(expected);
    }
    return valid(ms);
  });
}

/**
 * Comma-separated values, trimmed, empty entries dropped. With an item field
 * (`envList(envUrl())`) every entry is checked and a bad one is named by position.
 */
export function envList(): EnvField<string[]>;
export function envList<T>(item: z.ZodType<T, string>): EnvField<T[]>;
export function envList<T>(item?: z.ZodType<T, string>): EnvField<T[] | string[]> {
  return z
    .string({ error: (issue) => (issue.input === undefined ? REQUIRED_MESSAGE : 'expected text') })
    .transform((raw, ctx) => {
      const entries = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0);
      if (item === undefined) return entries;
      const values: T[] = [];
      entries.forEach((entry, index) => {
        const result = item.safeParse(entry);
        if (result.success) {
          values.push(result.data);
          return;
        }
        for (const issue of result.error.issues) {
          ctx.issues.push({
            code: 'custom',
            message: `item ${index + 1}: ${issue.message}`,
            input: raw,
          });
        }
      });
      return values;
    });
}

/**
 * A credential: the value is wrapped in {@link Secret} so it prints as `[redacted]`. An inner
 * field (`secret(envUrl())`) validates it first; its complaint is reported without the value.
 */
export function secret(): EnvField<Secret>;
export function secret<T>(inner: z.ZodType<T, string>): EnvField<Secret<T>>;
export function secret<T>(inner?: z.ZodType<T, string>): EnvField<Secret<T> | Secret> {
  return z
    .string({ error: (issue) => (issue.input === undefined ? REQUIRED_MESSAGE : 'expected text') })
    .transform((raw, ctx) => {
      if (inner === undefined) return new Secret(raw);
      const result = inner.safeParse(raw);
      if (result.success) return new Secret(result.data);
      for (const issue of result.error.issues) {
        ctx.issues.push({
          code: 'custom',
          message: describeWithoutValue(issue, raw),
          input: undefined,
        });
      }
      return z.NEVER;
    });
}

function describeWithoutValue(issue: z.core.$ZodIssue, raw: string): string {
  const params: unknown = issue.code === 'custom' ? issue.params : undefined;
  // Our own fields say what they expected apart from the value; anything else is scrubbed.
  if (isExpectation(params)) return `expected ${params.expected} (value hidden: secret)`;
  return scrub(issue.message, raw);
}

function isExpectation(value: unknown): value is ExpectationParams {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ExpectationParams>).expected === 'string'
  );
}
