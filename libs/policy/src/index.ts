export * from './lib/policy-snapshot';
export * from './lib/policy-follower';
export * from './lib/policy-topic';
export * from './lib/policy-metrics';
export * from './lib/proposals';
export * from './lib/decision';
export * from './lib/acceptances';
