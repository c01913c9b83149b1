export * from './lib/create-database';
export * from './lib/errors';
export * from './lib/jsonb';
export * from './lib/logger';
export { MIGRATION_LOCK_SPACE } from './lib/migration-lock-adapter';
export * from './lib/migrations';
export { IN_MEMORY } from './lib/pglite/open-pglite';
export { PGliteDialect } from './lib/pglite/pglite-dialect';
export * from './lib/nest/service-database.providers';
