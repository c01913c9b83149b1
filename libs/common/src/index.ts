export * from './lib/clock';
export * from './lib/errors';
export * from './lib/retry';
export * from './lib/token-bucket';
