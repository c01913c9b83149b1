import { randomUUID } from 'node:crypto';
import { type z } from 'zod';
import { ClassifiedFindingV1 } from './classified';
import { classifiedConforms } from './classified-event';
import { conformingMark, markConforming } from './conforming';
import { FindingV1 } from './finding';
import { findingConforms } from './finding-check';
import type { TopicDefinition } from './topics';

/**
 * Straight-line checks that pass exactly what their schema would pass unchanged (their specs
 * hold them to zod), for the bodies consumed most: a body they pass is kept as JSON.parse built
 * it, without zod's check and copy (about a fifth of the classifier's work per finding, see
 * docs/performance.md). Anything they refuse goes to zod, which decides and words the error.
 */
const UNCHANGED_BY_SCHEMA = new Map<z.ZodType, (value: unknown) => boolean>([
  [FindingV1, findingConforms],
  [ClassifiedFindingV1, classifiedConforms],
]);

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes travel as `ce_*`
 * headers, the body is the event data as JSON, and the Kafka key is the partition key.
 */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  correlationid: 'ce_correlationid',
} as const;
export const CONTENT_TYPE_HEADER = 'content-type';
export const JSON_CONTENT_TYPE = 'application/json';
export const CE_SPEC_VERSION = '1.0';

export interface EventMetadata {
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  dataschema?: string;
  /** Carried from the request or message that caused this event, into every log line. */
  correlationId?: string;
}

export interface EncodedMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface EncodeInput<T> {
  key: string;
  data: T;
  source: string;
  id?: string;
  time?: Date;
  subject?: string;
  correlationId?: string;
}

export function schemaUri(topic: TopicDefinition): string {
  return `urn:hum:schema:${topic.schemaName}`;
}

export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';

  constructor(
    readonly kind: 'invalid-envelope' | 'contract-violation',
    message: string,
  ) {
    super(message);
  }
}

/** Render zod issues as `path: message; path: message` for DLQ headers and 4xx bodies. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], limit = 10): string {
  const parts = issues.slice(0, limit).map((issue) => {
    const where = issue.path.length === 0 ? '(root)' : `/${issue.path.map(String).join('/')}`;
    return `${where}: ${issue.message}`;
  });
  if (issues.length > limit) parts.push(`... ${issues.length - limit} more`);
  return parts.join('; ');
}

/** The data's JSON, after checking it against the topic's contract unless it is marked. */
function checkedJson(topic: TopicDefinition, data: unknown): string {
  const mark = conformingMark(topic.schema, data);
  if (mark) return mark.json ?? JSON.stringify(data);
  const parsed = topic.schema.safeParse(data);
  if (!parsed.success) {
    throw new ContractViolationError(
      'contract-violation',
      `${topic.eventType}: ${formatIssues(parsed.error.issues)}`,
    );
  }
  return JSON.stringify(parsed.data);
}

/**
 * Validates `data` against the topic's contract (unless it is marked as checked already) and
 * encodes it; producers never publish an event that their own consumers would reject.
 */
export function encodeEvent<T>(topic: TopicDefinition, input: EncodeInput<T>): EncodedMessage {
  if (input.key.length === 0)
    throw new ContractViolationError('invalid-envelope', 'a message key is required');
  const json = checkedJson(topic, input.data);
  const headers: Record<string, string> = {
    [CE_HEADERS.specversion]: CE_SPEC_VERSION,
    [CE_HEADERS.id]: input.id ?? randomUUID(),
    [CE_HEADERS.source]: input.source,
    [CE_HEADERS.type]: topic.eventType,
    [CE_HEADERS.time]: (input.time ?? new Date()).toISOString(),
    [CE_HEADERS.dataschema]: schemaUri(topic),
    [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE,
  };
  if (input.subject !== undefined) headers[CE_HEADERS.subject] = input.subject;
  if (input.correlationId !== undefined) headers[CE_HEADERS.correlationid] = input.correlationId;
  return { key: input.key, value: Buffer.from(json), headers };
}

export interface RawMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface DecodedEvent<T> {
  key: string;
  metadata: EventMetadata;
  data: T;
}

export function headerText(headers: RawMessage['headers'], name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Decodes a Kafka message for `topic`: CloudEvents headers present and of the right type,
 * a key, a JSON body that satisfies the contract. Throws {@link ContractViolationError}
 * saying what is wrong and where.
 */
export function decodeEvent<S extends z.ZodType>(
  topic: TopicDefinition<S>,
  message: RawMessage,
): DecodedEvent<z.infer<S>> {
  const invalid = (text: string): ContractViolationError =>
    new ContractViolationError('invalid-envelope', text);
  const key = message.key?.toString();
  if (key === undefined || key.length === 0) throw invalid('message has no key');
  const specversion = headerText(message.headers, CE_HEADERS.specversion);
  if (specversion !== CE_SPEC_VERSION) {
    throw invalid(
      `header ${CE_HEADERS.specversion} must be ${CE_SPEC_VERSION}, got ${specversion ?? 'nothing'}`,
    );
  }
  const type = headerText(message.headers, CE_HEADERS.type);
  if (type !== topic.eventType) {
    throw invalid(
      `header ${CE_HEADERS.type} must be ${topic.eventType} on ${topic.name}, got ${type ?? 'nothing'}`,
    );
  }
  const id = headerText(message.headers, CE_HEADERS.id);
  const source = headerText(message.headers, CE_HEADERS.source);
  const time = headerText(message.headers, CE_HEADERS.time);
  if (!id) throw invalid(`header ${CE_HEADERS.id} is missing`);
  if (!source) throw invalid(`header ${CE_HEADERS.source} is missing`);
  const contentType = headerText(message.headers, CONTENT_TYPE_HEADER);
  if (contentType !== undefined && !contentType.startsWith(JSON_CONTENT_TYPE)) {
    throw invalid(`content-type must be ${JSON_CONTENT_TYPE}, got ${contentType}`);
  }
  if (message.value === null) throw invalid('message has no body');
  let body: unknown;
  try {
    body = JSON.parse(message.value.toString());
  } catch (error) {
    throw invalid(`body is not JSON: ${(error as Error).message}`);
  }
  let data: z.infer<S>;
  if (UNCHANGED_BY_SCHEMA.get(topic.schema)?.(body)) {
    data = body as z.infer<S>;
  } else {
    const parsed = topic.schema.safeParse(body);
    if (!parsed.success) {
      throw new ContractViolationError('contract-violation', formatIssues(parsed.error.issues));
    }
    data = parsed.data;
  }
  // Checked and fresh: whoever passes it on unchanged is spared a second check.
  if (typeof data === 'object' && data !== null) markConforming(topic.schema, data);
  const metadata: EventMetadata = {
    id,
    source,
    type,
    time: time ?? new Date(0).toISOString(),
  };
  const subject = headerText(message.headers, CE_HEADERS.subject);
  const dataschema = headerText(message.headers, CE_HEADERS.dataschema);
  const correlationId = headerText(message.headers, CE_HEADERS.correlationid);
  if (subject !== undefined) metadata.subject = subject;
  if (dataschema !== undefined) metadata.dataschema = dataschema;
  if (correlationId !== undefined) metadata.correlationId = correlationId;
  return { key, metadata, data };
}
