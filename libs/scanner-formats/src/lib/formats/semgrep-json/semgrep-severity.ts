import type { Severity } from '@hum/contracts';
import { severityFromWord } from '../../core/normalize';

/**
 * Semgrep's rule severities. The classic scale is ERROR / WARNING / INFO (SARIF's error /
 * warning / note, which hum reads as high / medium / low); newer rules use CRITICAL / HIGH /
 * MEDIUM / LOW; EXPERIMENT and INVENTORY rules report facts, not problems.
 */
const SEMGREP_WORDS: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  info: 'low',
  experiment: 'info',
  inventory: 'info',
};

export function semgrepSeverity(word: string | undefined): Severity {
  if (word === undefined) return 'unknown';
  return SEMGREP_WORDS[word.toLowerCase()] ?? severityFromWord(word);
}
