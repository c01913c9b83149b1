export * from './brokers';
export * from './harness';
export * from './read-topic';
export * from './topics';
export * from './wait-for';
