// Lenient reading of untyped report JSON, for formats whose producers disagree about types
// (dependency reports written by many tool versions): text is trimmed, a field of an unexpected
// type counts as absent, and only what a finding cannot do without is an error at its pointer.
// Formats with a stable schema read through JsonFields (strict) or a zod schema instead.
import { ReportParseError } from './errors';
import { pointerTo } from './json-pointer';
import type { FormatId } from './types';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `an array`, `a string`, `null`: the JSON type of a value, for error messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function expectObject(format: FormatId, value: unknown, pointer: string): JsonObject {
  if (isJsonObject(value)) return value;
  throw new ReportParseError(format, `expected an object, found ${describeJsonType(value)}`, {
    pointer,
  });
}

export function expectArray(format: FormatId, value: unknown, pointer: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ReportParseError(format, `expected an array, found ${describeJsonType(value)}`, {
    pointer,
  });
}

/** Absent and `null` mean "none"; anything else must be an array. */
export function optionalArray(format: FormatId, value: unknown, pointer: string): unknown[] {
  return value === undefined || value === null ? [] : expectArray(format, value, pointer);
}

/** A non-empty string field the finding cannot do without. */
export function requiredText(
  format: FormatId,
  object: JsonObject,
  key: string,
  pointer: string,
): string {
  const value = object[key];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new ReportParseError(
    format,
    value === undefined
      ? `missing required field "${key}"`
      : `"${key}" must be a non-empty string, found ${describeJsonType(value)}`,
    { pointer: pointerTo(pointer, key) },
  );
}

/** Optional text: anything but a non-empty string counts as absent. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The non-empty strings of an array; other entries and non-arrays are ignored. */
export function textList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    const entry = text(item);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}
