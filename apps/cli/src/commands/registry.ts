import type { Command } from '../command';

/** A command as `hum --help` lists it; its module (and the libs behind it) loads on use. */
export interface CommandEntry {
  path: readonly string[];
  summary: string;
  load(): Command;
}

/*
 * Loaded with require() on purpose: the Kafka commands pull in kafkajs, the observability and
 * persistence stacks, which would more than double the start-up of `hum parse` or `hum --help`.
 * (A dynamic import() would leave the CommonJS build, and jest, for ESM loading.)
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['parse'],
    summary: 'print the canonical findings of a report as JSON lines',
    load: () =>
      (require('./parse/parse.command') as typeof import('./parse/parse.command')).parseCommand,
  },
  {
    path: ['publish'],
    summary: 'publish a report via the ingest gateway or straight to Kafka',
    load: () =>
      (require('./publish/publish.command') as typeof import('./publish/publish.command'))
        .publishCommand,
  },
  {
    path: ['dlq', 'replay'],
    summary: 'replay the dead letters of a topic back to it, once',
    load: () =>
      (require('./dlq/dlq-replay.command') as typeof import('./dlq/dlq-replay.command'))
        .dlqReplayCommand,
  },
  {
    path: ['keys', 'create'],
    summary: 'create a pipeline API key in the key file the gateway reads',
    load: () =>
      (require('./keys/keys.commands') as typeof import('./keys/keys.commands')).keysCreateCommand,
  },
  {
    path: ['keys', 'list'],
    summary: 'list the keys of a key file (never their hashes)',
    load: () =>
      (require('./keys/keys.commands') as typeof import('./keys/keys.commands')).keysListCommand,
  },
  {
    path: ['keys', 'revoke'],
    summary: 'revoke a key',
    load: () =>
      (require('./keys/keys.commands') as typeof import('./keys/keys.commands')).keysRevokeCommand,
  },
  {
    path: ['intel', 'refresh'],
    summary: 'load newer KEV / EPSS threat intelligence into the risk classifier',
    load: () =>
      (require('./intel/intel-refresh.command') as typeof import('./intel/intel-refresh.command'))
        .intelRefreshCommand,
  },
  {
    path: ['audit', 'verify'],
    summary: 'verify an audit hash chain and name its first broken entry',
    load: () =>
      (require('./audit/audit-verify.command') as typeof import('./audit/audit-verify.command'))
        .auditVerifyCommand,
  },
];
