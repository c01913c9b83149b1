export * from './policy-change';
export * from './assess-change';
export * from './apply-change';
export * from './proposal-rules';
export * from './risk-acceptance-rules';
