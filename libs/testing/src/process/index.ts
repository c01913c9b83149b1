export * from './workspace-build';
export * from './service-process';
export * from './service-fleet';
export * from './free-port';
