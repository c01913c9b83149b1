import type { RiskFactor } from '@hum/contracts';

/**
 * A factor while the score is being built: its contribution in tenths of a point, so that the
 * contributions add up to the score exactly (0.1 + 0.2 must be 0.3).
 */
export interface ScoredFactor {
  readonly name: string;
  readonly input: RiskFactor['input'];
  readonly tenths: number;
  readonly note?: string;
}

/** RiskFactor caps a note at 500 characters; a long parser message must not break the event. */
const NOTE_LIMIT = 500;
const INPUT_LIMIT = 500;

export function factor(
  name: string,
  input: RiskFactor['input'],
  points: number,
  note?: string,
): ScoredFactor {
  return { name, input, tenths: Math.round(points * 10), ...(note === undefined ? {} : { note }) };
}

export function toRiskFactor(scored: ScoredFactor): RiskFactor {
  const input = typeof scored.input === 'string' ? clip(scored.input, INPUT_LIMIT) : scored.input;
  const contribution = scored.tenths / 10;
  return scored.note === undefined
    ? { name: scored.name, input, contribution }
    : { name: scored.name, input, contribution, note: clip(scored.note, NOTE_LIMIT) };
}

export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** 7.5 → "7.5", 10 → "10.0": scores read the way CVSS prints them. */
export function oneDecimal(value: number): string {
  return value.toFixed(1);
}

/** "+10", "-5", "0": a signed number of points for notes. */
export function signed(points: number): string {
  return points > 0 ? `+${points}` : String(points);
}
