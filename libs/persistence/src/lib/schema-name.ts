import { PermanentError } from '@hum/common';

// Lower-case identifiers need no quoting anywhere (search_path, psql, dashboards), and
// PostgreSQL reserves the pg_ prefix.
const SCHEMA_NAME = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new PermanentError(
      `invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ ` +
        '(at most 63, not starting with a digit or pg_)',
    );
  }
}
