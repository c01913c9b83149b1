import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLED_INTEL_FILES } from '../src/lib/intel/bundled';

/** Specs only: the shipped data files, read from the source tree. */
export function readBundledIntel(): { kevJson: string; epssCsv: string } {
  const data = path.resolve(__dirname, '../data');
  return {
    kevJson: readFileSync(path.join(data, BUNDLED_INTEL_FILES.kevJson), 'utf8'),
    epssCsv: readFileSync(path.join(data, BUNDLED_INTEL_FILES.epssCsv), 'utf8'),
  };
}
