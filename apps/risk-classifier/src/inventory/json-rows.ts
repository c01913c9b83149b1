import { type RawBuilder, sql } from 'kysely';

/**
 * Bulk statements take their rows as one JSON parameter: one statement per table per batch
 * with a plan of a few nodes, where a VALUES list binds, casts and plans every value. Large
 * documents travel as JSON strings (text columns, or jsonb by a cast): PostgreSQL reads them
 * faster than the same documents nested in the parameter.
 */
export function jsonRows(rows: readonly object[]): RawBuilder<unknown> {
  return sql`json_to_recordset(${JSON.stringify(rows)}::json)`;
}
