import type { z } from 'zod';
import { ApiKeyStateV1, ApiKeyUsedV1, RiskAcceptanceV1 } from './access';
import { AuditEntryV1 } from './audit';
import { IntelUpdatedV1 } from './intel';
import { ClassifiedFindingV1 } from './classified';
import { FindingV1 } from './finding';
import { PolicyStateV1 } from './policy';
import { RemediationEventV1 } from './remediation';
import { FindingResolvedV1 } from './resolved';
import { ScanCompletedV1 } from './scan';
import { TicketEventV1 } from './ticket';

export const SERVICES = [
  'ingest-gateway',
  'risk-classifier',
  'ticket-dispatcher',
  'auto-patcher',
  'policy-admin',
  'cli',
  'pipeline',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface TopicDefinition<S extends z.ZodType = z.ZodType> {
  /** Logical name; the physical topic is `<prefix><name>` (prefix empty in production). */
  readonly name: string;
  /** What the message key is, in words, for docs and reviewers. */
  readonly key: string;
  /** CloudEvents `type` of the current version; older versions would be listed for upcasting. */
  readonly eventType: string;
  readonly schemaName: string;
  readonly schema: S;
  readonly description: string;
  readonly partitions: number;
  readonly compacted: boolean;
  readonly retentionMs?: number;
  readonly writers: readonly ServiceName[];
  readonly readers: readonly ServiceName[];
}

function defineTopic<S extends z.ZodType>(definition: TopicDefinition<S>): TopicDefinition<S> {
  return Object.freeze(definition);
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** The topic catalogue of the brief. Every producer and consumer resolves topics from here. */
export const TOPICS = {
  findingsRaw: defineTopic({
    name: 'findings.raw',
    key: 'fingerprint',
    eventType: 'dev.hum.finding.raw.v1',
    schemaName: 'finding.v1',
    schema: FindingV1,
    description: 'Canonical findings as published by a scan, all of a scan in one transaction.',
    partitions: 6,
    compacted: false,
    retentionMs: WEEK_MS,
    writers: ['ingest-gateway', 'cli', 'pipeline'],
    readers: ['risk-classifier'],
  }),
  scansCompleted: defineTopic({
    name: 'scans.completed',
    key: 'asset+tool scope',
    eventType: 'dev.hum.scan.completed.v1',
    schemaName: 'scan-completed.v1',
    schema: ScanCompletedV1,
    description:
      'End of a scan: its scope and distinct-fingerprint count, for resolution on evidence.',
    partitions: 3,
    compacted: false,
    retentionMs: WEEK_MS,
    writers: ['ingest-gateway', 'cli', 'pipeline'],
    readers: ['risk-classifier'],
  }),
  findingsClassified: defineTopic({
    name: 'findings.classified',
    key: 'fingerprint',
    eventType: 'dev.hum.finding.classified.v1',
    schemaName: 'classified-finding.v1',
    schema: ClassifiedFindingV1,
    description: 'A finding with its risk tier and the factors behind it, on each state change.',
    partitions: 6,
    compacted: false,
    retentionMs: 4 * WEEK_MS,
    writers: ['risk-classifier'],
    readers: ['ticket-dispatcher', 'auto-patcher', 'policy-admin'],
  }),
  findingsResolved: defineTopic({
    name: 'findings.resolved',
    key: 'fingerprint',
    eventType: 'dev.hum.finding.resolved.v1',
    schemaName: 'finding-resolved.v1',
    schema: FindingResolvedV1,
    description: 'A finding that a later complete scan of its scope no longer shows.',
    partitions: 6,
    compacted: false,
    retentionMs: 4 * WEEK_MS,
    writers: ['risk-classifier'],
    readers: ['ticket-dispatcher', 'auto-patcher', 'policy-admin'],
  }),
  remediationEvents: defineTopic({
    name: 'remediation.events',
    key: 'fingerprint',
    eventType: 'dev.hum.remediation.v1',
    schemaName: 'remediation-event.v1',
    schema: RemediationEventV1,
    description: 'Every patch decision: planned, applied, failed or skipped, and why.',
    partitions: 3,
    compacted: false,
    retentionMs: 4 * WEEK_MS,
    writers: ['auto-patcher'],
    readers: ['ticket-dispatcher', 'policy-admin'],
  }),
  ticketsEvents: defineTopic({
    name: 'tickets.events',
    key: 'fingerprint/group',
    eventType: 'dev.hum.ticket.v1',
    schemaName: 'ticket-event.v1',
    schema: TicketEventV1,
    description: 'Ticket lifecycle and human decisions synced back from Jira / ServiceNow.',
    partitions: 3,
    compacted: false,
    retentionMs: 4 * WEEK_MS,
    writers: ['ticket-dispatcher'],
    readers: ['policy-admin'],
  }),
  policyState: defineTopic({
    name: 'policy.state',
    key: 'tier (or global)',
    eventType: 'dev.hum.policy.state.v1',
    schemaName: 'policy-state.v1',
    schema: PolicyStateV1,
    description: 'Approved policy, one record per key, compacted: the latest value is the policy.',
    partitions: 1,
    compacted: true,
    writers: ['policy-admin'],
    readers: ['risk-classifier', 'auto-patcher', 'ticket-dispatcher'],
  }),
  auditLog: defineTopic({
    name: 'audit.log',
    key: 'entity',
    eventType: 'dev.hum.audit.v1',
    schemaName: 'audit-entry.v1',
    schema: AuditEntryV1,
    description: 'Hash-chained audit entries of every state-changing decision.',
    partitions: 1,
    compacted: false,
    writers: ['policy-admin', 'risk-classifier', 'ticket-dispatcher', 'auto-patcher'],
    readers: ['policy-admin'],
  }),
  apiKeysState: defineTopic({
    name: 'apikeys.state',
    key: 'API key id (compacted)',
    eventType: 'dev.hum.apikey.state.v1',
    schemaName: 'api-key-state.v1',
    schema: ApiKeyStateV1,
    description:
      'Pipeline API keys (hashes only) as managed in policy-admin; the latest record per key wins.',
    partitions: 1,
    compacted: true,
    writers: ['policy-admin'],
    readers: ['ingest-gateway', 'risk-classifier'],
  }),
  apiKeysUsage: defineTopic({
    name: 'apikeys.usage',
    key: 'API key id (compacted)',
    eventType: 'dev.hum.apikey.used.v1',
    schemaName: 'api-key-used.v1',
    schema: ApiKeyUsedV1,
    description:
      'When a pipeline API key was last used, reported by the services that check keys (at most once a minute per key).',
    partitions: 1,
    compacted: true,
    writers: ['ingest-gateway', 'risk-classifier'],
    readers: ['policy-admin'],
  }),
  riskAcceptances: defineTopic({
    name: 'risk.acceptances',
    key: 'acceptance id (compacted)',
    eventType: 'dev.hum.risk.acceptance.v1',
    schemaName: 'risk-acceptance.v1',
    schema: RiskAcceptanceV1,
    description:
      'Approved risk acceptances and their lapses; the latest record per acceptance wins.',
    partitions: 1,
    compacted: true,
    writers: ['policy-admin'],
    readers: ['risk-classifier', 'ticket-dispatcher'],
  }),
  intelUpdates: defineTopic({
    name: 'intel.updates',
    key: 'intel kind (kev or epss)',
    eventType: 'dev.hum.intel.updated.v1',
    schemaName: 'intel-updated.v1',
    schema: IntelUpdatedV1,
    description:
      'A new KEV or EPSS snapshot to activate; open findings it affects are re-classified.',
    partitions: 1,
    compacted: false,
    retentionMs: 30 * 24 * 3600 * 1000,
    writers: ['risk-classifier', 'cli'],
    readers: ['risk-classifier'],
  }),
} as const;

export type TopicId = keyof typeof TOPICS;
export type TopicPayload<T extends TopicDefinition> = z.infer<T['schema']>;

export const TOPIC_LIST: readonly TopicDefinition[] = Object.values(TOPICS);

export const DLQ_SUFFIX = '.dlq';

export function dlqTopicName(sourceTopic: string): string {
  return `${sourceTopic}${DLQ_SUFFIX}`;
}

export function findTopic(name: string): TopicDefinition | undefined {
  return TOPIC_LIST.find((topic) => topic.name === name);
}

/** Headers the consumer runner writes on every dead-lettered message. */
export const DLQ_HEADERS = {
  reason: 'hum_dlq_reason',
  errorKind: 'hum_dlq_error_kind',
  sourceTopic: 'hum_dlq_source_topic',
  sourcePartition: 'hum_dlq_source_partition',
  sourceOffset: 'hum_dlq_source_offset',
  attempts: 'hum_dlq_attempts',
  consumerGroup: 'hum_dlq_consumer_group',
  deadLetteredAt: 'hum_dlq_at',
} as const;

export const DLQ_ERROR_KINDS = [
  'invalid-envelope',
  'contract-violation',
  'handler-failed',
  'retries-exhausted',
] as const;
export type DlqErrorKind = (typeof DLQ_ERROR_KINDS)[number];
