import { existsSync } from 'node:fs';
import path from 'node:path';

/** tools/kafka/broker.cjs: start, stop and select brokers (typed by broker.d.cts). */
export type KafkaHarness = typeof import('../../../../tools/kafka/broker.cjs');

let loaded: KafkaHarness | undefined;

// Found by walking up rather than by a fixed relative path, so it works from src/ under
// jest and from dist/ alike; tools/ is not an Nx project that could be imported by name.
function harnessFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tools', 'kafka', 'broker.cjs');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`tools/kafka/broker.cjs was not found in any parent of ${__dirname}`);
    }
  }
}

/**
 * The Kafka broker harness, for specs that need a broker of their own: one they can stop
 * and restart (`startBroker({ dataDir, port, controllerPort })` reuses data and ports).
 */
export function kafkaHarness(): KafkaHarness {
  loaded ??= require(harnessFile()) as KafkaHarness;
  return loaded;
}
