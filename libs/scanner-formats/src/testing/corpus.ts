// Spec-only helpers for the real scanner reports in testdata/corpus (copied from ../shared/corpus;
// MANIFEST.tsv names each file's source repository, path and commit).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DETECTION_WINDOW_BYTES } from '../lib/core/types';

export const CORPUS_DIR = path.resolve(__dirname, '../../../../testdata/corpus');

export interface CorpusEntry {
  format: string;
  path: string;
  expectedCount: string;
  countSource: string;
  assertedFacts: string;
  notes: string;
}

export function corpusManifest(): CorpusEntry[] {
  const lines = readFileSync(path.join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cols = line.split('\t');
      return {
        format: cols[0] ?? '',
        path: cols[1] ?? '',
        expectedCount: cols[6] ?? '',
        countSource: cols[7] ?? '',
        assertedFacts: cols[8] ?? '',
        notes: cols[9] ?? '',
      };
    });
}

export function corpusEntries(format: string): CorpusEntry[] {
  return corpusManifest().filter((entry) => entry.format === format);
}

/** Corpus files (that exist) of every manifest format except the given ones. */
export function corpusOtherThan(formats: readonly string[]): CorpusEntry[] {
  return corpusManifest().filter(
    (entry) => !formats.includes(entry.format) && existsSync(corpusPath(entry.path)),
  );
}

export function corpusPath(relative: string): string {
  return path.join(CORPUS_DIR, relative);
}

export function corpusText(relative: string): string {
  return readFileSync(corpusPath(relative), 'utf8');
}

/** The detection window of a corpus file, as a ReportSource would present it. */
export function corpusHead(relative: string): string {
  const text = readFileSync(corpusPath(relative))
    .subarray(0, DETECTION_WINDOW_BYTES)
    .toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The leading number of a manifest count ("6 (raw; ...)" → 6); NaN when it has none. */
export function manifestCount(entry: CorpusEntry): number {
  const match = /^\s*(\d+)/.exec(entry.expectedCount);
  return match ? Number(match[1]) : Number.NaN;
}
