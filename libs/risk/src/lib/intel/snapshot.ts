import type { EpssScores } from './epss';
import { parseEpssCsv } from './epss';
import type { KevCatalog } from './kev';
import { parseKevCatalog } from './kev';

/** The threat intelligence one classification used: a KEV catalog and a day of EPSS scores. */
export interface IntelSnapshot {
  readonly kev: KevCatalog;
  readonly epss: EpssScores;
  /** The more recent of `kev.asOf` and `epss.asOf`: how fresh the newest part of it is. */
  readonly asOf: string;
}

export function createIntelSnapshot(kev: KevCatalog, epss: EpssScores): IntelSnapshot {
  return { kev, epss, asOf: kev.asOf > epss.asOf ? kev.asOf : epss.asOf };
}

/** Both official files as read from disk or a URL (EPSS may stay gzipped). */
export interface IntelFiles {
  readonly kevJson: string | Uint8Array;
  readonly epssCsv: string | Uint8Array;
}

export function loadIntelSnapshot(files: IntelFiles): IntelSnapshot {
  return createIntelSnapshot(parseKevCatalog(files.kevJson), parseEpssCsv(files.epssCsv));
}
