import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS, type DlqErrorKind } from '@hum/contracts';
import type { RawOutgoingMessage } from '../producer';

export interface DeadLetter {
  message: KafkaMessage;
  kind: DlqErrorKind;
  reason: string;
  attempts: number;
}

const MAX_REASON_LENGTH = 2_000;

/**
 * The dead-lettered message: the original key, value and headers untouched (so a replay is
 * the same message), plus headers saying why, from where, and after how many attempts.
 */
export function deadLetterMessage(
  letter: DeadLetter,
  source: { physicalTopic: string; partition: number; groupId: string },
  dlqTopic: string,
  now: Date,
): RawOutgoingMessage {
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(letter.message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first;
  }
  Object.assign(headers, {
    [DLQ_HEADERS.reason]: letter.reason.slice(0, MAX_REASON_LENGTH),
    [DLQ_HEADERS.errorKind]: letter.kind,
    [DLQ_HEADERS.sourceTopic]: source.physicalTopic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: letter.message.offset,
    [DLQ_HEADERS.attempts]: String(letter.attempts),
    [DLQ_HEADERS.consumerGroup]: source.groupId,
    [DLQ_HEADERS.deadLetteredAt]: now.toISOString(),
  });
  return { physicalTopic: dlqTopic, key: letter.message.key, value: letter.message.value, headers };
}
