export * from './kafka';
export * from './postgres';
export * from './process';
export * from './fakes';
export * from './fuzz';
export * from './compose';
export * from './metrics';
