// What every benchmark shares: the broker `npm run bench` provides, and where figures go.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** KAFKA_BROKERS as a list; a clear error when a bench is run without `npm run bench`. */
export function benchBrokers() {
  const list = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new Error('KAFKA_BROKERS is not set: run `npm run bench`, which provides a broker.');
  }
  return list;
}

/** Writes a bench's figures to bench/results/<name>.json (not committed); returns the path. */
export function writeBenchResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
