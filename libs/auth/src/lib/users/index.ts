export * from './password';
export * from './session-token';
export * from './local-users';
