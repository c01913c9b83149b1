export * from './lib/correlation';
export * from './lib/logger';
export * from './lib/nest-logger';
export * from './lib/metrics';
export * from './lib/health';
export * from './lib/ops-token.guard';
export * from './lib/ops.module';
