export * from './risk-acceptance-book';
export * from './risk-acceptance-follower';
