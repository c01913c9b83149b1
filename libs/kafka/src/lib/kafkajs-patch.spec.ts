import { randomBytes } from 'node:crypto';

/*
 * hum runs kafkajs patched (patches/kafkajs+2.2.4.patch, applied by `npm ci`; docs/performance.md
 * says why): its record encoder for speed, and the first request of a transaction retried
 * quickly while the coordinator finishes the previous one. These specs hold the encoder to the
 * wire format independently of kafkajs' own code (CRC32C against a bit-by-bit reference,
 * varints against a BigInt reference, record batches through kafkajs' decoder) and the retry
 * to what it may and may not retry.
 */

const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (
  buffer: Buffer,
) => number;
const Encoder = require('kafkajs/src/protocol/encoder') as EncoderClass;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const Header = require('kafkajs/src/protocol/recordBatch/header/v0') as { writeTo?: unknown };
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest;
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  decoder: unknown,
) => Promise<{ records: DecodedRecord[] }>;

const createEosManager = require('kafkajs/src/producer/eosManager') as (options: {
  logger: unknown;
  cluster: unknown;
  transactional: boolean;
  transactionalId: string;
}) => {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(topicData: unknown[]): Promise<void>;
};
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error;
};
const CONCURRENT_TRANSACTIONS = 51;

interface EncoderInstance {
  buffer: Buffer;
  writeVarInt(value: number): EncoderInstance;
  writeVarLong(value: number): EncoderInstance;
}
interface EncoderClass {
  new (size?: number): EncoderInstance;
  sizeOfVarLong(value: number): number;
}
type ProduceRequest = (args: {
  acks: number;
  timeout: number;
  compression: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: Message[] }[];
  }[];
  transactionalId?: string;
  producerId: number;
  producerEpoch: number;
}) => { encode(): Promise<{ buffer: Buffer }> };
interface Message {
  key: string | null;
  value: string | Buffer;
  headers: Record<string, string | Buffer | string[]>;
  timestamp?: string;
}
interface DecodedRecord {
  key: Buffer | null;
  value: Buffer;
  timestamp: string;
  offset: string;
  headers: Record<string, Buffer | Buffer[]>;
}

