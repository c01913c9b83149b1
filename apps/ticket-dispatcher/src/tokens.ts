export const LEDGER_DATABASE = Symbol('tickets.ledger-database');
export const LEDGER_DB = Symbol('tickets.ledger-db');
export const DISPATCHER_CLOCK = Symbol('tickets.clock');
export const DISPATCHER_CONFIG = Symbol('tickets.config');
export const WEBHOOK_SECRETS = Symbol('tickets.webhook-secrets');
