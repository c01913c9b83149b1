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
