export * from './oidc-verifier';
