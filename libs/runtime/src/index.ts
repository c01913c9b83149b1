export * from './lib/problem';
export * from './lib/problem-details.filter';
export * from './lib/service-env';
export * from './lib/run-service';
