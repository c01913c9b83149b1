import { type ColumnType, type RawBuilder, sql } from 'kysely';

/**
 * A jsonb column holding `T`. Reads give `T` (both engines parse jsonb); writes must go
 * through {@link jsonb}, which the type enforces: node-postgres would send a JS array as a
 * PostgreSQL array literal, not JSON.
 */
export type Jsonb<T> = ColumnType<T, RawBuilder<T>, RawBuilder<T>>;

/** `value` as a jsonb parameter, e.g. `.values({ payload: jsonb(finding) })`. */
export function jsonb<T>(value: T): RawBuilder<T> {
  return sql<T>`cast(${JSON.stringify(value)} as jsonb)`;
}

/** JSON text of a `T`: what a {@link JsonText} column holds. */
export type JsonString<T> = string & { readonly __jsonOf?: T };

/**
 * A text column holding the JSON of `T`, for documents stored and read back whole and never
 * queried inside: PostgreSQL takes text as it is, where jsonb parses and rebuilds every
 * document on the way in (about 15 µs for a 3 kB finding, bench/classifier.bench.mjs).
 */
export type JsonText<T> = ColumnType<JsonString<T>, JsonString<T>, JsonString<T>>;

/** `value` as the JSON text a {@link JsonText} column takes. */
export function jsonText<T>(value: T): JsonString<T> {
  return JSON.stringify(value) as JsonString<T>;
}

/** The `T` a {@link JsonText} column holds. */
export function parseJsonText<T>(text: JsonString<T>): T {
  return JSON.parse(text) as T;
}
