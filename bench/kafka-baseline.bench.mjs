#!/usr/bin/env node
// The yardstick for every later benchmark: raw kafkajs throughput on the local broker, with
// the producer settings hum uses (idempotent, acks=all, one request in flight) and 1 KB
// messages, no compression. Run it through `npm run bench` (which provides KAFKA_BROKERS).
//
//   node bench/kafka-baseline.bench.mjs [--messages=200000] [--size=1024] [--batch=500] [--partitions=6]
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { benchBrokers, writeBenchResult } from './lib/bench-support.mjs';

const require = createRequire(import.meta.url);
const NAME = 'kafka-baseline';
const MB = 1_000_000;

function options() {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '200000' },
      size: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '500' },
      partitions: { type: 'string', default: '6' },
    },
  });
  const numbers = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)]));
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer`);
  }
  return numbers;
}

function rate(count, bytes, ms) {
  const s = ms / 1000;
  return {
    seconds: Number(s.toFixed(3)),
    messagesPerSecond: Math.round(count / s),
    megabytesPerSecond: Number((bytes / MB / s).toFixed(2)),
  };
}

function batches(total, batchSize, payload) {
  const all = [];
  for (let start = 0; start < total; start += batchSize) {
    const messages = [];
    for (let i = start; i < Math.min(total, start + batchSize); i += 1) {
      messages.push({ key: `key-${i}`, value: payload });
    }
    all.push(messages);
  }
  return all;
}

// kafkajs's own waitForLeaders gives up when a KRaft broker's metadata cache still lags the
// controller ("does not host this topic-partition"), so poll until every partition has a leader.
async function waitForLeaders(admin, topic, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    if (Date.now() >= deadline) throw new Error(`no leaders for ${topic} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function produce(kafka, topic, config, payload) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    // Connection set-up and metadata are not throughput: one batch outside the clock.
    const [warmUp] = batches(config.batch, config.batch, payload);
    await producer.send({ topic, acks: -1, messages: warmUp });
    const work = batches(config.messages, config.batch, payload);
    const started = performance.now();
    for (const messages of work) {
      await producer.send({ topic, acks: -1, messages });
    }
    return { ms: performance.now() - started, warmUpMessages: warmUp.length };
  } finally {
    await producer.disconnect();
  }
}

async function consume(kafka, topic, expected) {
  const consumer = kafka.consumer({ groupId: `${topic}.reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let firstAt;
  const runAt = performance.now();
  try {
    const lastAt = await new Promise((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            firstAt ??= performance.now();
            for (const message of batch.messages) bytes += message.value?.length ?? 0;
            count += batch.messages.length;
            if (count >= expected) resolve(performance.now());
          },
        })
        .catch(reject);
    });
    return { count, bytes, ms: lastAt - firstAt, joinMs: firstAt - runAt };
  } finally {
    await consumer.disconnect();
  }
}

async function main() {
  const config = options();
  const kafka = new Kafka({ clientId: NAME, brokers: benchBrokers(), logLevel: logLevel.ERROR });
  const topic = `bench.${NAME}.${Date.now()}.${randomBytes(3).toString('hex')}`;
  const payload = randomBytes(config.size);
  const admin = kafka.admin();
  await admin.connect();
  const loadBefore = os.loadavg()[0];
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: config.partitions, replicationFactor: 1 }],
      waitForLeaders: false,
    });
    await waitForLeaders(admin, topic);
    const produced = await produce(kafka, topic, config, payload);
    const consumed = await consume(kafka, topic, config.messages + produced.warmUpMessages);

    const result = {
      bench: NAME,
      date: new Date().toISOString(),
      config: {
        messages: config.messages,
        messageBytes: config.size,
        batchSize: config.batch,
        partitions: config.partitions,
        acks: 'all',
        idempotent: true,
        maxInFlightRequests: 1,
        compression: 'none',
        unit: 'MB = 10^6 bytes of message values',
      },
      environment: {
        node: process.versions.node,
        kafkajs: require('kafkajs/package.json').version,
        brokers: benchBrokers().join(','),
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
      },
      produce: rate(config.messages, config.messages * config.size, produced.ms),
      consume: {
        ...rate(consumed.count, consumed.bytes, consumed.ms),
        groupJoinSeconds: Number((consumed.joinMs / 1000).toFixed(3)),
      },
    };
    report(result);
    const file = writeBenchResult(NAME, result);
    process.stdout.write(`result: ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function report(result) {
  const { config, environment } = result;
  const number = (n) => n.toLocaleString('en-US');
  const rows = [
    ['phase', 'seconds', 'messages/s', 'MB/s'],
    ...['produce', 'consume'].map((phase) => [
      phase,
      result[phase].seconds.toFixed(2),
      number(result[phase].messagesPerSecond),
      result[phase].megabytesPerSecond.toFixed(1),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(
    `${NAME}: ${number(config.messages)} messages x ${number(config.messageBytes)} B, ` +
      `${config.partitions} partitions, batches of ${config.batchSize}, acks=all, idempotent ` +
      `(kafkajs ${environment.kafkajs}, Node ${environment.node}, ${environment.cpus} CPUs, ` +
      `load ${environment.loadAverage1m.before.toFixed(1)})\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}\n`,
    );
  }
  process.stdout.write(
    `  consumer group join: ${result.consume.groupJoinSeconds.toFixed(2)} s (not in the rate)\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${NAME} failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
