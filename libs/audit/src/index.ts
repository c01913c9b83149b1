export * from './lib/audit-log';
