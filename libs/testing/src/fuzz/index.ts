export * from './mutate-report';
