export * from './kafka-api-key-store';
export * from './key-use-reporter';
