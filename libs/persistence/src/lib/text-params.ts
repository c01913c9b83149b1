import { type RawBuilder, sql } from 'kysely';

/**
 * At most this many values of {@link textParams} in one statement: PostgreSQL takes 65,535
 * parameters, and the statement has its own.
 */
export const MAX_TEXT_PARAMS = 30_000;

/**
 * `values` as `array[$1, $2, …]::text[]`, one bind parameter each, which PostgreSQL takes as it
 * is. Large documents (a finding, a classification, a stored event) travel best this way: in a
 * JSON parameter PostgreSQL lexes and unescapes every character of them (json_to_recordset,
 * about 16 µs of backend CPU per 1.2 kB document on the 2-core machine, against about 6 µs as
 * parameters; docs/performance.md), and the client escapes them first. A bulk statement zips
 * them with its other columns: `rows from (json_to_recordset(…) as (…), unnest(textParams(…)))`.
 * Callers keep a statement under {@link MAX_TEXT_PARAMS} values.
 */
export function textParams(values: readonly string[]): RawBuilder<string[]> {
  if (values.length > MAX_TEXT_PARAMS) {
    throw new RangeError(
      `${values.length} text parameters in one statement (at most ${MAX_TEXT_PARAMS})`,
    );
  }
  return values.length === 0
    ? sql<string[]>`array[]::text[]`
    : sql<string[]>`array[${sql.join(values)}]::text[]`;
}
