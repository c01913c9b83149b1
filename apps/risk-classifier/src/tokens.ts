export const INVENTORY_DB = Symbol('classifier.inventory-db');
export const INVENTORY_DATABASE = Symbol('classifier.inventory-database');
export const BREAKER_POLICY = Symbol('classifier.breaker-policy');
export const CLASSIFIER_CLOCK = Symbol('classifier.clock');
export const POLICY_FOLLOWER = Symbol('classifier.policy-follower');
export const RISK_ACCEPTANCES = Symbol('classifier.risk-acceptances');
