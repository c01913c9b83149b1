export * from './lib/publish-report';
export * from './lib/scan-request';
