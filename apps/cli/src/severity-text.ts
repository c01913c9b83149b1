import { SEVERITIES, type SeverityCounts } from '@hum/contracts';

/** `critical 1, high 2, medium 0, low 4` — zero `info`/`unknown` left out, they are noise. */
export function severityText(counts: SeverityCounts): string {
  return SEVERITIES.filter(
    (severity) => counts[severity] > 0 || (severity !== 'info' && severity !== 'unknown'),
  )
    .map((severity) => `${severity} ${counts[severity]}`)
    .join(', ');
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
