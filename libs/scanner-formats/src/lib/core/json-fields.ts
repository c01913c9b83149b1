import { ReportParseError } from './errors';
import { jsonPointer, type JsonPathSegment } from './json-pointer';
import { describeJsonType, isJsonObject, type JsonObject } from './json-value';
import type { FormatId } from './types';

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Typed access to one object of an untyped report. A field of the wrong type is a
 * ReportParseError at its JSON pointer; `null` and missing are the same (Go and Python tools
 * write `null` for empty lists); empty strings read as absent. Unknown fields are ignored.
 */
export class JsonFields {
  private constructor(
    readonly format: FormatId,
    readonly value: JsonObject,
    private readonly parent: JsonFields | undefined,
    private readonly segment: JsonPathSegment | undefined,
    private readonly basePath: readonly JsonPathSegment[],
  ) {}

  /** Reads `value` found at `path`; anything but an object is an error there. */
  static of(format: FormatId, value: unknown, path: readonly JsonPathSegment[]): JsonFields {
    if (!isJsonObject(value)) {
      const pointer = jsonPointer(path);
      throw new ReportParseError(format, `expected an object, found ${describeJsonType(value)}`, {
        pointer,
      });
    }
    return new JsonFields(format, value, undefined, undefined, path);
  }

  path(key?: JsonPathSegment): JsonPathSegment[] {
    const own = this.parent === undefined ? [...this.basePath] : this.parent.path(this.segment);
    if (key !== undefined) own.push(key);
    return own;
  }

  pointer(key?: JsonPathSegment): string {
    return jsonPointer(this.path(key));
  }

  private wrongType(key: JsonPathSegment, expected: string, found: unknown): never {
    const pointer = this.pointer(key);
    throw new ReportParseError(
      this.format,
      `expected ${expected}, found ${describeJsonType(found)}`,
      {
        pointer,
      },
    );
  }

  has(key: string): boolean {
    const value = this.value[key];
    return value !== undefined && value !== null;
  }

  raw(key: string): unknown {
    return this.value[key];
  }

  string(key: string): string | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return this.wrongType(key, 'a string', value);
    return value === '' ? undefined : value;
  }

  /** A string, or a number written as one (`"7.5"` and `7.5` are both read). */
  text(key: string): string | undefined {
    const value = this.value[key];
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return this.string(key);
  }

  /**
   * A string or number if there is one, else undefined, never an error: for property bags,
   * whose contents no schema fixes (SARIF `properties`).
   */
  looseText(key: string): string | undefined {
    const value = this.value[key];
    if (typeof value === 'string') return value === '' ? undefined : value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return undefined;
  }

  /** Strings of a list (or a lone string), skipping anything else: for property bags. */
  looseStrings(key: string): string[] {
    const value = this.value[key];
    if (typeof value === 'string') return value === '' ? [] : [value];
    if (!Array.isArray(value)) return [];
    return (value as unknown[]).filter(
      (item): item is string => typeof item === 'string' && item !== '',
    );
  }

  number(key: string): number | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return this.wrongType(key, 'a number', value);
    }
    return value;
  }

  /** A non-negative integer such as a line number; anything else is an error. */
  count(key: string): number | undefined {
    const value = this.number(key);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < 0) {
      const pointer = this.pointer(key);
      throw new ReportParseError(this.format, `expected a non-negative integer, found ${value}`, {
        pointer,
      });
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return this.wrongType(key, 'a boolean', value);
    return value;
  }

  object(key: string): JsonFields | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) return this.wrongType(key, 'an object', value);
    return new JsonFields(this.format, value, this, key, []);
  }

  array(key: string): unknown[] {
    const value = this.value[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.wrongType(key, 'an array', value);
    return value as unknown[];
  }

  objects(key: string): JsonFields[] {
    const list = this.array(key);
    if (list.length === 0) return [];
    const holder = new JsonFields(this.format, {}, this, key, []);
    const out: JsonFields[] = [];
    for (let index = 0; index < list.length; index++) {
      const item = list[index];
      if (item === null || item === undefined) continue;
      if (!isJsonObject(item)) return holder.wrongType(index, 'an object', item);
      out.push(new JsonFields(this.format, item, holder, index, []));
    }
    return out;
  }

  /**
   * A list of strings; empty strings and nulls are left out. The report's own array is returned
   * when it needs no cleaning (no copy on the hot path), so callers must not modify it.
   */
  strings(key: string): readonly string[] {
    const list = this.array(key);
    if (list.length === 0) return EMPTY;
    let clean = true;
    for (const item of list) {
      if (typeof item !== 'string' || item === '') {
        clean = false;
        break;
      }
    }
    if (clean) return list as string[];
    const out: string[] = [];
    for (let index = 0; index < list.length; index++) {
      const item = list[index];
      if (item === null || item === undefined || item === '') continue;
      if (typeof item !== 'string') {
        const holder = new JsonFields(this.format, {}, this, key, []);
        return holder.wrongType(index, 'a string', item);
      }
      out.push(item);
    }
    return out;
  }

  /** A string or a list of strings, as tools that changed their mind between versions write. */
  stringOrStrings(key: string): readonly string[] {
    const value = this.value[key];
    if (typeof value === 'string') return value === '' ? EMPTY : [value];
    return this.strings(key);
  }
}
