import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ScoredVector {
  readonly vector: string;
  readonly score: number;
  readonly line: number;
}

/**
 * Reads a reference-vector file: `VECTOR - SCORE` or `VECTOR - (BASE, ...)` per line, `#` comments.
 * Only for specs.
 */
export function readScoredVectors(fileName: string): ScoredVector[] {
  const text = readFileSync(path.join(__dirname, 'cvss-vectors', fileName), 'utf8');
  return text.split('\n').flatMap((line, index) => {
    const match = /^(CVSS:\S+) - \(?([0-9.]+)/.exec(line);
    return match === null ? [] : [{ vector: match[1]!, score: Number(match[2]), line: index + 1 }];
  });
}