/** CRC32C one bit at a time from the Castagnoli polynomial: no tables shared with kafkajs. */
function referenceCrc32C(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Kafka's zig-zag varlong, in BigInt so that it is right for every safe integer. */
function referenceVarLong(value: number): Buffer {
  let zigzag = (BigInt(value) << 1n) ^ (BigInt(value) < 0n ? -1n : 0n);
  zigzag = BigInt.asUintN(64, zigzag);
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return Buffer.from(bytes);
}

describe('kafkajs transactions (patched)', () => {
  /**
   * A transaction joined against a coordinator whose AddPartitionsToTxn answers come from
   * `answer`, with the client retrier turned off (retries: 0): only the patch's own short
   * retries can get past an error. Returns the requests the coordinator received.
   */
  async function joinTransaction(answer: (call: number) => Error | undefined): Promise<number> {
    let calls = 0;
    const broker = {
      initProducerId: async () => ({ producerId: 7, producerEpoch: 0 }),
      addPartitionsToTxn: async () => {
        const error = answer(calls++);
        if (error) throw error;
      },
    };
    const quiet = () => undefined;
    const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
    const eos = createEosManager({
      logger: { ...logger, namespace: () => logger },
      cluster: {
        retry: { retries: 0 },
        refreshMetadataIfNecessary: async () => undefined,
        findGroupCoordinator: async () => broker,
      },
      transactional: true,
      transactionalId: 'spec',
    });
    await eos.initProducerId();
    eos.beginTransaction();
    try {
      await eos.addPartitionsToTransaction([{ topic: 't', partitions: [{ partition: 0 }] }]);
    } catch (error) {
      throw Object.assign(error as Error, { calls });
    }
    return calls;
  }

  it('retries CONCURRENT_TRANSACTIONS on joining a transaction itself, without the client retrier', async () => {
    // The coordinator answers so while it finishes the previous transaction.
    const calls = await joinTransaction((call) =>
      call < 2 ? createErrorFromCode(CONCURRENT_TRANSACTIONS) : undefined,
    );
    expect(calls).toBe(3);
  });

  it('still passes other coordinator errors to the caller at once', async () => {
    await expect(
      joinTransaction(() => createErrorFromCode(47)), // INVALID_PRODUCER_EPOCH
    ).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH', calls: 1 });
  });
});

describe('kafkajs record encoding (patched)', () => {
  it('runs with hum’s kafkajs patch applied', () => {
    // Without it kafkajs still works, only slower; this names the missing install step.
    expect(typeof Header.writeTo).toBe('function');
  });

  it('computes CRC32C: the standard check value and random buffers of every length class', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    for (let length = 0; length < 600; length += 1) {
      const buffer = randomBytes(length);
      expect(crc32C(buffer)).toBe(referenceCrc32C(buffer));
    }
    const large = randomBytes(1_000_003);
    expect(crc32C(large)).toBe(referenceCrc32C(large));
    // Unaligned views into a larger buffer, as record batches are.
    expect(crc32C(large.subarray(3, 70_001))).toBe(referenceCrc32C(large.subarray(3, 70_001)));
  });

  it('encodes varlongs and varints as Kafka does, across the small-number fast path’s edges', () => {
    const edges = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, 2 ** 29, 2 ** 30 - 1, -(2 ** 30 - 1)];
    const beyond = [2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40)];
    const values = [...edges, ...beyond, Date.now(), -Date.now(), Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 2_000; i += 1) {
      values.push(Math.trunc((Math.random() - 0.5) * 2 ** (Math.random() * 53)));
    }
    for (const value of values) {
      const encoded = new Encoder().writeVarLong(value).buffer;
      expect({ value, hex: encoded.toString('hex') }).toEqual({
        value,
        hex: referenceVarLong(value).toString('hex'),
      });
      expect(Encoder.sizeOfVarLong(value)).toBe(encoded.length);
      if (Math.abs(value) < 2 ** 30) {
        expect(new Encoder().writeVarInt(value).buffer.equals(encoded)).toBe(true);
      }
    }
  });

  it('encodes record batches that kafkajs decodes back to the same records and a valid CRC', async () => {
    const messages: Message[] = [];
    for (let i = 0; i < 300; i += 1) {
      messages.push({
        key: i % 17 === 0 ? null : `key-${i}`,
        // Multi-byte text and binary values, sizes around the encoder's 512-byte default.
        value: i % 2 === 0 ? 'é€'.repeat(i * 7) : randomBytes((i * 37) % 5000),
        headers: {
          ce_id: `id-${i}`,
          ce_type: 'hum.finding.v1',
          binary: randomBytes(i % 40),
          ...(i % 5 === 0 ? { repeated: ['a', 'bb'] } : {}),
        },
        timestamp: i % 3 === 0 ? String(1_700_000_000_000 + i * 13) : undefined,
      });
    }
    const request = produceV3({
      acks: -1,
      timeout: 30_000,
      compression: 0,
      topicData: [
        { topic: 'findings.raw', partitions: [{ partition: 2, firstSequence: 9, messages }] },
      ],
      transactionalId: 'tx',
      producerId: 42,
      producerEpoch: 1,
    });
    const wire = (await request.encode()).buffer;

    // Produce v3: transactional id, acks, timeout, [topic [partition, record batch bytes]].
    let at = 0;
    const txLength = wire.readInt16BE(at);
    at += 2 + txLength + 2 + 4 + 4;
    at += 2 + wire.readInt16BE(at) + 4;
    expect(wire.readInt32BE(at)).toBe(2);
    const batchLength = wire.readInt32BE(at + 4);
    const batch = wire.subarray(at + 8, at + 8 + batchLength);
    // CRC covers everything after itself (attributes onwards).
    expect(batch.readUInt32BE(17)).toBe(referenceCrc32C(batch.subarray(21)));

    const { records } = await decodeRecordBatch(new Decoder(batch));
    expect(records).toHaveLength(messages.length);
    records.forEach((record, i) => {
      const message = messages[i]!;
      expect(record.offset).toBe(String(i));
      expect(record.key === null ? null : record.key.toString()).toBe(message.key);
      expect(record.value.equals(Buffer.from(message.value))).toBe(true);
      for (const [name, value] of Object.entries(message.headers)) {
        const decoded = record.headers[name];
        const expected = Array.isArray(value) ? value : [value];
        const actual = Array.isArray(decoded) ? decoded : [decoded];
        expect(actual.map((b) => b?.toString('hex'))).toEqual(
          expected.map((v) => Buffer.from(v).toString('hex')),
        );
      }
    });
  });
});
