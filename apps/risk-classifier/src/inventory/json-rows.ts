import { type RawBuilder, sql } from 'kysely';

/**
 * Bulk statements take their rows as one JSON parameter: one statement per table per batch (up
 * to the parameter limit of textParams) with a plan of a few nodes, where a VALUES list binds, casts and plans every value. Large
 * documents do not belong in it: PostgreSQL lexes every character of a JSON parameter, so they
 * travel as text parameters of their own (textParams in @hum/persistence).
 */
export function jsonRows(rows: readonly object[]): RawBuilder<unknown> {
  return sql`json_to_recordset(${JSON.stringify(rows)}::json)`;
}
