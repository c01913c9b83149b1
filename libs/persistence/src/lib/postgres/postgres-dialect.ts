import { type DialectAdapter, PostgresDialect } from 'kysely';
import { SchemaScopedPostgresAdapter } from '../migration-lock-adapter';

/** kysely's Postgres dialect with migration locks scoped to the service's schema. */
export class HumPostgresDialect extends PostgresDialect {
  override createAdapter(): DialectAdapter {
    return new SchemaScopedPostgresAdapter();
  }
}
