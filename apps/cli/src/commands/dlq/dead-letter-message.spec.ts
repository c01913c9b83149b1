import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS } from '@hum/contracts';
import { deadLetterMessage } from '@hum/kafka';
import {
  REPLAYED_AT_HEADER,
  replayMessage,
  requeueMessage,
  summarizeDeadLetter,
} from './dead-letter-message';

const original: KafkaMessage = {
  key: Buffer.from('fingerprint-1'),
  value: Buffer.from('{"title":"x"}'),
  headers: {
    ce_id: Buffer.from('evt-1'),
    ce_type: Buffer.from('dev.hum.finding.raw.v1'),
    traceparent: [Buffer.from('00-a'), Buffer.from('00-b')],
  },
  offset: '41',
  timestamp: '0',
  attributes: 0,
};

/** The dead letter exactly as the consumer runner writes it, read back as kafkajs gives it. */
function deadLetter(kind: 'handler-failed' | 'invalid-envelope', offset = '7'): KafkaMessage {
  const raw = deadLetterMessage(
    { message: original, kind, reason: 'ticket API said 400', attempts: 3 },
    { physicalTopic: 'findings.raw', partition: 2, groupId: 'risk-classifier' },
    'findings.raw.dlq',
    new Date('2026-11-27T09:00:00Z'),
  );
  const headers = Object.fromEntries(
    Object.entries(raw.headers).map(([name, value]) => [
      name,
      Buffer.isBuffer(value) ? value : Buffer.from(value),
    ]),
  );
  return {
    key: raw.key as Buffer,
    value: raw.value,
    headers,
    offset,
    timestamp: '0',
    attributes: 0,
  };
}

describe('dead letters', () => {
  it('summarises a letter for a dry run: offset, kind, reason, source', () => {
    expect(summarizeDeadLetter(0, deadLetter('handler-failed'))).toEqual({
      partition: 0,
      offset: '7',
      kind: 'handler-failed',
      reason: 'ticket API said 400',
      sourceTopic: 'findings.raw',
      key: 'fingerprint-1',
    });
    const bare: KafkaMessage = { ...original, headers: {} };
    expect(summarizeDeadLetter(0, bare)).toMatchObject({
      kind: 'unknown',
      reason: '(no reason recorded)',
    });
  });

  it('replays the original key, value and headers, without hum_dlq_* and with hum_replayed_at', () => {
    const letter = deadLetter('handler-failed');
    expect(Object.keys(letter.headers!).filter((h) => h.startsWith('hum_dlq_')).length).toBe(
      Object.keys(DLQ_HEADERS).length,
    );
    const replayed = replayMessage(letter, 'findings.raw', new Date('2026-11-27T10:00:00Z'));
    expect(replayed.physicalTopic).toBe('findings.raw');
    expect(replayed.key).toEqual(original.key);
    expect(replayed.value).toEqual(original.value);
    expect(Object.keys(replayed.headers).sort()).toEqual([
      'ce_id',
      'ce_type',
      REPLAYED_AT_HEADER,
      'traceparent',
    ]);
    expect(replayed.headers['ce_id']).toEqual(Buffer.from('evt-1'));
    expect(replayed.headers[REPLAYED_AT_HEADER]).toBe('2026-11-27T10:00:00.000Z');
  });

  it('requeues a passed-over letter unchanged, DLQ headers included', () => {
    const letter = deadLetter('invalid-envelope');
    const requeued = requeueMessage(letter, 'findings.raw.dlq');
    expect(requeued.physicalTopic).toBe('findings.raw.dlq');
    expect(requeued.key).toEqual(letter.key);
    expect(Object.keys(requeued.headers).sort()).toEqual(Object.keys(letter.headers!).sort());
  });
});
