import type { IHeaders, KafkaMessage } from 'kafkajs';
import { DLQ_ERROR_KINDS, DLQ_HEADERS, type DlqErrorKind } from '@hum/contracts';
import type { RawOutgoingMessage } from '@hum/kafka';

/** Every header the consumer runner adds when it dead-letters starts with this. */
export const DLQ_HEADER_PREFIX = 'hum_dlq_';
export const REPLAYED_AT_HEADER = 'hum_replayed_at';

export interface DeadLetterSummary {
  partition: number;
  offset: string;
  /** The runner's error kind, or `unknown` for a message without one. */
  kind: DlqErrorKind | 'unknown';
  reason: string;
  sourceTopic: string | undefined;
  key: string | null;
}

function firstValue(value: IHeaders[string]): string | Buffer | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first ?? undefined;
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = firstValue(headers?.[name]);
  return value === undefined ? undefined : value.toString();
}

function isKind(value: string | undefined): value is DlqErrorKind {
  return (DLQ_ERROR_KINDS as readonly string[]).includes(value ?? '');
}

export function summarizeDeadLetter(partition: number, message: KafkaMessage): DeadLetterSummary {
  const kind = headerText(message.headers, DLQ_HEADERS.errorKind);
  return {
    partition,
    offset: message.offset,
    kind: isKind(kind) ? kind : 'unknown',
    reason: headerText(message.headers, DLQ_HEADERS.reason) ?? '(no reason recorded)',
    sourceTopic: headerText(message.headers, DLQ_HEADERS.sourceTopic),
    key: message.key === null ? null : message.key.toString(),
  };
}

function copyHeaders(
  headers: IHeaders | undefined,
  keep: (name: string) => boolean,
): Record<string, string | Buffer> {
  const copied: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = firstValue(value);
    if (first !== undefined && keep(name)) copied[name] = first;
  }
  return copied;
}

/**
 * The message as it was before it was dead-lettered: original key, value and headers, with
 * the runner's `hum_dlq_*` headers removed and `hum_replayed_at` added, so the consumer sees
 * the same event and an operator can still tell it was replayed.
 */
export function replayMessage(
  message: KafkaMessage,
  sourceTopic: string,
  at: Date,
): RawOutgoingMessage {
  const headers = copyHeaders(message.headers, (name) => !name.startsWith(DLQ_HEADER_PREFIX));
  headers[REPLAYED_AT_HEADER] = at.toISOString();
  return { physicalTopic: sourceTopic, key: message.key, value: message.value, headers };
}

/** The dead letter unchanged, appended to its DLQ again (passed over by a `--kind` replay). */
export function requeueMessage(message: KafkaMessage, dlqTopic: string): RawOutgoingMessage {
  return {
    physicalTopic: dlqTopic,
    key: message.key,
    value: message.value,
    headers: copyHeaders(message.headers, () => true),
  };
}
