export * from './test-database';
export * from './migrated-test-database';
